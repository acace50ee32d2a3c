package noticetext

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/iso"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/shopspring/decimal"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func amount(s string) *decimal.Decimal {
	d := decimal.RequireFromString(s)
	return &d
}

func dayPtr(y int, m time.Month, d int) *time.Time {
	t := day(y, m, d)
	return &t
}

var partner = notices.Partner{
	Name:      "Cloudwijs B.V.",
	Address:   []string{"Stationsplein 12", "3511 ED Utrecht", "Nederland"},
	LogoURL:   "https://cloudwijs.example/logo.png",
	Signature: []string{"Team Klantbeheer", "Cloudwijs B.V."},
	Email:     "klantbeheer@cloudwijs.example",
	Phone:     "+31 30 123 45 67",
}

var proposals = []notices.Proposal{
	{Product: "Microsoft 365 Business Premium", PartNumber: "CFQ7TTC0LCHC", Finding: "unassigned-seats", Seats: 3,
		MonthlySaving: amount("66.00"), ActBy: dayPtr(2026, time.December, 15)},
	{Product: "Microsoft 365 E3", PartNumber: "CFQ7TTC0LF8Q", Finding: "inactive-user", Seats: 1, MonthlySaving: amount("36.00")},
	{Product: "Exchange Online (Plan 1)", PartNumber: "CFQ7TTC0LH16", Finding: "licensed-shared-mailbox", Seats: 2},
	{Product: "Visio Plan 2", PartNumber: "CFQ7TTC0HD33", Finding: "some-new-kind", Seats: 1, MonthlySaving: amount("12.50")},
}

// samples are one letter of each kind, in the shapes notices take: a rise, a fall,
// a retired and an added offer, proposals with and without a saving or a last day,
// unknown prices, and a name that HTML must escape.
func samples(customer, locale string, seats int) []notices.Letter {
	return []notices.Letter{
		{Kind: notices.PriceChange, Customer: customer, Locale: locale, Currency: "EUR",
			Reaches: day(2026, time.December, 1), Respond: day(2026, time.November, 24),
			Prices: []notices.PriceLine{
				{Product: "Microsoft 365 Business Premium", PartNumber: "CFQ7TTC0LCHC", Term: "P1Y", Seats: seats,
					Old: amount("22.00"), New: amount("24.20"), Reaches: day(2026, time.December, 1), MonthlyChange: amount(decimal.NewFromInt(int64(seats)).Mul(decimal.RequireFromString("2.20")).String())},
				{Product: "Microsoft Teams Essentials", PartNumber: "CFQ7TTC0RL18", Term: "P1M", Seats: 2,
					Old: amount("4.00"), New: amount("3.60"), Reaches: day(2027, time.January, 1), MonthlyChange: amount("-0.80")},
				{Product: "Office 365 E1 (no Teams)", PartNumber: "CFQ7TTC0RQRK", Term: "P1Y", Seats: 1,
					Old: amount("9.75"), Reaches: day(2027, time.February, 1)},
				{Product: "Microsoft 365 Copilot Business", PartNumber: "CFQ7TTC0TCBA", Term: "P1Y", Seats: 5,
					New: amount("1234.50"), Reaches: day(2026, time.December, 1)},
			},
			Proposals: proposals[:3]},
		{Kind: notices.TermsChange, Customer: customer, Locale: locale, Currency: "EUR", Reaches: day(2027, time.January, 1),
			Announcement: announcement(locale)},
		{Kind: notices.Renewal, Customer: customer, Locale: locale, Currency: "EUR",
			Reaches: day(2026, time.December, 1), Respond: day(2026, time.November, 30),
			Subscription: &notices.Subscription{Product: "Microsoft 365 E3", PartNumber: "CFQ7TTC0LF8Q", Term: "P1Y",
				Seats: seats, Assigned: seats - 2, Idle: 2, Renews: day(2026, time.December, 1), Price: amount("36.00"), NewPrice: amount("39.60")},
			Proposals: proposals[1:2]},
		{Kind: notices.Expiring, Customer: customer, Locale: locale, Currency: "EUR", Reaches: day(2026, time.December, 1),
			Subscription: &notices.Subscription{Product: "Microsoft 365 Business Basic", PartNumber: "CFQ7TTC0LH18", Term: "P1Y",
				Seats: seats, Assigned: 1, Idle: seats - 1, Renews: day(2026, time.December, 1)}},
		{Kind: notices.Digest, Customer: customer, Locale: locale, Currency: "EUR", Month: day(2026, time.December, 1),
			Respond: day(2026, time.December, 31), Proposals: proposals},
	}
}

