package sandbox

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// PartnerMailboxes are the mailboxes of the simulated partner's own tenant
// (PartnerTenantID), the only ones its app may send from with Mail.Send; sendMail as
// anyone else is Graph's 404 ErrorInvalidUser.
var PartnerMailboxes = []string{"notices@partner.example", "billing@partner.example"}

// SentMail is one message Graph accepted through sendMail.
type SentMail struct {
	Mailbox           string
	RequestID         string
	Subject           string
	BodyType          string // "html" or "text"
	Body              string
	To                []string
	ReplyTo           []string
	InternetMessageID string
	SaveToSentItems   bool
}

// sentMail is the sendMail side of the server, under failMu.
type sentMail struct {
	sent       []SentMail
	throttle   int
	retryAfter string
}

// SentMail is every message sendMail accepted, in order.
func (s *Server) SentMail() []SentMail {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return append([]SentMail(nil), s.mail.sent...)
}

// ThrottleSendMail answers the next n sendMail requests with 429 and retryAfter
// (seconds, as Graph writes it).
func (s *Server) ThrottleSendMail(n int, retryAfter string) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	s.mail.throttle, s.mail.retryAfter = n, retryAfter
}

type graphRecipient struct {
	EmailAddress struct {
		Address string `json:"address"`
		Name    string `json:"name"`
	} `json:"emailAddress"`
}

func addresses(rs []graphRecipient) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.EmailAddress.Address)
	}
	return out
}

// sendMail is POST /v1.0/users/{id}/sendMail in the partner's tenant: 202 with a
// request-id, as Graph answers, once the message is recorded.
func (s *Server) sendMail(w http.ResponseWriter, r *http.Request) {
	s.failMu.Lock()
	if s.mail.throttle > 0 {
		s.mail.throttle--
		retryAfter := s.mail.retryAfter
		s.failMu.Unlock()
		s.stats.Throttled.Add(1)
		w.Header().Set("Retry-After", retryAfter)
		graphError(w, http.StatusTooManyRequests, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.")
		return
	}
	s.failMu.Unlock()
	mailbox := r.PathValue("id")
	known := false
	for _, m := range PartnerMailboxes {
		known = known || strings.EqualFold(m, mailbox)
	}
	if !known {
		graphError(w, http.StatusNotFound, "ErrorInvalidUser", "The requested user '"+mailbox+"' is invalid.")
		return
	}
	body, ok := requestBody(w, r, 4<<20)
	if !ok {
		return
	}
	var req struct {
		Message struct {
			Subject string `json:"subject"`
			Body    struct {
				ContentType string `json:"contentType"`
				Content     string `json:"content"`
			} `json:"body"`
			ToRecipients      []graphRecipient `json:"toRecipients"`
			CcRecipients      []graphRecipient `json:"ccRecipients"`
			BccRecipients     []graphRecipient `json:"bccRecipients"`
			ReplyTo           []graphRecipient `json:"replyTo"`
			InternetMessageID string           `json:"internetMessageId"`
		} `json:"message"`
		SaveToSentItems *bool `json:"saveToSentItems"`
	}
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRequest", "Cannot read the request body: "+err.Error())
		return
	}
	msg := req.Message
	if len(msg.ToRecipients)+len(msg.CcRecipients)+len(msg.BccRecipients) == 0 {
		graphError(w, http.StatusBadRequest, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent because it contains no recipients.")
		return
	}
	if id := msg.InternetMessageID; id != "" && (!strings.HasPrefix(id, "<") || !strings.HasSuffix(id, ">")) {
		graphError(w, http.StatusBadRequest, "ErrorInvalidInternetMessageHeader", "The internet message id must be in the format <id@domain>.")
		return
	}
	requestID := fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rand.Uint32(), rand.Uint32()&0xffff,
		rand.Uint32()&0xfff, rand.Uint32()&0xfff, rand.Uint64()&0xffffffffffff)
	sent := SentMail{
		Mailbox: mailbox, RequestID: requestID, Subject: msg.Subject,
		BodyType: strings.ToLower(msg.Body.ContentType), Body: msg.Body.Content,
		To: addresses(msg.ToRecipients), ReplyTo: addresses(msg.ReplyTo),
		InternetMessageID: msg.InternetMessageID, SaveToSentItems: req.SaveToSentItems == nil || *req.SaveToSentItems,
	}
	s.failMu.Lock()
	s.mail.sent = append(s.mail.sent, sent)
	s.failMu.Unlock()
	w.Header().Set("request-id", requestID)
	w.Header().Set("client-request-id", r.Header.Get("client-request-id"))
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusAccepted)
}

// requestBody is a Graph request's body, at most limit bytes, uncompressed: the SDK
// compresses request bodies, and Graph reads them. ok is false when the error has
// been answered.
func requestBody(w http.ResponseWriter, r *http.Request, limit int64) (body io.Reader, ok bool) {
	body = http.MaxBytesReader(w, r.Body, limit)
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(body)
		if err != nil {
			graphError(w, http.StatusBadRequest, "BadRequest", "The request body is not gzip: "+err.Error())
			return nil, false
		}
		body = io.LimitReader(zr, limit)
	}
	return body, true
}
