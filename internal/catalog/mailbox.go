package catalog

import "strings"

// HasMailbox tells whether a SKU carries an Exchange Online mailbox: a plan named
// EXCHANGE_S_* other than the foundation plan that nearly every SKU carries.
func HasMailbox(s SKU) bool {
	for _, p := range s.Plans {
		name := strings.ToUpper(p.Name)
		if strings.HasPrefix(name, "EXCHANGE_S_") && name != "EXCHANGE_S_FOUNDATION" {
			return true
		}
	}
	return false
}
