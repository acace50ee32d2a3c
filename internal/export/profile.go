package export

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Profile shapes a CSV export: separator, decimal mark, date format, quoting and
// the columns, plus the settings of invoice fields. Made by ParseProfile or Builtin.
type Profile struct {
	Name string
	// Separator separates cells (',' or ';' or '\t'); DecimalMark is '.' or ',' in
	// numbers. Numbers have no thousands separator.
	Separator   rune
	DecimalMark rune
	// DateFormat is the date format as written in the definition (dd-mm-yyyy).
	DateFormat string
	// QuoteAll quotes every cell; otherwise only cells holding the separator, a
	// quote or a line break are quoted (RFC 4180).
	QuoteAll bool
	// BOM starts the file with a UTF-8 byte order mark, without which Excel reads
	// a CSV as the machine's legacy code page and garbles "Müller".
	BOM     bool
	Columns []Column
	// AccountCode and TaxType fill the account_code and tax_type fields (Xero's
	// sales account and tax rate, as named in the accounting system).
	AccountCode string
	TaxType     string
	// InvoicePrefix starts invoice numbers; DueDays is the invoice date to the due
	// date, in days.
	InvoicePrefix string
	DueDays       int

	dateLayout string // DateFormat as a Go layout
	// draftInDescription: the profile has no status or reference column, so a
	// draft says DRAFT in its descriptions.
	draftInDescription bool
}

// Column is one column of a CSV export: its header and the field it carries.
type Column struct {
	Header string `yaml:"header" json:"header"`
	// Field is a field name (amount, customer, ...); empty for a blank column.
	Field string `yaml:"field" json:"field"`
}

// ProfileSpec is a profile as defined in the configuration. Keys left empty are
// taken from Base, a built-in profile (default when Base is empty).
type ProfileSpec struct {
	Name string `yaml:"name" json:"name"`
	Base string `yaml:"base" json:"base"`
	// Separator is one character, or "tab".
	Separator string `yaml:"separator" json:"separator"`
	// DecimalMark is "." or ",".
	DecimalMark string `yaml:"decimal_mark" json:"decimal_mark"`
	// DateFormat is yyyy, mm and dd once each, separated by "-", "/", "." or " ":
	// dd-mm-yyyy, dd/mm/yyyy, yyyy-mm-dd.
	DateFormat string `yaml:"date_format" json:"date_format"`
	// Quote is "as-needed" or "always".
	Quote   string   `yaml:"quote" json:"quote"`
	BOM     *bool    `yaml:"bom" json:"bom"`
	Columns []Column `yaml:"columns" json:"columns"`
	// AccountCode, TaxType, InvoicePrefix and DueDays are the invoice fields'
	// settings; a profile with an account_code or tax_type column needs its setting.
	AccountCode   string `yaml:"account_code" json:"account_code"`
	TaxType       string `yaml:"tax_type" json:"tax_type"`
	InvoicePrefix string `yaml:"invoice_prefix" json:"invoice_prefix"`
	DueDays       *int   `yaml:"due_days" json:"due_days"`
}

// profileName is what a profile may be called: it travels on command lines and in
// file names.
var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// ParseProfile checks a profile definition and makes the profile. Every problem is
// reported, each naming its key: `export profile "sage": columns[3].field: "amout"
// is not a field`.
func ParseProfile(spec ProfileSpec) (Profile, error) {
	p, err := parseProfile(spec, true)
	if err != nil {
		return Profile{}, fmt.Errorf("export profile %q: %w", spec.Name, err)
	}
	return p, nil
}

