package app

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/advice"
	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/noticetext"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/terms"
)

// NoticeRun is what one detection of notices found.
type NoticeRun struct {
	// Created are the notices made now, rendered and stored.
	Created []notices.Notice `json:"created"`
	// Known counts notices detected again that were made before.
	Known int `json:"known"`
	// NoContact names the customers owed a notice that have no notice contact.
	NoContact []string `json:"noContact,omitempty"`
}

// Partner is who signs the notices, from the configuration.
func (a *App) Partner() notices.Partner {
	n := a.Config.Notices
	return notices.Partner{Name: n.PartnerName, Address: n.Address, LogoURL: n.LogoURL, Signature: n.Signature, Email: n.Email, Phone: n.Phone}
}

// noticeKinds tells which kinds of notice a customer gets.
func (a *App) noticeKinds(c customers.Customer) func(string) bool {
	kinds := a.Config.Notices.Kinds
	for _, key := range []string{c.TenantID, c.ExternalRef} {
		if k, ok := a.Config.Notices.CustomerKinds[key]; ok && key != "" {
			kinds = k
		}
	}
	return func(kind string) bool { return slices.Contains(kinds, kind) }
}

// CreateNotices detects the notices owed to every customer — price changes reaching
// its subscriptions, announced changes of terms, renewals, terms ending with users
// on them, the month's right-sizing digest — and renders and stores the ones not
// made before. Each is due the contract's notice days before the change reaches the
// customer; one detected later than that is due at once and marked late.
func (a *App) CreateNotices(ctx context.Context) (NoticeRun, error) {
	var run NoticeRun
	sc, err := a.scope(ctx, nil, nil)
	if err != nil {
		return run, err
	}
	changes, err := a.Store.PriceChanges(ctx, time.Time{})
	if err != nil {
		return run, err
	}
	announced, err := a.Store.Announcements(ctx)
	if err != nil {
		return run, err
	}
	proposals, err := a.openProposals(ctx, sc)
	if err != nil {
		return run, err
	}
	renderer, err := noticetext.New(a.Log)
	if err != nil {
		return run, err
	}
	offers, err := sc.offersByGraphSKU(ctx, a)
	if err != nil {
		return run, err
	}
	var drafts []notices.Draft
	for _, c := range sc.customers {
		if !c.Complete() || c.Status == customers.StatusEnded {
			continue
		}
		facts, err := a.noticeFacts(ctx, sc, c, changes, offers)
		if err != nil {
			return run, fmt.Errorf("customer %s: %w", c.Name, err)
		}
		facts.Proposals, facts.Announced = proposals[c.TenantID], announced
		found := notices.Detect(facts)
		if len(found) == 0 && len(c.Contacts) == 0 && len(notices.Detect(withContact(facts))) > 0 {
			run.NoContact = append(run.NoContact, c.Name)
		}
		drafts = append(drafts, found...)
	}
	keys := make([]string, len(drafts))
	for i, d := range drafts {
		keys[i] = d.Key
	}
	known, err := a.Store.NoticeKeys(ctx, keys)
	if err != nil {
		return run, err
	}
	partner := a.Partner()
	var fresh []notices.Notice
	for _, d := range drafts {
		if known[d.Key] {
			run.Known++
			continue
		}
		r, err := renderer.Render(d.Letter, partner)
		if err != nil {
			return run, fmt.Errorf("render notice %s: %w", d.Key, err)
		}
		fresh = append(fresh, notices.Notice{Key: d.Key, Kind: d.Kind, TenantID: d.TenantID, Customer: d.Customer, Locale: d.Locale, Language: r.Language,
			Recipients: d.Recipients, Reaches: d.Reaches, Due: d.Due, DaysLate: d.DaysLate, Subject: r.Subject, Text: r.Text, HTML: r.HTML,
			MessageID: notices.MessageID(d.Key, a.messageDomain()), Letter: d.Letter})
	}
	created, err := a.Store.CreateNotices(ctx, fresh)
	run.Created = created
	run.Known += len(fresh) - len(created)
	for _, n := range created {
		if n.Late() {
			a.Log.Info("notice created late", "notice", n.ID, "kind", n.Kind, "customer", n.Customer, "days_late", n.DaysLate)
		}
	}
	return run, err
}

// withContact is facts with a stand-in contact, to tell whether a customer without
// contacts is owed anything.
func withContact(f notices.Facts) notices.Facts {
	f.Customer.Contacts = []customers.Contact{{Email: "nobody@example.invalid"}}
	return f
}

// messageDomain names the host part of notices' Message-IDs: the sender's domain.
func (a *App) messageDomain() string {
	from := cmp.Or(a.Config.Notices.From, a.Config.Notices.GraphMailbox, a.Config.Notices.Email)
	if _, domain, ok := strings.Cut(from, "@"); ok {
		return domain
	}
	if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") {
		return h
	}
	return ""
}

