// Package money holds amounts of money as finance reads them: decimal, rounded once,
// half-up, to the cent, and written out with every decimal — "597.40", never 597.4 or
// a float — in JSON as in CSV.
package money

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"
)

// Places is the number of decimals amounts are rounded to and written with: the
// minor unit of the currencies seatledger bills in (EUR, GBP, CHF, DKK, NOK, SEK, USD).
const Places = 2

// Amount is a rounded sum of money. Its currency travels beside it.
type Amount struct{ decimal.Decimal }

// Of rounds d once, half-up, to the cent.
func Of(d decimal.Decimal) *Amount { return &Amount{d.Round(Places)} }

// String writes the amount with every decimal.
func (a Amount) String() string { return a.StringFixed(Places) }

// Format makes %s and %v write String: the embedded decimal's own Format, which fmt
// would otherwise prefer, drops the cents' trailing zeros ("597.4").
func (a Amount) Format(f fmt.State, verb rune) {
	if verb == 's' || verb == 'v' {
		_, _ = io.WriteString(f, a.String())
		return
	}
	a.Decimal.Format(f, verb)
}

// MarshalJSON writes the amount as a string with every decimal ("597.40"), so that
// no reader turns it into a float.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(`"` + a.String() + `"`), nil }

// UnmarshalJSON reads an amount written as a string or a number.
func (a *Amount) UnmarshalJSON(b []byte) error {
	return a.Decimal.UnmarshalJSON(bytes.TrimSpace(b))
}

// ParsePlain reads a number as people write one in a price list or contract file:
// digits, an optional leading minus and an optional decimal point. Exponents (1e3),
// currency signs, thousands separators and decimal commas are refused, so that no
// typo or spreadsheet export silently becomes another amount.
func ParsePlain(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if !plainNumber.MatchString(s) {
		hint := "write it as 12.50: digits and a decimal point, no currency sign, thousands separator or exponent"
		if strings.Count(s, ",") == 1 && plainNumber.MatchString(strings.Replace(s, ",", ".", 1)) {
			hint = "write " + strings.Replace(s, ",", ".", 1) + ": a decimal point, not a comma"
		}
		return decimal.Zero, fmt.Errorf("%q is not a plain number (%s)", s, hint)
	}
	return decimal.NewFromString(s)
}

var plainNumber = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// ParseDecimalComma is ParsePlain for files that write decimals with a comma
// (21,63), as semicolon-separated spreadsheets do; a decimal point is taken too.
func ParseDecimalComma(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		if d, err := ParsePlain(strings.Replace(s, ",", ".", 1)); err == nil {
			return d, nil
		}
	}
	return ParsePlain(s)
}