func parseProfile(spec ProfileSpec, configured bool) (Profile, error) {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
	}
	switch {
	case !profileName.MatchString(spec.Name):
		bad("name", "%q is not a profile name: lower-case letters, digits, - and _", spec.Name)
	case configured && builtinSpecs[spec.Name] != nil:
		bad("name", "%q is a built-in profile: give yours another name and base: %s", spec.Name, spec.Name)
	}
	if configured {
		base := spec.Base
		if base == "" {
			base = "default"
		}
		if b := builtinSpecs[base]; b == nil {
			bad("base", "%q is not a built-in profile (%s)", spec.Base, strings.Join(BuiltinNames(), ", "))
		} else {
			spec = inherit(spec, *b)
		}
	}

	p := Profile{Name: spec.Name, DateFormat: spec.DateFormat, Columns: spec.Columns, AccountCode: spec.AccountCode,
		TaxType: spec.TaxType, InvoicePrefix: spec.InvoicePrefix, BOM: spec.BOM != nil && *spec.BOM}
	switch spec.DecimalMark {
	case ".", ",":
		p.DecimalMark = rune(spec.DecimalMark[0])
	default:
		bad("decimal_mark", `%q is not "." or ","`, spec.DecimalMark)
	}
	sep := spec.Separator
	if sep == "tab" {
		sep = "\t"
	}
	if r, n := utf8.DecodeRuneInString(sep); n == 0 || n != len(sep) || r == '"' || r == '\r' || r == '\n' || unicode.IsLetter(r) || unicode.IsDigit(r) {
		bad("separator", `%q is not one character other than a letter, digit, quote or line break (or "tab")`, spec.Separator)
	} else if r == p.DecimalMark {
		bad("separator", "%q is also the decimal_mark: numbers would be split", spec.Separator)
	} else {
		p.Separator = r
	}
	if layout, err := dateLayout(spec.DateFormat); err != nil {
		bad("date_format", "%v", err)
	} else {
		p.dateLayout = layout
	}
	switch spec.Quote {
	case "", "as-needed":
	case "always":
		p.QuoteAll = true
	default:
		bad("quote", `%q is not "as-needed" or "always"`, spec.Quote)
	}
	if spec.DueDays != nil {
		if *spec.DueDays < 0 || *spec.DueDays > 366 {
			bad("due_days", "%d is not between 0 and 366", *spec.DueDays)
		}
		p.DueDays = *spec.DueDays
	}
	if len(spec.Columns) == 0 {
		bad("columns", "no column")
	}
	var has = map[string]bool{}
	for i, c := range spec.Columns {
		key := fmt.Sprintf("columns[%d]", i)
		f, ok := fields[c.Field]
		switch {
		case !ok:
			bad(key+".field", "%q is not a field (%s)", c.Field, strings.Join(sortedKeys(fields)[1:], ", "))
		case f.setting == "account_code" && spec.AccountCode == "":
			bad("account_code", "empty, and column %d (%s) carries it", i, c.Header)
		case f.setting == "tax_type" && spec.TaxType == "":
			bad("tax_type", "empty, and column %d (%s) carries it", i, c.Header)
		}
		if strings.TrimSpace(c.Header) == "" {
			bad(key+".header", "empty")
		}
		has[c.Field] = true
	}
	// A draft must say so in the file: in a status or reference column, or else in
	// every description.
	p.draftInDescription = !has["status"] && !has["reference"]
	if len(spec.Columns) > 0 && p.draftInDescription && !has["description"] && !has["invoice_description"] {
		bad("columns", "none of status, reference, description or invoice_description: a draft could not say DRAFT")
	}
	return p, errors.Join(errs...)
}

// inherit fills the keys spec leaves empty from base.
func inherit(spec, base ProfileSpec) ProfileSpec {
	fill := func(s *string, b string) {
		if *s == "" {
			*s = b
		}
	}
	fill(&spec.Separator, base.Separator)
	fill(&spec.DecimalMark, base.DecimalMark)
	fill(&spec.DateFormat, base.DateFormat)
	fill(&spec.Quote, base.Quote)
	fill(&spec.AccountCode, base.AccountCode)
	fill(&spec.TaxType, base.TaxType)
	fill(&spec.InvoicePrefix, base.InvoicePrefix)
	if spec.BOM == nil {
		spec.BOM = base.BOM
	}
	if spec.DueDays == nil {
		spec.DueDays = base.DueDays
	}
	if len(spec.Columns) == 0 {
		spec.Columns = slices.Clone(base.Columns)
	}
	return spec
}

// dateLayout turns a date format people write (dd-mm-yyyy) into a Go layout.
func dateLayout(format string) (string, error) {
	tokens := map[string]string{"yyyy": "2006", "mm": "01", "dd": "02"}
	var layout strings.Builder
	seen := map[string]bool{}
	for rest := format; rest != ""; {
		matched := false
		for tok, goTok := range tokens {
			if strings.HasPrefix(rest, tok) {
				if seen[tok] {
					return "", fmt.Errorf("%q has %s twice", format, tok)
				}
				seen[tok], matched = true, true
				layout.WriteString(goTok)
				rest = rest[len(tok):]
				break
			}
		}
		if matched {
			continue
		}
		if !strings.ContainsRune("-/. ", rune(rest[0])) {
			return "", fmt.Errorf("%q is not yyyy, mm and dd separated by -, /, . or a space", format)
		}
		layout.WriteByte(rest[0])
		rest = rest[1:]
	}
	if len(seen) != len(tokens) {
		return "", fmt.Errorf("%q is not yyyy, mm and dd separated by -, /, . or a space", format)
	}
	return layout.String(), nil
}
