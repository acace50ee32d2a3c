package customers

import (
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/problems"
)

func TestParseExampleFiles(t *testing.T) {
	for _, path := range []string{"../../config/customers.example.csv", "../../config/customers.example.yaml"} {
		got, err := ParseFile(path)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(got) < 2 {
			t.Fatalf("%s: %d customers", path, len(got))
		}
		first := got[0]
		if first.Name != "Bakkerij de Vries B.V." || first.TenantID != "6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70" || first.Currency != "EUR" ||
			first.Locale != "nl" || first.Market != "NL" || first.ExternalRef != "DEB-1001" {
			t.Errorf("%s: first customer = %+v", path, first)
		}
		want := []Contact{{Name: "Anna de Vries", Email: "anna@bakkerijdevries.nl", Locale: "nl"}, {Email: "boekhouding@bakkerijdevries.nl", Locale: "nl"}}
		if len(first.Contacts) != 2 || first.Contacts[0] != want[0] || first.Contacts[1] != want[1] {
			t.Errorf("%s: contacts = %+v, want %+v", path, first.Contacts, want)
		}
	}
}

func TestContactLocaleOverride(t *testing.T) {
	in := "name,tenant_id,currency,locale,market,contacts\n" +
		"A,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,eur,de-at,at,\"IT <IT@A.at> (en); b@a.at\"\n"
	got, err := ParseCSV(strings.NewReader(in), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	c := got[0]
	if c.Currency != "EUR" || c.Locale != "de-AT" || c.Market != "AT" {
		t.Errorf("normalised = %+v", c)
	}
	if c.Contacts[0] != (Contact{Name: "IT", Email: "it@a.at", Locale: "en"}) || c.Contacts[1].Locale != "de-AT" {
		t.Errorf("contacts = %+v", c.Contacts)
	}
}

func TestValidationNamesEveryProblem(t *testing.T) {
	cases := []struct {
		name, file, in string
		want           []string
	}{
		{
			name: "csv with bad rows among good ones",
			file: "c.csv",
			in: "name,tenant_id,primary_domain,currency,locale,market,external_ref,contacts\n" +
				"Good,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,good.nl,EUR,nl,NL,R1,a@good.nl\n" +
				"Bad tenant,not-a-guid,bad.nl,EUR,nl,NL,R2,\n" +
				"Bad money,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,x.nl,EURO,xx,NLD,R3,not-an-email\n" +
				"Duplicate,6F1D2A7E-3C4B-4E8F-9A1D-2B3C4D5E6F70,dup.nl,EUR,nl,NL,R1,\"a@dup.nl; A@dup.nl\"\n",
			want: []string{
				`c.csv:3: tenant_id: "not-a-guid" is not a GUID`,
				`c.csv:4: currency: "EURO" is not an ISO 4217 currency code`,
				`c.csv:4: locale: "xx" is not a supported locale`,
				`c.csv:4: market: "NLD" is not an ISO 3166 country code`,
				`c.csv:4: contacts: "not-an-email" is not a valid e-mail address`,
				`c.csv:5: tenant_id: 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70 appears again (first on line 2)`,
				`c.csv:5: external_ref: "R1" appears again (first on line 2)`,
				`c.csv:5: contacts: a@dup.nl is listed twice for this customer`,
			},
		},
		{
			name: "csv with a missing column",
			file: "c.csv",
			in:   "name,tenant_id,currency,locale\nA,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl\n",
			want: []string{`c.csv:1: market: column missing from the header`},
		},
		{
			name: "csv with an unknown column",
			file: "c.csv",
			in:   "name,tenant_id,currency,locale,market,vat\nA,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL,x\n",
			want: []string{`c.csv:1: vat: unknown column`},
		},
		{
			name: "yaml names the line of the bad value",
			file: "c.yaml",
			in: "customers:\n" +
				"  - name: A\n" +
				"    tenant_id: 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70\n" +
				"    currency: EUR\n" +
				"    locale: nl\n" +
				"    market: NL\n" +
				"  - name: B\n" +
				"    tenant_id: 0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d\n" +
				"    currency: XYZ\n" +
				"    locale: nl\n" +
				"    market: NL\n" +
				"    contacts:\n" +
				"      - email: broken@\n" +
				"        phone: 123\n",
			want: []string{
				`c.yaml:9: currency: "XYZ" is not an ISO 4217 currency code`,
				`c.yaml:13: contacts: "broken@" is not a valid e-mail address`,
				`c.yaml:14: contacts.phone: unknown field`,
			},
		},
		{
			name: "csv with a segment price lists do not use",
			file: "c.csv",
			in: "name,tenant_id,currency,locale,market,segment\n" +
				"A,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL,Education\n" +
				"B,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL,nonprofit\n",
			want: []string{`c.csv:3: segment: "nonprofit" is not a Partner Center price list segment (commercial, education, government, charity)`},
		},
		{
			name: "yaml with a segment price lists do not use",
			file: "c.yaml",
			in: "customers:\n" +
				"  - name: A\n" +
				"    tenant_id: 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70\n" +
				"    currency: EUR\n" +
				"    locale: nl\n" +
				"    market: NL\n" +
				"    segment: academic\n",
			want: []string{`c.yaml:7: segment: "academic" is not a Partner Center price list segment`},
		},
		{
			name: "yaml without a customers list",
			file: "c.yaml",
			in:   "- name: A\n",
			want: []string{`c.yaml:1: customers: the file must have a top-level "customers:" list`},
		},
		{
			name: "csv cut off in a quoted field",
			file: "c.csv",
			in:   "name,tenant_id,currency,locale,market\n\"A,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR",
			want: []string{`c.csv:2: column`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if strings.HasSuffix(tc.file, ".csv") {
				_, err = ParseCSV(strings.NewReader(tc.in), tc.file)
			} else {
				_, err = ParseYAML([]byte(tc.in), tc.file)
			}
			list, ok := err.(problems.List)
			if !ok {
				t.Fatalf("error = %v, want a problems.List", err)
			}
			if len(list) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(list), len(tc.want), err)
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(list[i].String(), want) {
					t.Errorf("problem %d:\n got %s\nwant %s", i, list[i], want)
				}
			}
		})
	}
}

