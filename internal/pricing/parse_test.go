package pricing

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/problems"
)

const header = `ProductTitle,ProductId,SkuId,SkuTitle,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,ERP Price` + "\n"

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseDate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // "" for open
	}{
		{"2/1/2019 12:00:00 AM", "2019-02-01"},
		{"12/31/2026 11:59:59 PM", "2026-12-31"},
		{"2/1/2023 0:00", "2023-02-01"},
		{"2023-02-01", "2023-02-01"},
		{"2023-02-01T00:00:00Z", "2023-02-01"},
		{"2023-02-01T00:00:00", "2023-02-01"},
		{"1/1/1753 12:00:00 AM", ""},
		{"12/31/9999 11:59:59 PM", ""},
		{"9999-12-31", ""},
	} {
		got, open, err := ParseDate(c.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", c.in, err)
			continue
		}
		if c.want == "" {
			if !open {
				t.Errorf("ParseDate(%q) = %v, want open", c.in, got)
			}
			continue
		}
		if open || !day(got).Equal(date(c.want)) {
			t.Errorf("ParseDate(%q) = %v (open %v), want %s", c.in, got, open, c.want)
		}
	}
	if _, _, err := ParseDate("31.01.2023"); err == nil {
		t.Error("ParseDate accepted 31.01.2023")
	}
}

