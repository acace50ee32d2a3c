package catalog

import "strings"

// ExchangeMailbox tells whether the SKU includes an Exchange Online plan that serves
// a mailbox or its archive (EXCHANGE_S_STANDARD, EXCHANGE_S_ENTERPRISE,
// EXCHANGE_S_DESKLESS, EXCHANGE_S_ARCHIVE_ADDON, their government twins, ...). A
// shared mailbox over 50 GB or with an archive needs such a licence. Exchange
// Foundation is left out: nearly every SKU carries it, and it serves no mailbox.
func (s SKU) ExchangeMailbox() bool {
	for _, p := range s.Plans {
		name := strings.ToUpper(strings.TrimSpace(p.Name))
		if strings.HasPrefix(name, "EXCHANGE_S_") && !strings.HasPrefix(name, "EXCHANGE_S_FOUNDATION") {
			return true
		}
	}
	return false
}