// announcement is a partner's announcement in the customer's language; the Dutch one
// carries markup that HTML must escape.
func announcement(locale string) *notices.Announcement {
	text := map[string][2]string{
		"en": {"New terms of service from 2027", "From 1 January 2027 invoices are due within 14 days.\n\nThe full terms are attached."},
		"nl": {"Nieuwe voorwaarden <2027> & meer", "Eerste alinea met <b>tekst</b> & zo.\n\nTweede alinea."},
		"de": {"Neue Geschäftsbedingungen ab 2027", "Ab dem 1. Januar 2027 sind Rechnungen innerhalb von 14 Tagen fällig.\n\nDie vollständigen Bedingungen finden Sie im Anhang."},
		"fr": {"Nouvelles conditions générales à partir de 2027", "À partir du 1er janvier 2027, les factures sont payables sous 14 jours.\n\nLes conditions complètes sont jointes."},
		"it": {"Nuove condizioni generali dal 2027", "Dal 1° gennaio 2027 le fatture sono da pagare entro 14 giorni.\n\nLe condizioni complete sono allegate."},
		"hr": {"Novi opći uvjeti od 2027.", "Od 1. siječnja 2027. računi dospijevaju u roku od 14 dana.\n\nPotpuni uvjeti nalaze se u privitku."},
	}
	t, ok := text[locale]
	if !ok {
		t = text["en"]
	}
	return &notices.Announcement{Title: t[0], Body: t[1], Effective: day(2027, time.January, 1)}
}

func newRenderer(t testing.TB, w io.Writer) *Renderer {
	t.Helper()
	if w == nil {
		w = io.Discard
	}
	r, err := New(slog.New(slog.NewTextHandler(w, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Every kind in every language matches its golden file; -update rewrites them.
func TestGolden(t *testing.T) {
	r := newRenderer(t, nil)
	customers := map[string]struct {
		name  string
		seats int
	}{
		"en": {"Bakker & Zonen <BV>", 12}, "nl": {"Bakker & Zonen <BV>", 12}, "de": {"Müller & Söhne GmbH", 12},
		"fr": {"Lefèvre & Fils SARL", 12}, "it": {"Rossi & Figli S.r.l.", 12}, "hr": {"Kovačić i Đurđević d.o.o.", 21},
	}
	for _, lang := range iso.Locales {
		c := customers[lang]
		for _, l := range samples(c.name, lang, c.seats) {
			t.Run(l.Kind+"."+lang, func(t *testing.T) {
				got, err := r.Render(l, partner)
				if err != nil {
					t.Fatal(err)
				}
				if got.Language != lang {
					t.Errorf("language %q, want %q", got.Language, lang)
				}
				out := "Subject: " + got.Subject + "\n\n" + got.Text + "\n" + strings.Repeat("=", 72) + "\n\n" + got.HTML
				golden := filepath.Join("testdata", "golden", l.Kind+"."+lang)
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update)", err)
				}
				if out != string(want) {
					t.Errorf("differs from %s (go test -update rewrites it):\n%s", golden, out)
				}
				for _, part := range []string{got.Subject, got.Text, got.HTML} {
					for _, bad := range []string{"<nil>", "%!", "<no value>", "finding_", "notice_"} {
						if strings.Contains(part, bad) {
							t.Errorf("rendered %q in:\n%s", bad, part)
						}
					}
				}
				checkHTML(t, got.HTML)
			})
		}
	}
}

// checkHTML parses the HTML part as a mail client would and wants every element it
// opens closed again, in order, and a title.
func checkHTML(t *testing.T, doc string) {
	t.Helper()
	if _, err := html.Parse(strings.NewReader(doc)); err != nil {
		t.Fatalf("HTML does not parse: %v", err)
	}
	void := map[string]bool{"meta": true, "img": true, "br": true, "hr": true}
	var open []string
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("HTML: %v", z.Err())
			}
			if len(open) != 0 {
				t.Errorf("HTML leaves %v open", open)
			}
			return
		case html.StartTagToken:
			name, _ := z.TagName()
			if !void[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				t.Fatalf("HTML closes </%s> with %v open", name, open)
			}
			open = open[:len(open)-1]
		}
	}
}

