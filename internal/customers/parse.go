package customers

import (
	"bytes"
	"fmt"
	"io"
	"net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/iso"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// The fields of a customer, in file order; CSV headers and YAML keys use these names.
var fields = []string{"name", "tenant_id", "primary_domain", "currency", "locale", "market", "segment", "external_ref", "contacts"}

// ParseFile reads a customer registry, CSV or YAML chosen by the file's extension,
// and validates all of it. On any problem it returns a problems.List with every one.
func ParseFile(path string) ([]Customer, error) { return ParseFileAgainst(path, nil) }

// ParseFileAgainst is ParseFile for an import into a registry that already holds the
// registered customers: an external reference or name that would then name two
// customers is a problem too, as every contract file naming it would fail.
func ParseFileAgainst(path string, registered []Customer) ([]Customer, error) {
	data, err := records.ReadFile(path, records.MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read customers file: %w", err)
	}
	name := path
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return parseCSV(bytes.NewReader(data), name, registered)
	case ".yaml", ".yml":
		return parseYAML(data, name, registered)
	}
	return nil, problems.List{{File: name, Message: "unknown file type: name it .csv, .yaml or .yml"}}
}

// raw is one customer as written, with the line of each field, before validation.
type raw struct {
	line     int
	values   map[string]string
	lines    map[string]int
	contacts []rawContact
}

type rawContact struct {
	line                int
	name, email, locale string
}

func (r raw) lineOf(field string) int {
	if l, ok := r.lines[field]; ok {
		return l
	}
	return r.line
}

// ParseCSV reads customers from CSV: a header naming the fields, one customer per
// row; contacts in one cell as "Name <e-mail> (locale); ..." where name and locale
// are optional.
func ParseCSV(r io.Reader, name string) ([]Customer, error) { return parseCSV(r, name, nil) }

func parseCSV(r io.Reader, name string, registered []Customer) ([]Customer, error) {
	probs := &problems.Collector{File: name}
	recs := csvFormat.CSV(r, probs)
	if probs.Len() > 0 {
		return nil, probs.Err()
	}
	rows := make([]raw, len(recs))
	for i, rec := range recs {
		rows[i] = raw{line: rec.Line, values: rec.Values, contacts: parseContactCell(rec.Values["contacts"], rec.Line)}
	}
	return validate(rows, probs, registered)
}

var csvFormat = records.Format{Fields: fields, Required: []string{"name", "tenant_id", "currency", "locale", "market"}, Text: []string{"contacts"}}

var trailingLocale = regexp.MustCompile(`\s*\(([A-Za-z_-]+)\)\s*$`)

func parseContactCell(cell string, line int) []rawContact {
	var out []rawContact
	for _, part := range strings.Split(cell, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		c := rawContact{line: line}
		if m := trailingLocale.FindStringSubmatchIndex(part); m != nil {
			c.locale = part[m[2]:m[3]]
			part = strings.TrimSpace(part[:m[0]])
		}
		// What does not parse is kept whole, so that validation names it as written.
		c.email = part
		if a, err := mail.ParseAddress(part); err == nil {
			c.name, c.email = a.Name, a.Address
		}
		out = append(out, c)
	}
	return out
}

// ParseYAML reads customers from YAML: a top-level "customers" list of mappings with
// the fields above; contacts as a list of mappings with name, email and locale.
func ParseYAML(data []byte, name string) ([]Customer, error) { return parseYAML(data, name, nil) }

func parseYAML(data []byte, name string, registered []Customer) ([]Customer, error) {
	probs := &problems.Collector{File: name}
	list := records.ListNode(data, "customers", probs)
	if list == nil {
		return nil, probs.Err()
	}
	var rows []raw
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			probs.Add(item.Line, "", "each customer must be a mapping of field: value")
			continue
		}
		row, fits := raw{line: item.Line, values: map[string]string{}, lines: map[string]int{}}, true
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			if !slices.Contains(fields, k.Value) {
				probs.Add(k.Line, k.Value, "unknown field (known: %s)", strings.Join(fields, ", "))
				continue
			}
			row.lines[k.Value] = v.Line
			if k.Value == "contacts" {
				row.contacts = yamlContacts(v, probs)
				continue
			}
			if v.Kind != yaml.ScalarNode {
				probs.Add(v.Line, k.Value, "must be a single value")
				continue
			}
			row.values[k.Value] = strings.TrimSpace(v.Value)
			fits = records.CheckLength(probs, v.Line, k.Value, row.values[k.Value], records.MaxNameLength) && fits
		}
		// A customer with a value too long is reported for that alone.
		if fits {
			rows = append(rows, row)
		}
	}
	return validate(rows, probs, registered)
}

