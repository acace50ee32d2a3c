package billing

import (
	"strings"

	"github.com/shopspring/decimal"
)

// minorUnits is the number of decimals of each currency's minor unit (ISO 4217):
// the currencies Partner Center's price lists carry, and a few without decimals so
// that a yen is never billed in hundredths.
var minorUnits = map[string]int32{
	"AUD": 2, "BGN": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CZK": 2, "DKK": 2, "EUR": 2,
	"GBP": 2, "HKD": 2, "HUF": 2, "INR": 2, "MXN": 2, "NOK": 2, "NZD": 2, "PLN": 2,
	"RON": 2, "SEK": 2, "SGD": 2, "TRY": 2, "USD": 2, "ZAR": 2,
	"ISK": 0, "JPY": 0, "KRW": 0, "TWD": 2,
}

// MinorUnit is the number of decimals amounts in a currency are rounded to; ok is
// false for a currency billing does not know, which is then billed not at all rather
// than at a guessed precision.
func MinorUnit(currency string) (places int32, ok bool) {
	places, ok = minorUnits[strings.ToUpper(currency)]
	return places, ok
}

// unitPlaces is the precision unit prices are worked out to.
const unitPlaces = 6

// quotientPlaces bounds the one division of a line (by the days of a month or a
// term) before its single rounding. Quantities are whole seat-days, prices have at
// most 6 decimals and divisors at most 1,096 days, so a quotient that is not exact
// lies further than 10⁻¹² from any half of a minor unit: 16 places never move a
// rounding.
const quotientPlaces = 16

// lineAmount is seatDays × unit ÷ days, rounded once, half away from zero, to the
// currency's minor unit.
func lineAmount(seatDays int64, unit decimal.Decimal, days int, places int32) Money {
	exact := decimal.NewFromInt(seatDays).Mul(unit).DivRound(decimal.NewFromInt(int64(days)), quotientPlaces)
	return Money{exact.Round(places), places}
}
