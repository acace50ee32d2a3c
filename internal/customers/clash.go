package customers

import (
	"strings"

	"github.com/seatledger/seatledger/internal/problems"
)

// checkRegistered reports the imported customers whose external reference or name
// is already another registered customer's. Contract files, sync and advice name
// customers by either; a key that names two customers fails every one of them. A
// registered customer that the file itself updates is judged by its new values, which
// the file's own duplicate checks have seen.
func checkRegistered(rows []raw, list []Customer, registered []Customer, probs *problems.Collector) {
	inFile := make(map[string]bool, len(list))
	for _, c := range list {
		inFile[c.TenantID] = true
	}
	for i, c := range list {
		for _, o := range registered {
			if inFile[o.TenantID] || o.TenantID == c.TenantID {
				continue
			}
			if field, what := clash(c, o); field != "" {
				probs.Add(rows[i].lineOf(field), field, "%q is already the %s of %s", c.value(field), what, o.describe())
			}
		}
	}
}

// clash names the field of c that also names o, and what it is of o.
func clash(c, o Customer) (field, what string) {
	switch {
	case c.ExternalRef != "" && c.ExternalRef == o.ExternalRef:
		return "external_ref", "external reference"
	case c.Name != "" && strings.EqualFold(c.Name, o.Name):
		return "name", "name"
	case c.ExternalRef != "" && strings.EqualFold(c.ExternalRef, o.Name):
		return "external_ref", "name"
	case c.Name != "" && o.ExternalRef != "" && strings.EqualFold(c.Name, o.ExternalRef):
		return "name", "external reference"
	}
	return "", ""
}

func (c Customer) value(field string) string {
	if field == "name" {
		return c.Name
	}
	return c.ExternalRef
}

// describe names a registered customer for a message: name, tenant and the line it
// was imported from.
func (c Customer) describe() string {
	s := c.Name + " (tenant " + c.TenantID
	if c.Source != "" {
		s += ", imported from " + c.Source
	}
	return s + ")"
}
