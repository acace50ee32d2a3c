package sandbox

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Microsoft's invoice of the world's partner: the New Commerce reconciliation line
// items of one month, charged by Microsoft's rules (DOMAIN.md) from the world's
// subscriptions, seat additions and price lists, with a few differences planted.

// PlantedDifference is a difference the sandbox planted in its invoice, as the
// invoice check must report it: the subscription (Partner Center's id) and customer
// tenant of the charge, and the check's reason (customer-not-in-registry,
// unknown-subscription, quantity-differs, price-differs, charge-type-not-billed,
// not-invoiced).
type PlantedDifference struct {
	TenantID       string `json:"tenantId"`
	SubscriptionID string `json:"subscriptionId"`
	Reason         string `json:"reason"`
	Note           string `json:"note"`
}

// invoiceLine is one line of the reconciliation file, before it is written.
type invoiceLine struct {
	tenant                   *Tenant
	sub                      *Subscription
	subID                    string // Partner Center's id
	chargeType               string
	unit, eup                decimal.Decimal // per seat: per cycle, and for the line's days
	quantity                 int
	from, to                 time.Time // inclusive days
	termStart, termEnd       time.Time
	currency, ref, adjusting string
	priced                   bool // the world's lists price the term: seatledger can check the price
}

// subtotal is Microsoft's rule: ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, 2)
// × BillableQuantity, at a rate of 1 (the world prices in the billing currency).
func (l invoiceLine) subtotal() decimal.Decimal {
	return l.eup.Truncate(2).Mul(decimal.NewFromInt(int64(l.quantity)))
}

// invoicePlaces are the decimals unit prices are written to: enough that the cut to
// the cent never moves (a twelfth of a four-decimal price, a price over the days of
// a cycle).
const invoicePlaces = 10

// InvoiceCSV is Microsoft's billed reconciliation file for the month holding month
// (its charges start in it), for the partner's New Commerce subscriptions of the
// customers Partner Center still lists: per subscription and charge cycle starting
// in the month a new, renew or cycleCharge line for the seats held on its first day,
// and for seats added later in a cycle starting before or in the month, a pair of
// addQuantity lines sharing a ReferenceId (the old seats credited and the new
// charged from the addition's day to the cycle's end). A cycle is a month from the
// term's first day on a monthly billing plan, the term on an upfront one. Prices are
// the world's list rows in force on the term's first day (a term begun before the
// first published month pays that month's price, as the world's price truth reads
// its lists); a customer of a market without a list pays NL's euro prices, which the
// world does not publish for that market.
//
// Planted, each recorded in planted: a charge of a subscription seatledger does not
// know, a charge for a customer not in the registry, one more seat than held, a
// promotion of 15 % on the effective price, a customer credit, and one charge left
// out.
func (w *World) InvoiceCSV(month time.Time) (csvData []byte, planted []PlantedDifference) {
	lines, first, planted := w.invoiceLines(month)
	return writeInvoice(lines, first), planted
}

// invoiceLines are the charges of the month holding month (see InvoiceCSV), with
// the month's first day and what was planted.
func (w *World) invoiceLines(month time.Time) ([]invoiceLine, time.Time, []PlantedDifference) {
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	custs := w.Customers()
	var lines []invoiceLine
	for i, t := range w.Tenants {
		if t.EndedInPartnerCenter {
			continue
		}
		for _, s := range t.Subscriptions {
			if sku, _ := w.gen.cat.ByID(s.SKUID); s.OwnerTenantID != PartnerTenantID || s.Trial || s.Status != "Enabled" || sku.Free {
				continue
			}
			lines = append(lines, w.chargesOf(t, s, custs[i].Market, custs[i].Currency, first, last)...)
		}
	}
	lines, planted := w.plant(lines, first, last)
	return lines, first, planted
}

// chargesOf are one subscription's charges starting from first to last.
func (w *World) chargesOf(t *Tenant, s *Subscription, market, currency string, first, last time.Time) []invoiceLine {
	n := termMonths(s.Term)
	cycle := n
	if s.billingCycle() == "monthly" {
		cycle = 1
	}
	created := dayOf(s.Created)
	var out []invoiceLine
	for d := first; !d.After(last); {
		ts, te := termAround(s, d)
		row, priced, ok := w.termPrice(s, market, ts)
		if ok {
			unit := row.Unit.Mul(decimal.NewFromInt(int64(cycle))).DivRound(decimal.NewFromInt(int64(n)), invoicePlaces)
			for k := 0; k*cycle < n; k++ {
				cf := addMonthsOnDay(ts, k*cycle, ts.Day())
				ct := addMonthsOnDay(ts, (k+1)*cycle, ts.Day()).AddDate(0, 0, -1)
				if cf.After(te) || cf.After(last) {
					break
				}
				if ct.After(te) {
					ct = te
				}
				if ct.Before(first) || ct.Before(created) {
					continue
				}
				base := invoiceLine{tenant: t, sub: s, subID: s.partnerCenterID(), unit: unit, termStart: ts, termEnd: te, currency: currency, priced: priced}
				if !cf.Before(first) {
					l := base
					l.chargeType, l.eup, l.quantity, l.from, l.to = "cycleCharge", unit, seatsHeld(s, cf), cf, ct
					switch {
					case cf.Equal(created):
						l.chargeType = "new"
					case cf.Equal(ts):
						l.chargeType = "renew"
					}
					if l.quantity > 0 {
						out = append(out, l)
					}
				}
				out = append(out, additionPairs(base, s, cf, ct, first, last)...)
			}
		}
		d = te.AddDate(0, 0, 1)
	}
	return out
}

