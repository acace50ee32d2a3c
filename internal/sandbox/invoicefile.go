package sandbox

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Reasons of the invoice check, as it names them.
const (
	invoiceCustomer     = "customer-not-in-registry"
	invoiceSubscription = "unknown-subscription"
	invoiceChargeType   = "charge-type-not-billed"
	invoiceQuantity     = "quantity-differs"
	invoicePrice        = "price-differs"
	invoiceNotInvoiced  = "not-invoiced"
)

// plant changes the month's charges in the ways a partner meets on Microsoft's
// invoices, each on a subscription of its own with one charge in the month (so that
// each difference stands alone), and records them. The promotion goes on a term the
// world's lists price, so that seatledger knows the price it beats.
func (w *World) plant(lines []invoiceLine, first, last time.Time) ([]invoiceLine, []PlantedDifference) {
	count := map[string]int{}
	for _, l := range lines {
		count[l.subID]++
	}
	var singles []int
	for i, l := range lines {
		if count[l.subID] == 1 && l.ref == "" {
			singles = append(singles, i)
		}
	}
	if len(singles) < 4 {
		return lines, nil // too small a world to plant in
	}
	promo := singles[0]
	for _, i := range singles {
		if lines[i].priced {
			promo = i
			break
		}
	}
	var others []int
	for _, i := range singles {
		if i != promo {
			others = append(others, i)
		}
	}
	quantity, omitted, credited := others[0], others[1], others[2]
	var planted []PlantedDifference
	note := func(i int, reason, format string, args ...any) {
		planted = append(planted, PlantedDifference{TenantID: lines[i].tenant.ID, SubscriptionID: lines[i].subID, Reason: reason,
			Note: fmt.Sprintf(format, args...)})
	}

	l := &lines[promo]
	l.eup = l.unit.Mul(decimal.RequireFromString("0.85")).Round(invoicePlaces)
	l.adjusting = "Promotion: 15% off"
	note(promo, invoicePrice, "a promotion of 15 %% on %d seats", l.quantity)

	lines[quantity].quantity++
	note(quantity, invoiceQuantity, "%d seats charged, %d held", lines[quantity].quantity, lines[quantity].quantity-1)

	note(omitted, invoiceNotInvoiced, "the %s charge of %d seats from %s left out", lines[omitted].chargeType, lines[omitted].quantity,
		lines[omitted].from.Format(time.DateOnly))

	credit := lines[credited]
	credit.chargeType, credit.quantity, credit.eup, credit.from, credit.to = "customerCredit", 1, credit.unit.Neg(), first, last
	credit.adjusting = "Service credit"
	lines = append(lines, credit)
	note(len(lines)-1, invoiceChargeType, "a customer credit of one seat's cycle price")

	r := w.gen.rng(0x1A70)
	unknown := lines[others[3%len(others)]]
	unknown.subID, unknown.chargeType, unknown.quantity = guid(r), "new", 2
	lines = append(lines, unknown)
	note(len(lines)-1, invoiceSubscription, "a subscription bought in Partner Center that seatledger has not seen")

	stranger := unknown
	stranger.tenant = &Tenant{ID: guid(r), Name: "Quarry Ventures", Domain: "quarryventures.onmicrosoft.com"}
	stranger.subID = guid(r)
	lines = append(lines, stranger)
	note(len(lines)-1, invoiceCustomer, "a customer the partner bills through Partner Center but never registered")

	return append(lines[:omitted], lines[omitted+1:]...), planted
}

// writeInvoice writes the lines in the reconciliation file's columns, dates as
// Partner Center's CSV writes them.
func writeInvoice(lines []invoiceLine, month time.Time) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"PartnerId", "CustomerId", "CustomerName", "CustomerDomainName", "InvoiceNumber", "OrderId", "ProductId", "SkuId",
		"AvailabilityId", "SkuName", "ProductName", "ChargeType", "UnitPrice", "EffectiveUnitPrice", "Quantity", "BillableQuantity", "Subtotal",
		"TaxTotal", "Total", "Currency", "PricingCurrency", "PCToBCExchangeRate", "SubscriptionId", "SubscriptionStartDate", "SubscriptionEndDate",
		"ChargeStartDate", "ChargeEndDate", "TermAndBillingCycle", "BillingFrequency", "ReferenceId", "PriceAdjustmentDescription"})
	invoiceNo := invoiceID(month)
	vat := decimal.RequireFromString("0.21")
	day := func(t time.Time) string { return t.Format("2006-01-02T15:04:05Z") }
	for _, l := range lines {
		offer := strings.SplitN(OfferID(l.sub.SKUID), ":", 3)
		sub := l.subtotal()
		tax := sub.Mul(vat).Round(2)
		term := map[string]string{"P1M": "1 Month", "P1Y": "1 Year", "P3Y": "3 Years"}[l.sub.Term]
		_ = cw.Write([]string{PartnerTenantID, l.tenant.ID, l.tenant.Name, l.tenant.Domain, invoiceNo, strings.ReplaceAll(l.subID, "-", "")[:12],
			offer[0], offer[1], offer[2], l.sub.PartNumber, l.sub.PartNumber, l.chargeType, l.unit.String(), l.eup.String(),
			strconv.Itoa(l.quantity), strconv.Itoa(l.quantity), sub.StringFixed(2), tax.StringFixed(2), sub.Add(tax).StringFixed(2),
			l.currency, l.currency, "1", l.subID, day(l.termStart), day(l.termEnd), day(l.from), day(l.to),
			term + " - " + l.sub.billingCycle(), l.sub.billingCycle(), l.ref, l.adjusting})
	}
	cw.Flush()
	return buf.Bytes()
}
