package billing

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

// fmt prefers a Formatter to a Stringer, and the embedded decimal is one: an amount
// printed with %s or %v must still show its minor unit's every decimal.
func TestMoneyPrintsItsMinorUnit(t *testing.T) {
	for _, c := range []struct {
		m    Money
		want string
	}{
		{Money{decimal.RequireFromString("28.4"), 2}, "28.40"},
		{Money{decimal.RequireFromString("171720"), 2}, "171720.00"},
		{Money{decimal.RequireFromString("3704"), 0}, "3704"},
	} {
		for _, verb := range []string{"%s", "%v"} {
			if got := fmt.Sprintf(verb, c.m); got != c.want {
				t.Errorf("%s: %q, want %q", verb, got, c.want)
			}
		}
	}
}