func TestParseCSVRows(t *testing.T) {
	for _, c := range []struct {
		name       string
		in         string
		check      func(t *testing.T, l List)
		wantErrors []string // FILE:LINE: column: problem, as printed
	}{
		{
			name: "curly quote closing the header and a blank after a quote",
			in:   strings.Replace(header, "ERP Price\n", "\"ERP Price\u201c\n", 1) + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,,478.80\n",
			check: func(t *testing.T, l List) {
				p := l.Prices()[0]
				if p.ERPPrice == nil || p.ERPPrice.String() != "478.8" || p.UnitPrice.String() != "431.28" {
					t.Errorf("prices %+v", p)
				}
			},
		},
		{
			name: "blank after a closing quote in the header",
			in:   strings.Replace(header, "Currency,", `"Currency"  ,`, 1) + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,,\n",
			check: func(t *testing.T, l List) {
				if l.Prices()[0].Currency != "EUR" || l.Prices()[0].ERPPrice != nil {
					t.Errorf("price %+v", l.Prices()[0])
				}
			},
		},
		{
			name: "segment absent is commercial, billing plan lower-case, placeholder dates open",
			in:   header + "E3,CFQ7TTC0LFLX,0001,E3,P1M,Monthly,NL,EUR,43.128,,,1/1/1753 12:00:00 AM,12/31/9999 11:59:59 PM,\n",
			check: func(t *testing.T, l List) {
				p := l.Prices()[0]
				if p.Segment != "commercial" || p.BillingPlan != "monthly" || !p.From.IsZero() || p.To != nil || p.UnitPrice.String() != "43.128" {
					t.Errorf("price %+v", p)
				}
				if p.Source != "in.csv:2" {
					t.Errorf("source %q", p.Source)
				}
			},
		},
		{
			name: "segment present, several markets and currencies, ISO dates",
			in: "Segment," + strings.ReplaceAll(header, "\n", "") + "\n" +
				"Education,E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,100,,,2023-02-01T00:00:00Z,,\n" +
				"Commercial,E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,GB,GBP,90,,,2023-02-01,2023-12-31,\n",
			check: func(t *testing.T, l List) {
				if l.Len() != 2 || len(l.Markets) != 2 || l.Markets[0] != (Market{"GB", "GBP"}) {
					t.Fatalf("list %+v", l)
				}
				gb, nl := l.Prices()[0], l.Prices()[1]
				if gb.Segment != "commercial" || nl.Segment != "education" || gb.To == nil || !gb.To.Equal(date("2023-12-31")) {
					t.Errorf("prices %+v %+v", gb, nl)
				}
			},
		},
		{
			name: "tiers are separate keys",
			in: header + "Tiered,CFQ7TTC0LH0Z,0001,T,P1Y,Annual,NL,EUR,10,1,2400,2/1/2023 0:00,,\n" +
				"Tiered,CFQ7TTC0LH0Z,0001,T,P1Y,Annual,NL,EUR,9.5,2401,,2/1/2023 0:00,,\n",
			check: func(t *testing.T, l List) {
				if l.Len() != 2 || l.Overridden != 0 || l.Prices()[0].TierMin != 1 || l.Prices()[0].TierMax != 2400 || l.Prices()[1].TierMin != 2401 || l.Prices()[1].TierMax != 0 {
					t.Errorf("tiers %+v", l.Prices())
				}
			},
		},
		{
			name: "overlapping duplicates resolve to the latest start",
			in: header + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,400,,,2/1/2019 12:00:00 AM,,\n" +
				"E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,12/31/9999 0:00,\n" +
				"E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,420,,,4/1/2023 0:00,,\n" +
				"E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,425,,,4/1/2023 0:00,,\n",
			check: func(t *testing.T, l List) {
				if l.Overridden != 3 || l.Len() != 3 {
					t.Fatalf("overridden %d, prices %+v", l.Overridden, l.Prices())
				}
				if !l.Prices()[0].To.Equal(date("2023-01-31")) || !l.Prices()[1].To.Equal(date("2023-03-31")) {
					t.Errorf("ranges %v %v", *l.Prices()[0].To, *l.Prices()[1].To)
				}
				last := l.Prices()[2]
				if last.UnitPrice.String() != "425" || last.Source != "in.csv:5" || last.To != nil {
					t.Errorf("latest %+v", last)
				}
				if !l.Effective[Market{"NL", "EUR"}].Equal(date("2023-04-01")) {
					t.Errorf("effective %v", l.Effective)
				}
			},
		},
		{
			name: "end at midnight is the day before, any other end time its own day",
			in: header + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,400,,,2/1/2019 12:00:00 AM,2/1/2023 0:00,\n" +
				"E3,CFQ7TTC0LFLX,0001,E3,P1M,Monthly,NL,EUR,40,,,2/1/2019 12:00:00 AM,2/4/2021 8:35:31 PM,\n",
			check: func(t *testing.T, l List) {
				if !l.Prices()[0].To.Equal(date("2021-02-04")) || !l.Prices()[1].To.Equal(date("2023-01-31")) {
					t.Errorf("ends %v %v", *l.Prices()[0].To, *l.Prices()[1].To)
				}
			},
		},
		{
			name: "broken rows name file, line and column",
			in: header + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,,\n" +
				"E3,CFQ7TTC0LFLX,0001,E3,P2Y,Annual,NL,EUR,1e3,,,2/1/2023 0:00,,\n" +
				"E3,,0001,E3,P1Y,Annual,NL,EUR,1,,,someday,,\n",
			wantErrors: []string{
				"in.csv:3: TermDuration: \"P2Y\" is not a known term (P1M, P1Y, P3Y)",
				"in.csv:3: UnitPrice: \"1e3\" is not a plain number",
				"in.csv:4: ProductId: \"\" is not a Partner Center ProductId",
				"in.csv:4: EffectiveStartDate: \"someday\" is not a date",
			},
		},
		{
			name:       "missing column",
			in:         strings.Replace(header, "UnitPrice,", "Price,", 1) + "E3,CFQ7TTC0LFLX,0001,E3,P1Y,Annual,NL,EUR,431.28,,,2/1/2023 0:00,,\n",
			wantErrors: []string{"in.csv:1: UnitPrice: column missing from the header"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := ParseCSV(strings.NewReader(c.in), "in.csv")
			if c.wantErrors != nil {
				var list problems.List
				if !errors.As(err, &list) {
					t.Fatalf("err = %v, want problems", err)
				}
				if len(list) != len(c.wantErrors) {
					t.Fatalf("problems:\n%v", err)
				}
				for i, want := range c.wantErrors {
					if !strings.HasPrefix(list[i].String(), want) {
						t.Errorf("problem %d = %q, want %q...", i, list[i].String(), want)
					}
				}
				if l.Len() != 0 {
					t.Errorf("prices returned with problems: %+v", l.Prices())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, l)
		})
	}
}

func TestParseMicrosoftSample(t *testing.T) {
	const path = "../../../shared/data/partner-center-samples/pc-pricesheet-nce.csv"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, err := ParseCSV(f, "pc-pricesheet-nce.csv")
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 1 {
		t.Fatalf("prices %+v", l.Prices())
	}
	p := l.Prices()[0]
	if p.ProductID != "CFQ7TTC0HDK0" || p.SKUID != "0001" || p.TermDuration != "P1Y" || p.BillingPlan != "annual" || p.Market != "US" || p.Currency != "USD" ||
		p.UnitPrice.String() != "115.2" || p.ERPPrice == nil || p.ERPPrice.String() != "144" || !p.From.Equal(date("2019-02-01")) || !p.To.Equal(date("2021-02-04")) {
		t.Errorf("sample price %+v", p)
	}
	if p.Monthly().String() != "9.6" {
		t.Errorf("monthly %s", p.Monthly())
	}
}
