package money

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
)

func TestAmountJSON(t *testing.T) {
	cases := map[string]string{"597.4": `"597.40"`, "12.345": `"12.35"`, "0": `"0.00"`, "-3.005": `"-3.01"`}
	for in, want := range cases {
		b, err := json.Marshal(struct {
			A *Amount `json:"a"`
		}{Of(decimal.RequireFromString(in))})
		if err != nil || string(b) != `{"a":`+want+`}` {
			t.Errorf("%s: %s %v, want %s", in, b, err, want)
		}
		var back Amount
		if err := json.Unmarshal([]byte(want), &back); err != nil || back.String() != want[1:len(want)-1] {
			t.Errorf("read back %s: %s %v", want, back, err)
		}
	}
}

// fmt prefers a Formatter to a Stringer, and the embedded decimal is one: an amount
// printed with %s or %v must still show every cent.
func TestAmountPrintsEveryCent(t *testing.T) {
	a := Of(decimal.RequireFromString("28.4"))
	for _, verb := range []string{"%s", "%v"} {
		if got := fmt.Sprintf(verb, *a); got != "28.40" {
			t.Errorf("%s of 28.4: %q, want 28.40", verb, got)
		}
	}
}
