package export

import (
	"bytes"
	"strings"
	"testing"
)

func TestBuiltinProfilesParse(t *testing.T) {
	for _, name := range BuiltinNames() {
		if _, err := parseProfile(*builtinSpecs[name], false); err != nil {
			t.Errorf("built-in profile %s: %v", name, err)
		}
	}
	if got := strings.Join(BuiltinNames(), " "); got != "default excel-eu xero" {
		t.Errorf("built-in profiles %s", got)
	}
}

// TestParseProfileErrors checks that every mistake in a profile definition is
// reported, each naming its key.
func TestParseProfileErrors(t *testing.T) {
	cols := []Column{{"Customer", "customer"}, {"Amount", "amount"}, {"Description", "description"}}
	for _, c := range []struct {
		name string
		spec ProfileSpec
		want []string
	}{
		{"bad name", ProfileSpec{Name: "My Profile", Columns: cols},
			[]string{`export profile "My Profile": name: "My Profile" is not a profile name`}},
		{"built-in name", ProfileSpec{Name: "xero"},
			[]string{`name: "xero" is a built-in profile: give yours another name and base: xero`}},
		{"unknown base", ProfileSpec{Name: "sage", Base: "sage50"},
			[]string{`base: "sage50" is not a built-in profile (default, excel-eu, xero)`}},
		{"separator", ProfileSpec{Name: "p", Separator: "||"}, []string{`separator: "||" is not one character`}},
		{"quote as separator", ProfileSpec{Name: "p", Separator: `"`}, []string{`separator: "\"" is not one character`}},
		{"separator is the decimal mark", ProfileSpec{Name: "p", Separator: ",", DecimalMark: ","},
			[]string{`separator: "," is also the decimal_mark`}},
		{"decimal mark", ProfileSpec{Name: "p", DecimalMark: "·"}, []string{`decimal_mark: "·" is not "." or ","`}},
		{"date format", ProfileSpec{Name: "p", DateFormat: "dd-mm-yy"},
			[]string{`date_format: "dd-mm-yy" is not yyyy, mm and dd separated by -, /, . or a space`}},
		{"date format twice", ProfileSpec{Name: "p", DateFormat: "dd-mm-dd"}, []string{`date_format: "dd-mm-dd" has dd twice`}},
		{"Go layout", ProfileSpec{Name: "p", DateFormat: "2006-01-02"}, []string{`date_format: "2006-01-02" is not yyyy, mm and dd`}},
		{"quote", ProfileSpec{Name: "p", Quote: "sometimes"}, []string{`quote: "sometimes" is not "as-needed" or "always"`}},
		{"due days", ProfileSpec{Name: "p", Base: "xero", DueDays: ptr(-1)}, []string{"due_days: -1 is not between 0 and 366"}},
		{"unknown field", ProfileSpec{Name: "p", Columns: []Column{{"Customer", "customer"}, {"Amount", "amout"}}},
			[]string{`columns[1].field: "amout" is not a field (account_code, amount,`}},
		{"empty header", ProfileSpec{Name: "p", Columns: []Column{{" ", "description"}}}, []string{"columns[0].header: empty"}},
		{"account code needed", ProfileSpec{Name: "p", Columns: []Column{{"Account", "account_code"}, {"Tax", "tax_type"}, {"Text", "description"}}},
			[]string{"account_code: empty, and column 0 (Account) carries it", "tax_type: empty, and column 1 (Tax) carries it"}},
		{"no way to say DRAFT", ProfileSpec{Name: "p", Columns: []Column{{"Customer", "customer"}, {"Amount", "amount"}}},
			[]string{"columns: none of status, reference, description or invoice_description: a draft could not say DRAFT"}},
		{"every problem at once", ProfileSpec{Name: "p", Separator: "ab", DecimalMark: ";", DateFormat: "yyyy", Columns: []Column{{"X", "nope"}}},
			[]string{"separator:", "decimal_mark:", "date_format:", "columns[0].field:"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseProfile(c.spec)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nwant it to say %q", err, w)
				}
			}
		})
	}
}

// TestConfiguredProfile defines a profile the way the configuration does: based on
// a built-in, with its own separator, quoting, date format and columns.
func TestConfiguredProfile(t *testing.T) {
	p, err := ParseProfile(ProfileSpec{
		Name: "psa-tab", Separator: "tab", DecimalMark: ",", DateFormat: "dd.mm.yyyy", Quote: "always",
		Columns: []Column{{"Debtor", "external_ref"}, {"Item", "sku"}, {"Text", "description"}, {"Qty", "quantity"}, {"Net", "amount"}, {"Until", "to"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, november(StatusDraft), CSV, p); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\r\n")
	want := []string{
		`"Debtor"	"Item"	"Text"	"Qty"	"Net"	"Until"`,
		`"DEB-10042"	"SPE_E3"	"DRAFT – Microsoft 365 E3, annual term billed monthly, 1–30 Nov 2026"	"12,666667"	"456,00"	"30.11.2026"`,
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d\n%s\nwant\n%s", i+1, lines[i], w)
		}
	}

	// Based on xero with the partner's own ledger: the template stays, the settings change.
	x, err := ParseProfile(ProfileSpec{Name: "xero-nl", Base: "xero", AccountCode: "8000", TaxType: "BTW 21%", InvoicePrefix: "CSP-", DueDays: ptr(14)})
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := Write(&buf, november(StatusApproved), CSV, x); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, buf.Bytes(), ',')
	if got := column(t, rows, "*AccountCode")[0] + "|" + column(t, rows, "*TaxType")[0] + "|" + column(t, rows, "*InvoiceNumber")[0] + "|" + column(t, rows, "*DueDate")[0]; got != "8000|BTW 21%|CSP-2026-11-0002|15/12/2026" {
		t.Errorf("account, tax, invoice number, due date: %s", got)
	}

	if _, err := Lookup("xero-nl", []Profile{p, x}); err != nil {
		t.Error(err)
	}
	if _, err := Lookup("sage", []Profile{p, x}); err == nil || !strings.Contains(err.Error(), "(default, excel-eu, xero, psa-tab, xero-nl)") {
		t.Errorf("Lookup of an unknown profile: %v", err)
	}
	if err := Write(&buf, november(StatusApproved), CSV, Profile{Name: "hand-made"}); err == nil {
		t.Error("a profile not made by ParseProfile was used")
	}
}
