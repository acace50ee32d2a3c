package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/billing"
)

// marginLines are stored lines of a small month, as JSON (the store's form): Contoso
// in EUR with an E3 line, its adjustment and a Business Premium line of unknown cost;
// Fabrikam in USD with an E5 line and a credit correcting it; Adatum in EUR.
const marginLines = `[
 {"tenantId":"t-contoso","customer":"Contoso","currency":"EUR","skuPartNumber":"SPE_E3","kind":"monthly","quantity":"10","amount":"360.00","cost":"300.00","margin":"60.00"},
 {"tenantId":"t-contoso","customer":"Contoso","currency":"EUR","skuPartNumber":"SPE_E3","kind":"adjustment","quantity":"0.5","amount":"18.00","cost":"15.00","margin":"3.00"},
 {"tenantId":"t-contoso","customer":"Contoso","currency":"EUR","skuPartNumber":"O365_BUSINESS_PREMIUM","kind":"monthly","quantity":"5","amount":"110.50"},
 {"tenantId":"t-fabrikam","customer":"Fabrikam","currency":"USD","skuPartNumber":"SPE_E5","kind":"monthly","quantity":"3","amount":"171.00","cost":"136.80","margin":"34.20"},
 {"tenantId":"t-fabrikam","customer":"Fabrikam","currency":"USD","skuPartNumber":"SPE_E5","kind":"correction","quantity":"-1","amount":"-57.00","cost":"-45.60","margin":"-11.40"},
 {"tenantId":"t-adatum","customer":"Adatum","currency":"EUR","skuPartNumber":"SPE_E3","kind":"monthly","quantity":"2","amount":"72.33","cost":"60.01","margin":"12.32"}
]`

// The figures worked out by hand: sums of the rounded line amounts; the margin % of
// the lines whose cost is known (Contoso: 63.00 of 378.00 = 16.666…%, so 16.67;
// EUR: 75.32 of 560.83 − 110.50 = 450.33 = 16.7255…%, so 16.73); Business Premium's
// margin unknown, not zero.
func TestMarginsHandChecked(t *testing.T) {
	var lines []billing.Line
	if err := json.Unmarshal([]byte(marginLines), &lines); err != nil {
		t.Fatal(err)
	}
	r := Margins(lines)
	row := func(m MarginRow) string {
		opt := func(v fmt.Stringer, isNil bool) string {
			if isNil {
				return "?"
			}
			return v.String()
		}
		return fmt.Sprintf("%s %s %s: %d lines, %s seats, %s, cost %s, margin %s (%s%%), %d of unknown cost (%s)", m.Customer, m.Currency, m.PartNumber, m.Lines,
			m.Seats, m.Amount.String(), opt(m.Cost, m.Cost == nil), opt(m.Margin, m.Margin == nil), opt(m.MarginPercent, m.MarginPercent == nil), m.CostUnknown, m.AmountCostUnknown.String())
	}
	check := func(name string, got []MarginRow, want ...string) {
		t.Helper()
		var have []string
		for _, m := range got {
			have = append(have, row(m))
		}
		if strings.Join(have, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", name, strings.Join(have, "\n"), strings.Join(want, "\n"))
		}
	}
	check("per customer and SKU", r.Rows,
		"Adatum EUR SPE_E3: 1 lines, 2 seats, 72.33, cost 60.01, margin 12.32 (17.03%), 0 of unknown cost (0.00)",
		"Contoso EUR O365_BUSINESS_PREMIUM: 1 lines, 5 seats, 110.50, cost ?, margin ? (?%), 1 of unknown cost (110.50)",
		"Contoso EUR SPE_E3: 2 lines, 10.5 seats, 378.00, cost 315.00, margin 63.00 (16.67%), 0 of unknown cost (0.00)",
		"Fabrikam USD SPE_E5: 2 lines, 2 seats, 114.00, cost 91.20, margin 22.80 (20%), 0 of unknown cost (0.00)")
	check("per customer", r.Customers,
		"Adatum EUR : 1 lines, 2 seats, 72.33, cost 60.01, margin 12.32 (17.03%), 0 of unknown cost (0.00)",
		"Contoso EUR : 3 lines, 15.5 seats, 488.50, cost 315.00, margin 63.00 (16.67%), 1 of unknown cost (110.50)",
		"Fabrikam USD : 2 lines, 2 seats, 114.00, cost 91.20, margin 22.80 (20%), 0 of unknown cost (0.00)")
	check("per currency", r.Totals,
		" EUR : 4 lines, 17.5 seats, 560.83, cost 375.01, margin 75.32 (16.73%), 1 of unknown cost (110.50)",
		" USD : 2 lines, 2 seats, 114.00, cost 91.20, margin 22.80 (20%), 0 of unknown cost (0.00)")
}