func TestMoney(t *testing.T) {
	for _, c := range []struct{ amount, code, locale, want string }{
		{"1234.5", "EUR", "nl", "€\u00a01.234,50"},
		{"1234.5", "EUR", "nl-BE", "€\u00a01.234,50"},
		{"1234.5", "EUR", "de", "1.234,50\u00a0€"},
		// de-AT puts the symbol first in CLDR.
		{"1234.5", "EUR", "de-AT", "€\u00a01.234,50"},
		{"1234.5", "EUR", "en", "€1,234.50"},
		// en-GB and en-IE format as plain en does in the library's CLDR data (observed).
		{"1234.5", "EUR", "en-GB", "€1,234.50"},
		{"1234.5", "EUR", "en-IE", "€1,234.50"},
		// French groups with U+202F, the narrow no-break space.
		{"1234.5", "EUR", "fr", "1\u202f234,50\u00a0€"},
		// Swiss French keeps the narrow space and takes the point.
		{"1234.5", "CHF", "fr-CH", "1\u202f234.50\u00a0CHF"},
		// CLDR's Italian does not group four-digit amounts.
		{"1234.5", "EUR", "it", "1234,50\u00a0€"},
		{"1234.5", "EUR", "hr", "1.234,50\u00a0€"},
		// Croatian negatives take U+2212, the minus sign.
		{"-1234.5", "EUR", "hr", "\u22121.234,50\u00a0€"},
		{"-0.8", "EUR", "nl", "€\u00a0-0,80"},
		// A region CLDR does not know formats as its language.
		{"1234.5", "EUR", "nl-DE", "€\u00a01.234,50"},
		// Currencies keep their own digits.
		{"1234", "JPY", "en", "¥1,234"},
	} {
		got, err := Money(decimal.RequireFromString(c.amount), c.code, c.locale)
		if err != nil || got != c.want {
			t.Errorf("Money(%s, %s, %s) = %q, %v; want %q", c.amount, c.code, c.locale, got, err, c.want)
		}
	}
	if _, err := Money(decimal.NewFromInt(1), "XYZ", "nl"); err == nil {
		t.Error("an unknown currency formatted without an error")
	}
}

func TestDate(t *testing.T) {
	d := time.Date(2026, time.December, 1, 23, 30, 0, 0, time.FixedZone("UTC-5", -5*3600)) // 2 December in UTC
	for _, c := range []struct{ locale, want string }{
		{"nl", "2 december 2026"},
		{"de", "2. Dezember 2026"},
		{"de-AT", "2. Dezember 2026"},
		{"hr", "2. prosinca 2026."},
		{"en", "December 2, 2026"},
		{"en-GB", "2 December 2026"},
		{"fr-CH", "2 décembre 2026"},
		{"it", "2 dicembre 2026"},
		{"nl-DE", "2 december 2026"},
	} {
		if got := Date(d, c.locale); got != c.want {
			t.Errorf("Date(%s) = %q, want %q", c.locale, got, c.want)
		}
	}
	for locale, want := range map[string]string{"nl": "1 december 2026", "de": "1. Dezember 2026", "hr": "1. prosinca 2026."} {
		if got := Date(day(2026, time.December, 1), locale); got != want {
			t.Errorf("Date(2026-12-01, %s) = %q, want %q", locale, got, want)
		}
	}
}

// Croatian counts licences in three forms: 1 licenca, 2 licence, 5 licenci, 21 licenca.
func TestCroatianPlurals(t *testing.T) {
	r := newRenderer(t, nil)
	for n, want := range map[int]string{1: "1 licenca", 2: "2 licence", 5: "5 licenci", 11: "11 licenci", 12: "12 licenci", 21: "21 licenca", 22: "22 licence"} {
		l := samples("Kovačić d.o.o.", "hr", n)[3]
		got, err := r.Render(l, partner)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Text, " "+want+",") {
			t.Errorf("%d seats: no %q in:\n%s", n, want, got.Text)
		}
	}
}

