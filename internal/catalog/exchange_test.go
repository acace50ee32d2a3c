package catalog

import "testing"

func TestExchangeMailbox(t *testing.T) {
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for part, want := range map[string]bool{
		"SPE_E3":                   true, // Exchange Online (Plan 2)
		"SPB":                      true, // Exchange Online (Plan 1)
		"SPE_F1":                   true, // Exchange Online Kiosk
		"EXCHANGEENTERPRISE":       true,
		"O365_BUSINESS":            false, // Apps for business: Exchange Foundation only
		"POWER_BI_PRO":             false,
		"FLOW_FREE":                false,
		"O365_BUSINESS_ESSENTIALS": true,
	} {
		sku, err := c.Lookup(part)
		if err != nil {
			t.Errorf("%s: %v", part, err)
			continue
		}
		if got := sku.ExchangeMailbox(); got != want {
			t.Errorf("%s.ExchangeMailbox() = %v, want %v", part, got, want)
		}
	}
	archive := SKU{Plans: []ServicePlan{{Name: "EXCHANGE_S_FOUNDATION"}, {Name: "EXCHANGE_S_ARCHIVE_ADDON"}}}
	if !archive.ExchangeMailbox() {
		t.Error("an archive add-on is an Exchange licence a shared mailbox may need")
	}
	if (SKU{Plans: []ServicePlan{{Name: "EXCHANGE_S_FOUNDATION_GOV"}}}).ExchangeMailbox() {
		t.Error("Exchange Foundation serves no mailbox")
	}
}