// openProposals are the open findings of every customer as right-sizing proposals:
// only savings that are the customer's, since a notice speaks of the customer's money.
func (a *App) openProposals(ctx context.Context, sc *scope) (map[string][]notices.Proposal, error) {
	ids := make([]string, len(sc.customers))
	for i, c := range sc.customers {
		ids[i] = c.TenantID
	}
	found, err := a.Store.Findings(ctx, store.FindingFilter{TenantIDs: ids})
	if err != nil {
		return nil, err
	}
	excluded, err := a.excludedFinding(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string][]notices.Proposal{}
	for _, f := range found {
		if f.State() != "open" || excluded(f.Finding) || f.Confidence == advice.Low {
			continue
		}
		p := notices.Proposal{Product: a.productName(sc, f.SKUs), PartNumber: f.SKUs, Finding: f.Kind, Seats: f.Seats, ActBy: f.ActBy}
		if f.MonthlySaving != nil && f.SavingFor == advice.ForCustomer {
			s := f.MonthlySaving.Decimal
			p.MonthlySaving = &s
		}
		out[f.TenantID] = append(out[f.TenantID], p)
	}
	return out, nil
}

// productName is a SKU's display name in Microsoft's catalogue, else its part number.
func (a *App) productName(sc *scope, partNumber string) string {
	if sku, err := sc.cat.Lookup(partNumber); err == nil && sku.DisplayName != "" {
		return sku.DisplayName
	}
	return partNumber
}

// noticeFacts gathers what the notices of one customer rest on: the price changes
// reaching its subscriptions in its prices, and its subscriptions with their terms.
func (a *App) noticeFacts(ctx context.Context, sc *scope, c customers.Customer, changes []pricing.Change, offers map[string][]catalog.Offer) (notices.Facts, error) {
	f := notices.Facts{Customer: c, Detected: sc.now, Enabled: a.noticeKinds(c), NoticeDays: contracts.DefaultNoticeDays}
	r, err := a.resolveSubscriptions(ctx, sc, c)
	if err != nil {
		return f, err
	}
	pools, err := a.Store.Pools(ctx, []string{c.TenantID})
	if err != nil {
		return f, err
	}
	consumed := map[string]int{}
	for _, p := range pools {
		consumed[p.SKUID] += p.Consumed
	}
	costs, err := a.costs(ctx, sc, c, r.subs)
	if err != nil {
		return f, err
	}
	prices, err := sc.pricesOf(ctx, a, c.Market, c.Currency)
	if err != nil {
		return f, err
	}
	for _, l := range r.contract {
		f.NoticeDays = max(f.NoticeDays, l.NoticeDays)
	}
	today := notices.Day(sc.now)
	newPrice := map[string]*decimal.Decimal{}
	var holdings []pricing.Holding
	bySub := map[string]terms.Subscription{}
	for _, s := range r.subs {
		if !s.Paid() || s.Owner != terms.OwnerPartner {
			continue
		}
		if sku, ok := sc.cat.ByID(s.SKUID); ok && sku.Free {
			continue // nothing to pay, nothing to tell
		}
		bySub[s.ID] = s
		if h, ok := holdingOf(c, s, offers); ok {
			holdings = append(holdings, h)
		}
	}
	for _, im := range pricing.Impacts(changes, holdings, decimal.Zero) {
		s := bySub[im.Holding.SubscriptionID]
		if im.Change.Kind == "" || im.Change.Kind == pricing.ChangeAdded || (!im.Reaches.IsZero() && im.Reaches.Before(today)) {
			continue // a note, an offer nobody held, or a change that has reached them already
		}
		oldP, newP, ok := customerPrices(im, s.Line, prices, costs[s.ID])
		if !ok {
			continue
		}
		line := notices.PriceLine{Product: a.productName(sc, s.PartNumber), PartNumber: s.PartNumber, Term: s.Term.Length, Seats: im.Holding.Seats,
			Old: oldP, New: newP, Reaches: im.Reaches}
		if oldP != nil && newP != nil {
			ch := newP.Sub(*oldP).Mul(decimal.NewFromInt(int64(line.Seats)))
			line.MonthlyChange = &ch
		}
		if newP != nil && !im.Reaches.IsZero() && im.Reaches.Equal(notices.Day(s.Term.Renewal)) {
			newPrice[s.ID] = newP
		}
		f.Moves = append(f.Moves, notices.PriceMove{Change: changeIdentity(im.Change), Effective: im.Change.Effective, SubscriptionID: s.ID,
			Line: line, NoticeDays: noticeDaysOf(s.Line)})
	}
	for _, s := range bySub {
		held := notices.Held{SubscriptionID: s.ID, BillingPlan: billingPlanOf(s), AutoRenewOff: s.AutoRenewOff(), NoticeDays: noticeDaysOf(s.Line),
			Subscription: notices.Subscription{Product: a.productName(sc, s.PartNumber), PartNumber: s.PartNumber, Term: s.Term.Length,
				Seats: s.TotalLicenses, Assigned: min(consumed[s.SKUID], s.TotalLicenses), Renews: s.Term.Renewal, NewPrice: newPrice[s.ID]}}
		held.Idle = max(held.Seats-held.Assigned, 0)
		if p, ok := customerPriceNow(s.Line, costs[s.ID]); ok {
			held.Price = &p
		}
		f.Held = append(f.Held, held)
	}
	slices.SortFunc(f.Held, func(x, y notices.Held) int { return cmp.Compare(x.SubscriptionID, y.SubscriptionID) })
	return f, nil
}