// A language without templates gets English, and the log says which locale and kind.
func TestFallbackToEnglish(t *testing.T) {
	for _, locale := range []string{"es", "pt-BR"} {
		var log bytes.Buffer
		r := newRenderer(t, &log)
		l := samples("Bakker & Zonen <BV>", locale, 12)[0]
		got, err := r.Render(l, partner)
		if err != nil {
			t.Fatal(err)
		}
		if got.Language != "en" || !strings.HasPrefix(got.Text, "Dear ") || !strings.Contains(got.Text, "€22.00") {
			t.Errorf("%s: language %q, text:\n%s", locale, got.Language, got.Text)
		}
		if s := log.String(); !strings.Contains(s, "locale="+locale) || !strings.Contains(s, "kind=price-change") {
			t.Errorf("%s: log %q", locale, s)
		}
	}
}

// A region picks its language's templates and formats amounts and days as the region does.
func TestRegion(t *testing.T) {
	r := newRenderer(t, nil)
	got, err := r.Render(samples("Huber GmbH", "de_AT", 12)[0], partner)
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "de" || !strings.Contains(got.Text, "€\u00a022,00") || !strings.Contains(got.Text, "1. Dezember 2026") {
		t.Errorf("de-AT: %q\n%s", got.Language, got.Text)
	}
}

// The customer's name is escaped in HTML and left as written in the subject and text.
func TestEscaping(t *testing.T) {
	r := newRenderer(t, nil)
	for _, l := range samples("Bakker & Zonen <BV>", "nl", 12) {
		got, err := r.Render(l, partner)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.HTML, "Bakker &amp; Zonen &lt;BV&gt;") || strings.Contains(got.HTML, "<BV>") {
			t.Errorf("%s: HTML does not escape the name", l.Kind)
		}
		if !strings.Contains(got.Text, "Bakker & Zonen <BV>") || strings.Contains(got.Text, "&amp;") {
			t.Errorf("%s: text is not plain", l.Kind)
		}
		if l.Kind == notices.TermsChange && strings.Contains(got.HTML, "<b>tekst</b>") {
			t.Error("the announcement's body reached HTML unescaped")
		}
	}
}

// Nil amounts read as not known; a letter without logo has none.
func TestUnknownsAndLogo(t *testing.T) {
	r := newRenderer(t, nil)
	l := samples("Jansen BV", "nl", 4)[2]
	l.Subscription.Price, l.Subscription.NewPrice = nil, nil
	p := partner
	p.LogoURL = ""
	got, err := r.Render(l, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "nog niet bekend") || strings.Contains(got.HTML, "<img") {
		t.Errorf("text:\n%s\nHTML:\n%s", got.Text, got.HTML)
	}
}

func TestErrors(t *testing.T) {
	r := newRenderer(t, nil)
	l := samples("Jansen BV", "nl", 4)[0]
	l.Kind = "postcard"
	if _, err := r.Render(l, partner); err == nil || !strings.Contains(err.Error(), "postcard") || !strings.Contains(err.Error(), "nl") {
		t.Errorf("unknown kind: %v", err)
	}
	l = samples("Jansen BV", "de", 4)[0]
	l.Currency = "XYZ"
	if _, err := r.Render(l, partner); err == nil || !strings.Contains(err.Error(), "price-change") || !strings.Contains(err.Error(), " de") {
		t.Errorf("template error: %v", err)
	}
}

// One renderer serves many notices at once (go test -race).
func TestConcurrentRender(t *testing.T) {
	r := newRenderer(t, nil)
	want, err := r.Render(samples("Jansen BV", "de-AT", 3)[0], partner)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for _, lang := range iso.Locales {
				for _, l := range samples("Jansen BV", lang, 3) {
					if _, err := r.Render(l, partner); err != nil {
						errs <- err
						return
					}
				}
			}
			got, err := r.Render(samples("Jansen BV", "de-AT", 3)[0], partner)
			if err == nil && got != want {
				err = errors.New("a notice rendered differently under load")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	r := newRenderer(b, nil)
	l := samples("Bakker & Zonen <BV>", "nl", 12)[0]
	l.Prices = append(l.Prices, l.Prices[0])
	l.Proposals = nil
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render(l, partner); err != nil {
			b.Fatal(err)
		}
	}
}
