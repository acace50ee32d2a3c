package graph

import (
	"context"

	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/seatledger/seatledger/internal/inventory"
)

// mailboxPurposes asks Graph what a mailbox is for (user, shared, room, equipment),
// but only of the accounts that may be a shared mailbox needing its licence: disabled
// accounts holding an Exchange Online licence. v1.0's mailbox usage report no longer
// says it, and asking every user would cost a request each.
type mailboxPurposes struct {
	exchange func(skuID string) bool
	// refused is set once Graph refuses mailboxSettings (no MailboxSettings.Read):
	// nobody else is asked, and note says why.
	refused bool
	note    string
	// known keeps the answers by user id: the users are read a second time when
	// Graph refuses signInActivity.
	known map[string]string
}

func (m *mailboxPurposes) candidate(u inventory.User) bool {
	if u.Enabled {
		return false
	}
	for _, a := range u.Assignments {
		if m.exchange == nil || m.exchange(a.SKUID) {
			return true
		}
	}
	return false
}

// askMailboxPurposes fills in MailboxPurpose for the candidates among list. A user
// without a mailbox (404) stays unknown; a refusal stops the asking, not the sync.
func (c *Client) askMailboxPurposes(ctx context.Context, tc *tenantClient, list []inventory.User, m *mailboxPurposes) error {
	for i := range list {
		u := &list[i]
		if !m.candidate(*u) {
			continue
		}
		if p, ok := m.known[u.ID]; ok {
			u.MailboxPurpose = p
			continue
		}
		if m.refused {
			continue
		}
		var purpose string
		err := c.retry(ctx, func(ctx context.Context) error {
			ri, err := tc.graph.Users().ByUserId(u.ID).MailboxSettings().ToGetRequestInformation(ctx, &users.ItemMailboxSettingsRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.ItemMailboxSettingsRequestBuilderGetQueryParameters{Select: []string{"userPurpose"}},
			})
			if err != nil {
				return err
			}
			body, err := c.getBody(ctx, tc, ri)
			if err != nil {
				return err
			}
			purpose, err = decodeMailboxPurpose(body)
			return err
		})
		switch s := statusOf(err); {
		case err == nil:
		case s == 403:
			m.refused = true
			m.note = "Graph refused mailboxSettings: " + errorText(err)
			continue
		case s == 404 || s == 400:
			// No mailbox in Exchange Online (never had one, soft-deleted, or on-premises).
			purpose = ""
		default:
			return err
		}
		m.known[u.ID] = purpose
		u.MailboxPurpose = purpose
	}
	return nil
}