func noticeDaysOf(l *contracts.Line) int {
	if l == nil {
		return contracts.DefaultNoticeDays
	}
	return l.NoticeDays
}

// changeIdentity names a price change for good: the same change imported again, or
// detected on another day, names itself the same.
func changeIdentity(c pricing.Change) string {
	price := func(d *decimal.Decimal) string {
		if d == nil {
			return "-"
		}
		return d.String()
	}
	k := c.Key
	return strings.Join([]string{c.Kind, k.ProductID, k.SKUID, k.TermDuration, k.BillingPlan, k.Market, k.Currency, k.Segment, fmt.Sprint(k.TierMin),
		c.Effective.Format(time.DateOnly), price(c.Old), price(c.New)}, "|")
}

// cent rounds a customer's price of a seat per month once, half away from zero, as
// the invoice will show it.
func cent(d decimal.Decimal) *decimal.Decimal {
	r := d.Round(2)
	return &r
}

// customerPriceNow is what the customer pays for a seat per month now under its
// contract line: the fixed price, or Microsoft's locked cost plus the markup.
func customerPriceNow(l *contracts.Line, cost decimal.Decimal) (decimal.Decimal, bool) {
	switch {
	case l == nil:
		return decimal.Zero, false
	case l.UnitPrice != nil:
		return *l.UnitPrice, true
	case l.MarkupPercent != nil && !cost.IsZero():
		return *cent(cost.Mul(decimal.NewFromInt(1).Add(l.MarkupPercent.Div(decimal.NewFromInt(100))))), true
	}
	return decimal.Zero, false
}

// customerPrices are the customer's prices of a seat per month before and after a
// change, under the contract line that bills the subscription. A line at a fixed
// price does not move with Microsoft's (ok is false) unless the offer is retired; a
// cost-plus line moves by the cost times the markup; an ERP line by the list's ERP
// price less the discount. A subscription no line bills is not the partner's to
// notify about.
func customerPrices(im pricing.Impact, l *contracts.Line, prices []pricing.Price, cost decimal.Decimal) (old, new *decimal.Decimal, ok bool) {
	if l == nil {
		return nil, nil, false
	}
	months := decimal.NewFromInt(int64(max(pricing.Months(im.Change.TermDuration), 1)))
	hundred := decimal.NewFromInt(100)
	c := im.Change
	switch {
	case c.Kind == pricing.ChangeRetired:
		if p, ok := customerPriceNow(l, cost); ok {
			old = &p
		}
		return old, nil, true
	case l.UnitPrice != nil:
		return nil, nil, false
	case l.MarkupPercent != nil:
		factor := decimal.NewFromInt(1).Add(l.MarkupPercent.Div(hundred))
		if c.Old != nil {
			old = cent(c.Old.Div(months).Mul(factor))
		}
		if c.New != nil {
			new = cent(c.New.Div(months).Mul(factor))
		}
		return old, new, new != nil
	case l.ERP:
		factor := decimal.NewFromInt(1)
		if l.DiscountPercent != nil {
			factor = factor.Sub(l.DiscountPercent.Div(hundred))
		}
		erp := func(day time.Time) *decimal.Decimal {
			for _, p := range prices {
				if p.Key == c.Key && p.InForce(day) && p.ERPPrice != nil {
					return cent(p.ERPPrice.Div(months).Mul(factor))
				}
			}
			return nil
		}
		old, new = erp(c.Effective.AddDate(0, 0, -1)), erp(c.Effective)
		return old, new, new != nil && old != nil
	}
	return nil, nil, false
}

// Announce reads an announcement file and stores it; the notices it calls for are
// made by the next CreateNotices. created is false when the same announcement was
// stored before.
func (a *App) Announce(ctx context.Context, path string) (notices.Announced, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return notices.Announced{}, false, fmt.Errorf("announcement: %w", err)
	}
	ann, err := notices.ParseAnnouncement(data, path)
	if err != nil {
		return notices.Announced{}, false, err
	}
	created, err := a.Store.Announce(ctx, ann, a.Actor)
	return ann, created, err
}

// SetNoticeStatus holds, releases or cancels a notice before it is sent, with the
// reason written to the audit log.
func (a *App) SetNoticeStatus(ctx context.Context, id int64, action, reason string) (notices.Notice, error) {
	if strings.TrimSpace(reason) == "" {
		return notices.Notice{}, fmt.Errorf("%s notice %d: give a --reason: it goes into the audit log", action, id)
	}
	return a.Store.SetNoticeStatus(ctx, id, action, reason, a.Actor)
}
