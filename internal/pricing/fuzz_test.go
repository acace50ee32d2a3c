package pricing

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Whatever bytes a price list holds, reading it either fails with problems and no
// prices, or gives prices that each have a whole key, a price that is not negative,
// a range that does not end before it starts and the line they came from.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("../../../shared/data/partner-center-samples/pc-pricesheet-nce.csv"); err == nil {
		f.Add(b)
	}
	header := "ProductId,SkuId,TermDuration,BillingPlan,Market,Currency,UnitPrice,EffectiveStartDate,EffectiveEndDate,ERP Price,Segment\n"
	f.Add([]byte(header + "CFQ7TTC0LH18,0001,P1Y,Annual,NL,EUR,72.00,2/1/2023 0:00,12/31/9999 11:59:59 PM,80,Education\n"))
	f.Add([]byte(header + "CFQ7TTC0LH18,0001,P1M,Monthly,GB,GBP,6.1234,2026-12-01,2026-11-30,,\n"))
	f.Add([]byte("\ufeff\"ProductId\" ,SkuId;\u201c\n\"x"))
	f.Add([]byte("PK\x03\x04not a workbook"))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := Parse(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if list.Len() != 0 {
				t.Fatalf("an error with %d prices: %v", list.Len(), err)
			}
			return
		}
		for _, p := range list.Prices() {
			if p.ProductID == "" || p.SKUID == "" || Months(p.TermDuration) == 0 || p.BillingPlan == "" || p.Market == "" || p.Currency == "" || p.Segment == "" {
				t.Fatalf("a price without its whole key: %+v", p.Key)
			}
			if p.UnitPrice.IsNegative() || p.To != nil && p.To.Before(p.From) || !strings.HasPrefix(p.Source, "fuzz.csv:") {
				t.Fatalf("price %+v", p)
			}
		}
	})
}