// additionPairs are the addQuantity pairs of the seats added on the days of a cycle
// after its first, from first to last: the seats before credited for the days left,
// the seats after charged, at the cycle's price prorated by day.
func additionPairs(base invoiceLine, s *Subscription, cf, ct, first, last time.Time) []invoiceLine {
	var out []invoiceLine
	var days []time.Time
	for _, a := range s.Additions {
		d := dayOf(a.At)
		if d.After(cf) && !d.After(ct) && !d.Before(first) && !d.After(last) && !slices.ContainsFunc(days, d.Equal) {
			days = append(days, d)
		}
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	all := decimal.NewFromInt(int64(ct.Sub(cf).Hours()/24) + 1)
	for _, d := range days {
		left := decimal.NewFromInt(int64(ct.Sub(d).Hours()/24) + 1)
		eup := base.unit.Mul(left).DivRound(all, invoicePlaces)
		ref := fmt.Sprintf("%s-%s", base.subID[:8], d.Format("20060102"))
		credit, charge := base, base
		credit.chargeType, credit.eup, credit.quantity, credit.from, credit.to, credit.ref = "addQuantity", eup.Neg(), seatsHeld(s, d.AddDate(0, 0, -1)), d, ct, ref
		charge.chargeType, charge.eup, charge.quantity, charge.from, charge.to, charge.ref = "addQuantity", eup, seatsHeld(s, d), d, ct, ref
		out = append(out, credit, charge)
	}
	return out
}

// seatsHeld is the subscription's seats at the end of day d: today's, less the
// seats added after that day.
func seatsHeld(s *Subscription, d time.Time) int {
	n := s.Seats
	end := d.AddDate(0, 0, 1)
	for _, a := range s.Additions {
		if !a.At.Before(end) {
			n -= a.Seats
		}
	}
	return n
}

// termAround is the first and last day of the subscription's term holding day d:
// its current term (Partner Center's effective start to its commitment end), or one
// before or after it by whole terms, counted on the current term's start day going
// back and on its renewal day going forward.
func termAround(s *Subscription, d time.Time) (start, end time.Time) {
	n := termMonths(s.Term)
	start, renewal := dayOf(s.termStart()), dayOf(s.NextLifecycle)
	switch {
	case d.Before(start):
		for k := 1; ; k++ {
			if from := addMonthsOnDay(start, -k*n, start.Day()); !from.After(d) {
				return from, addMonthsOnDay(start, -(k-1)*n, start.Day()).AddDate(0, 0, -1)
			}
		}
	case d.Before(renewal):
		return start, renewal.AddDate(0, 0, -1)
	}
	for k := 1; ; k++ {
		if next := addMonthsOnDay(renewal, k*n, renewal.Day()); next.After(d) {
			return addMonthsOnDay(renewal, (k-1)*n, renewal.Day()), next.AddDate(0, 0, -1)
		}
	}
}

// termPrice is the list row a term begun on day ts pays (the price lock): the
// customer's market's list of the latest published month on or before ts, else the
// first month's; NL's for a market the world publishes no list for. priced is
// false where seatledger holds no row in force on ts (before the first published
// month, or no list for the market); ok false when no row prices the offer.
func (w *World) termPrice(s *Subscription, market string, ts time.Time) (row sheetRow, priced, ok bool) {
	months := w.PriceSheetMonths()
	listed := slices.Contains(PriceSheetMarkets, market)
	if !listed {
		market = "NL"
	}
	m := months[0]
	for _, mm := range months {
		if !mm.After(ts) {
			m = mm
		}
	}
	priced = listed && !ts.Before(months[0])
	seats := seatsHeld(s, ts)
	key, plan := ProductSKU(s.SKUID), s.billingCycle()
	for _, r := range w.sheetRows(market, m) {
		if r.productSKU() == key && r.Term == s.Term && strings.EqualFold(r.Plan, plan) && r.Segment == "Commercial" &&
			(r.TierMin == 0 || seats >= r.TierMin) && (r.TierMax == 0 || seats <= r.TierMax) {
			return r, priced, true
		}
	}
	return sheetRow{}, false, false
}
