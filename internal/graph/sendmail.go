package graph

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	kiotahttp "github.com/microsoft/kiota-http-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/seatledger/seatledger/internal/entra"
	"github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/mshttp"
)

// Mailer sends notices from one mailbox of the partner's own tenant through Graph's
// sendMail, as the partner's app (application permission Mail.Send, best limited to
// that mailbox by an Exchange application access policy). It implements
// mail.Transport and is safe for concurrent use.
//
// Graph takes no raw MIME here, so the message is rebuilt from its fields: the
// mailbox is the sender (Message.From is not sent; sending as another address needs
// SendAs rights), the HTML part is the body (the text part when there is no HTML),
// and only extra headers named X-... are passed on, as Graph allows no others.
type Mailer struct {
	c        *Client
	tenantID string
	mailbox  string
}

// Mailer returns the transport sending as mailbox (a UPN or user id) in the
// partner's tenant partnerTenantID.
func (c *Client) Mailer(partnerTenantID, mailbox string) (*Mailer, error) {
	if partnerTenantID == "" || mailbox == "" {
		return nil, errors.New("graph mailer: the partner's tenant id and the sending mailbox are both required")
	}
	return &Mailer{c: c, tenantID: partnerTenantID, mailbox: mailbox}, nil
}

var _ mail.Transport = (*Mailer)(nil)

// Deliver posts m to /users/{mailbox}/sendMail. The proof is Graph's request-id,
// which Microsoft support asks for when a message went missing. Throttling (429,
// 503, 504) is waited out a few times as Retry-After asks; what remains is returned
// as a temporary *mail.Error.
func (m *Mailer) Deliver(ctx context.Context, msg mail.Message) (mail.Receipt, error) {
	if len(msg.To) == 0 {
		return mail.Receipt{}, &mail.Error{Err: fmt.Errorf("graph sendMail %s: no recipient", msg.MessageID)}
	}
	tc, err := m.c.forTenant(m.tenantID)
	if err != nil {
		return mail.Receipt{}, &mail.Error{Temporary: true, Transport: true, Err: fmt.Errorf("graph sendMail %s: %w", msg.MessageID, err)}
	}
	body := users.NewItemSendMailPostRequestBody()
	body.SetMessage(graphMessage(msg))
	save := true
	body.SetSaveToSentItems(&save)

	var headers *kiotahttp.HeadersInspectionOptions
	for attempt := 1; ; attempt++ {
		headers = kiotahttp.NewHeadersInspectionOptions()
		headers.InspectResponseHeaders = true
		err = m.c.withTimeout(ctx, func(ctx context.Context) error {
			return tc.graph.Users().ByUserId(m.mailbox).SendMail().Post(ctx, body,
				&users.ItemSendMailRequestBuilderPostRequestConfiguration{Options: []abstractions.RequestOption{headers}})
		})
		status := statusOf(err)
		if err == nil || attempt == maxSendAttempts || !(status == 429 || status == 503 || status == 504) {
			break
		}
		// The middleware cannot replay sendMail's body, so throttling is waited out
		// here. Only answers that say the message was not taken are retried: a
		// network failure may come after Graph accepted it, and a retry would send
		// the notice twice.
		wait, ok := mshttp.RetryAfter(first(headers.GetResponseHeaders().Get("Retry-After")), time.Now())
		if !ok {
			wait = time.Duration(attempt) * time.Second
		}
		if wait > maxSendWait {
			break
		}
		if serr := mshttp.Sleep(ctx, wait); serr != nil {
			break
		}
	}
	if err != nil {
		status := statusOf(err)
		e := &mail.Error{
			Temporary: status == 0 && transient(err) || status == 429 || status >= 500,
			// No token, a token refused, or no Mail.Send on the mailbox: every notice
			// would fail the same way.
			Transport: status == 0 && !transient(err) || status == 401 || status == 403,
			Err:       fmt.Errorf("graph sendMail %s as %s: %w", msg.MessageID, m.mailbox, err),
		}
		if status != 0 {
			e.Reply = errorText(err)
		} else if !e.Temporary {
			// Neither a Graph answer nor a network failure that heals (an untrusted
			// certificate, a token refused): retrying will not help.
			e.Reply = clean(err.Error())
		}
		return mail.Receipt{}, e
	}
	id := first(headers.GetResponseHeaders().Get("request-id"))
	if id == "" {
		id = "graph sendMail " + msg.MessageID
	}
	return mail.Receipt{Proof: id}, nil
}

// maxSendAttempts and maxSendWait bound how long Deliver waits out throttling before
// leaving the retry to its caller (a queue with its own schedule).
const (
	maxSendAttempts = 4
	maxSendWait     = 30 * time.Second
)

func graphMessage(msg mail.Message) models.Messageable {
	gm := models.NewMessage()
	subject := msg.Subject
	gm.SetSubject(&subject)
	content, kind := msg.HTML, models.HTML_BODYTYPE
	if content == "" {
		content, kind = msg.Text, models.TEXT_BODYTYPE
	}
	b := models.NewItemBody()
	b.SetContent(&content)
	b.SetContentType(&kind)
	gm.SetBody(b)
	to := make([]models.Recipientable, 0, len(msg.To))
	for _, a := range msg.To {
		to = append(to, recipient(a))
	}
	gm.SetToRecipients(to)
	if msg.ReplyTo != nil {
		gm.SetReplyTo([]models.Recipientable{recipient(*msg.ReplyTo)})
	}
	if msg.MessageID != "" {
		id := "<" + msg.MessageID + ">"
		gm.SetInternetMessageId(&id)
	}
	var extra []models.InternetMessageHeaderable
	for _, k := range slices.Sorted(maps.Keys(msg.Headers)) {
		if !strings.HasPrefix(strings.ToLower(k), "x-") {
			continue
		}
		h := models.NewInternetMessageHeader()
		name, value := k, msg.Headers[k]
		h.SetName(&name)
		h.SetValue(&value)
		extra = append(extra, h)
	}
	if len(extra) > 0 {
		gm.SetInternetMessageHeaders(extra)
	}
	return gm
}

func recipient(a mail.Address) models.Recipientable {
	addr := models.NewEmailAddress()
	email := a.Email
	addr.SetAddress(&email)
	if a.Name != "" {
		name := a.Name
		addr.SetName(&name)
	}
	r := models.NewRecipient()
	r.SetEmailAddress(addr)
	return r
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// SMTPToken is a source of OAuth tokens for SMTP AUTH XOAUTH2 with Exchange Online,
// asked for the app registration in the partner's own tenant: Exchange Online turns
// SMTP AUTH with passwords off, and a partner on Microsoft 365 sends this way.
func (c *Client) SMTPToken(partnerTenantID string) (func(ctx context.Context) (string, error), error) {
	if partnerTenantID == "" {
		return nil, errors.New("smtp xoauth2: partner.tenant_id is required: the token is the app's in the partner's own tenant")
	}
	cred, err := c.app.Credential(partnerTenantID, c.authority, c.cfg.AuthorityHost != "", c.authHTTP)
	if err != nil {
		return nil, fmt.Errorf("smtp xoauth2: credential for tenant %s: %w", partnerTenantID, err)
	}
	return entra.SMTPToken(cred), nil
}
