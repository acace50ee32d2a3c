package noticetext

import (
	"fmt"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/shopspring/decimal"
)

// view is what templates see: the letter, the partner, and the wording of amounts,
// days and counted nouns in the customer's locale.
type view struct {
	notices.Letter
	Partner notices.Partner
	// Subject is the rendered subject, for the HTML title; Lang the templates' language.
	Subject string
	Lang    string
	locale  string
	loc     *i18n.Localizer
	// amounts caches formatted amounts: the text and HTML parts show the same ones,
	// and the formatter builds a replacer per call.
	amounts map[string]string
}

// Money formats an amount (decimal.Decimal or *decimal.Decimal); a nil one is
// worded as not known.
func (v *view) Money(a any) (string, error) {
	var d decimal.Decimal
	switch a := a.(type) {
	case decimal.Decimal:
		d = a
	case *decimal.Decimal:
		if a == nil {
			return v.loc.Text("notice_unknown")
		}
		d = *a
	default:
		return "", fmt.Errorf("money: %T is not an amount", a)
	}
	key := d.String()
	if s, ok := v.amounts[key]; ok {
		return s, nil
	}
	s, err := Money(d, v.Currency, v.locale)
	if err != nil {
		return "", err
	}
	if v.amounts == nil {
		v.amounts = map[string]string{}
	}
	v.amounts[key] = s
	return s, nil
}

// Abs is an amount without its sign, for a change worded as a rise or a fall.
func (v *view) Abs(a *decimal.Decimal) *decimal.Decimal {
	if a == nil {
		return nil
	}
	d := a.Abs()
	return &d
}

// Rise says whether an amount is above zero.
func (v *view) Rise(a *decimal.Decimal) bool { return a != nil && a.IsPositive() }

// Fall says whether an amount is below zero.
func (v *view) Fall(a *decimal.Decimal) bool { return a != nil && a.IsNegative() }

// Date formats a day (time.Time or *time.Time) in the locale's long form.
func (v *view) Date(t any) (string, error) {
	switch t := t.(type) {
	case time.Time:
		return Date(t, v.locale), nil
	case *time.Time:
		if t == nil {
			return v.loc.Text("notice_unknown")
		}
		return Date(*t, v.locale), nil
	}
	return "", fmt.Errorf("date: %T is not a day", t)
}

// MonthYear names the month of a digest.
func (v *view) MonthYear() string { return monthYear(v.Month, v.locale) }

// N renders a counted noun ("notice_seat", "notice_user", ...).
func (v *view) N(id string, n int) (string, error) { return v.loc.Count(id, n) }

// Finding words an advice kind for the customer.
func (v *view) Finding(kind string) (string, error) {
	s, err := v.loc.Text("finding_" + kind)
	if err != nil {
		return v.loc.Text("finding_other")
	}
	return s, nil
}

// Term words a subscription term (P1M, P1Y, P3Y) as a duration; an unexpected one is
// shown as written.
func (v *view) Term(term string) (string, error) {
	var n int
	var unit string
	if _, err := fmt.Sscanf(term, "P%d%s", &n, &unit); err == nil {
		switch unit {
		case "M":
			return v.loc.Count("notice_month", n)
		case "Y":
			return v.loc.Count("notice_year", n)
		}
	}
	return term, nil
}

// Saving is the total monthly saving of the proposals whose saving is known, nil
// when none is.
func (v *view) Saving() *decimal.Decimal {
	var total *decimal.Decimal
	for _, p := range v.Proposals {
		if p.MonthlySaving == nil {
			continue
		}
		if total == nil {
			total = new(decimal.Decimal)
		}
		*total = total.Add(*p.MonthlySaving)
	}
	return total
}

// Paragraphs splits an announcement's body at its blank lines.
func (v *view) Paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Label is a localized word of the layout (notice_email, notice_phone).
func (v *view) Label(id string) (string, error) { return v.loc.Text(id) }
