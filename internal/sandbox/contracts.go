package sandbox

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// monthlyPrices are the sandbox partner's prices per seat per month on an annual
// term, in each customer's currency; monthly terms cost 20 % more.
var monthlyPrices = map[string]string{
	"O365_BUSINESS_ESSENTIALS": "5.60", "O365_BUSINESS_PREMIUM": "11.70", "SPB": "20.60",
	"SPE_E3": "33.75", "SPE_E5": "54.75", "SPE_F1": "7.50", "POWER_BI_PRO": "13.10",
	"VISIOCLIENT": "14.00", "MCOEV": "7.90", "PROJECTPROFESSIONAL": "28.10", "EXCHANGEENTERPRISE": "7.50",
}

// ContractLine is one line of the sandbox partner's contracts, as a contracts file holds it.
type ContractLine struct {
	Customer    string // external reference
	TenantID    string
	SKU         string
	Term        string
	Quantity    int // -1: as assigned
	UnitPrice   string
	Markup      string
	Start       time.Time
	BillingPlan string
}

var contractStart = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Contracts are what the partner agreed with each customer: a line per SKU and term of
// the partner's paid subscriptions, for as many seats as they hold, with planted
// disagreements — tenant 0 bills a SKU it never bought, tenant 1 forgot its suite,
// tenant 2 is priced at cost plus markup, tenant 6 bills two seats too few and
// tenant 7 three too many. The clean tenant agrees exactly.
//
// They are agreed on day 0: the simulated days that follow change the subscriptions
// (seat additions, renewals), not the contracts, as the file written at start shows.
func (w *World) Contracts() []ContractLine {
	if w.contracts == nil {
		w.contracts = w.agreeContracts()
	}
	return w.contracts
}

func (w *World) agreeContracts() []ContractLine {
	custs := w.Customers()
	var out []ContractLine
	for i, t := range w.Tenants {
		type key struct{ part, term string }
		seats := map[key]int{}
		plan := map[key]string{}
		var keys []key
		for _, s := range t.Subscriptions {
			sku, _ := w.gen.cat.ByID(s.SKUID)
			// Lines bill what the partner buys now: no trials, no subscriptions that
			// expired or were suspended, no tenant-level capacity.
			if s.Trial || sku.Free || s.OwnerTenantID != PartnerTenantID || s.Status != "Enabled" || s.AppliesTo != "" {
				continue
			}
			k := key{s.PartNumber, s.Term}
			if _, ok := seats[k]; !ok {
				keys = append(keys, k)
				plan[k] = s.billingCycle()
			}
			seats[k] += s.Seats
		}
		sort.Slice(keys, func(a, b int) bool {
			return keys[a].part < keys[b].part || keys[a].part == keys[b].part && keys[a].term < keys[b].term
		})
		var lines []ContractLine
		for _, k := range keys {
			if i == 1 && k.part == "O365_BUSINESS_PREMIUM" {
				continue
			}
			l := ContractLine{Customer: custs[i].ExternalRef, TenantID: t.ID, SKU: k.part, Term: k.term, Quantity: seats[k], Start: contractStart, BillingPlan: plan[k]}
			if i == 2 {
				l.Markup = "15"
			} else {
				l.UnitPrice = price(k.part, k.term)
			}
			lines = append(lines, l)
		}
		switch {
		case i == 0:
			lines = append(lines, ContractLine{Customer: custs[i].ExternalRef, TenantID: t.ID, SKU: "PROJECTPROFESSIONAL", Term: "P1Y", Quantity: 2,
				UnitPrice: price("PROJECTPROFESSIONAL", "P1Y"), Start: contractStart, BillingPlan: "monthly"})
		case i == 6 && len(lines) > 0 && lines[0].Quantity > 2:
			lines[0].Quantity -= 2
		case i == 7 && len(lines) > 0:
			lines[0].Quantity += 3
		}
		out = append(out, lines...)
	}
	return out
}

func price(part, term string) string {
	p, ok := monthlyPrices[part]
	if !ok {
		p = "10.00"
	}
	if term == "P1M" {
		return decimal.RequireFromString(p).Mul(decimal.RequireFromString("1.2")).Round(2).StringFixed(2)
	}
	return p
}

// ContractsCSV writes the contracts as a file `seatledger contracts import` reads.
func (w *World) ContractsCSV() []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"customer", "sku", "term", "billing_plan", "quantity", "unit_price", "markup_percent", "billing", "start", "notice_days"})
	for _, l := range w.Contracts() {
		q := strconv.Itoa(l.Quantity)
		if l.Quantity < 0 {
			q = "as-assigned"
		}
		_ = cw.Write([]string{l.Customer, l.SKU, l.Term, l.BillingPlan, q, l.UnitPrice, l.Markup, "day 1", l.Start.Format(time.DateOnly), "30"})
	}
	cw.Flush()
	return buf.Bytes()
}