func TestNamesAreUniqueInAFile(t *testing.T) {
	in := "name,tenant_id,currency,locale,market\n" +
		"Contoso,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL\n" +
		"CONTOSO,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL\n"
	_, err := ParseCSV(strings.NewReader(in), "c.csv")
	if err == nil || !strings.Contains(err.Error(), `c.csv:3: name: "CONTOSO" appears again (first on line 2)`) {
		t.Errorf("err = %v", err)
	}
}

// The segment is optional: absent or empty it is commercial; given, it is one of the
// price lists' segments in any case, kept lower-case as the price rows are.
func TestSegment(t *testing.T) {
	csv := "name,tenant_id,currency,locale,market,segment\n" +
		"School,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL,Education\n" +
		"Shop,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL,\n" +
		"Charity,3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4,EUR,nl,NL, CHARITY \n"
	got, err := ParseCSV(strings.NewReader(csv), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Segment != "education" || got[1].Segment != DefaultSegment || got[2].Segment != "charity" {
		t.Errorf("segments from CSV: %q, %q, %q", got[0].Segment, got[1].Segment, got[2].Segment)
	}
	without, err := ParseCSV(strings.NewReader("name,tenant_id,currency,locale,market\nShop,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL\n"), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	if without[0].Segment != DefaultSegment {
		t.Errorf("a file without the column: segment %q, want %q", without[0].Segment, DefaultSegment)
	}
	yml := "customers:\n" +
		"  - {name: Gov, tenant_id: 6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70, currency: EUR, locale: nl, market: NL, segment: Government}\n" +
		"  - {name: Shop, tenant_id: 0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d, currency: EUR, locale: nl, market: NL}\n"
	fromYAML, err := ParseYAML([]byte(yml), "c.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if fromYAML[0].Segment != "government" || fromYAML[1].Segment != DefaultSegment {
		t.Errorf("segments from YAML: %q, %q", fromYAML[0].Segment, fromYAML[1].Segment)
	}
	// A change of segment alone is a change of the customer.
	other := got[1]
	other.Segment = "education"
	if got[1].SameAs(other) {
		t.Error("customers differing only in segment are the same")
	}
}