func yamlContacts(v *yaml.Node, probs *problems.Collector) []rawContact {
	if v.Kind != yaml.SequenceNode {
		probs.Add(v.Line, "contacts", "must be a list of {name, email, locale}")
		return nil
	}
	var out []rawContact
	for _, c := range v.Content {
		if c.Kind != yaml.MappingNode {
			probs.Add(c.Line, "contacts", "each contact must be a mapping with name, email and locale")
			continue
		}
		rc := rawContact{line: c.Line}
		for i := 0; i+1 < len(c.Content); i += 2 {
			k, val := c.Content[i], c.Content[i+1]
			if !records.CheckLength(probs, val.Line, "contacts."+k.Value, val.Value, records.MaxNameLength) {
				continue
			}
			switch k.Value {
			case "name":
				rc.name = strings.TrimSpace(val.Value)
			case "email":
				rc.email = strings.TrimSpace(val.Value)
			case "locale":
				rc.locale = strings.TrimSpace(val.Value)
			default:
				probs.Add(k.Line, "contacts."+k.Value, "unknown field (known: name, email, locale)")
			}
		}
		out = append(out, rc)
	}
	return out
}

// validate checks every row, the file as a whole and the file against the registered
// customers, and returns the customers only when nothing is wrong.
func validate(rows []raw, probs *problems.Collector, registered []Customer) ([]Customer, error) {
	seenTenant := map[string]int{}
	seenRef := map[string]int{}
	seenName := map[string]int{}
	out := make([]Customer, 0, len(rows))
	for _, r := range rows {
		c := Customer{
			Name:          r.values["name"],
			PrimaryDomain: strings.ToLower(r.values["primary_domain"]),
			ExternalRef:   r.values["external_ref"],
			Source:        fmt.Sprintf("%s:%d", probs.File, r.line),
		}
		if c.Name == "" {
			probs.Add(r.lineOf("name"), "name", "required")
		}
		if t, ok := ids.ParseGUID(r.values["tenant_id"]); ok {
			c.TenantID = t
			if first, dup := seenTenant[t]; dup {
				probs.Add(r.lineOf("tenant_id"), "tenant_id", "%s appears again (first on line %d)", t, first)
			} else {
				seenTenant[t] = r.line
			}
		} else if r.values["tenant_id"] == "" {
			probs.Add(r.lineOf("tenant_id"), "tenant_id", "required (the customer's Entra tenant id, a GUID)")
		} else {
			probs.Add(r.lineOf("tenant_id"), "tenant_id", "%q is not a GUID", r.values["tenant_id"])
		}
		if c.PrimaryDomain != "" && !validDomain(c.PrimaryDomain) {
			probs.Add(r.lineOf("primary_domain"), "primary_domain", "%q is not a domain name", r.values["primary_domain"])
		}
		var ok bool
		if c.Currency, ok = iso.Currency(r.values["currency"]); !ok {
			probs.Add(r.lineOf("currency"), "currency", "%q is not an ISO 4217 currency code (EUR, USD, GBP, ...)", r.values["currency"])
		}
		if c.Locale, ok = iso.Locale(r.values["locale"]); !ok {
			probs.Add(r.lineOf("locale"), "locale", "%q is not a supported locale (%s)", r.values["locale"], strings.Join(iso.Locales, ", "))
		}
		if c.Market, ok = iso.Country(r.values["market"]); !ok {
			probs.Add(r.lineOf("market"), "market", "%q is not an ISO 3166 country code (NL, DE, US, ...)", r.values["market"])
		}
		if c.Segment, ok = Segment(r.values["segment"]); !ok {
			probs.Add(r.lineOf("segment"), "segment", "%q is not a Partner Center price list segment (%s)", r.values["segment"], strings.Join(Segments, ", "))
		}
		if c.ExternalRef != "" {
			if first, dup := seenRef[c.ExternalRef]; dup {
				probs.Add(r.lineOf("external_ref"), "external_ref", "%q appears again (first on line %d)", c.ExternalRef, first)
			} else {
				seenRef[c.ExternalRef] = r.line
			}
		}
		if key := strings.ToLower(c.Name); key != "" {
			if first, dup := seenName[key]; dup {
				probs.Add(r.lineOf("name"), "name", "%q appears again (first on line %d): a name must name one customer", c.Name, first)
			} else {
				seenName[key] = r.line
			}
		}
		c.Contacts = validateContacts(r.contacts, c.Locale, probs)
		out = append(out, c)
	}
	checkRegistered(rows, out, registered, probs)
	if err := probs.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		probs.Add(0, "", "no customers in the file")
		return nil, probs.Err()
	}
	return out, nil
}

func validateContacts(raws []rawContact, customerLocale string, probs *problems.Collector) []Contact {
	seen := map[string]bool{}
	out := []Contact{}
	for _, rc := range raws {
		email := strings.ToLower(rc.email)
		if !validEmail(email) {
			probs.Add(rc.line, "contacts", "%q is not a valid e-mail address", rc.email)
			continue
		}
		if seen[email] {
			probs.Add(rc.line, "contacts", "%s is listed twice for this customer", email)
			continue
		}
		seen[email] = true
		locale := customerLocale
		if rc.locale != "" {
			l, ok := iso.Locale(rc.locale)
			if !ok {
				probs.Add(rc.line, "contacts", "locale %q of %s is not supported (%s)", rc.locale, email, strings.Join(iso.Locales, ", "))
				continue
			}
			locale = l
		}
		out = append(out, Contact{Name: rc.name, Email: email, Locale: locale})
	}
	return out
}
