package app

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/money"

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
	// Failed says, per customer whose notices could not be worked out, why.
	Failed []string `json:"failed,omitempty"`
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
	// Which price changes each customer was told of, whatever became of the notice (a
	// cancelled one is finance's decision not to tell).
	told, err := a.Store.ToldPriceChanges(ctx)
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
			if ctx.Err() != nil {
				return run, ctx.Err()
			}
			// One customer's broken data must not keep the others' notices back.
			a.Log.Error("notices not detected for a customer", "customer", c.Name, "tenant", c.TenantID, "err", err)
			run.Failed = append(run.Failed, fmt.Sprintf("%s: %v", c.Name, err))
			continue
		}
		facts.Proposals, facts.Announced = proposals[c.TenantID], announced
		facts.Told = func(locale, change string) bool { return told[c.TenantID+"|"+strings.ToLower(locale)+"|"+change] }
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

// productName is a SKU's display name in Microsoft's catalogue, else its part
// number; a finding about a user holding several SKUs names them all ("A + B").
func (a *App) productName(sc *scope, partNumbers string) string {
	parts := strings.Split(partNumbers, "+")
	for i, p := range parts {
		if sku, err := sc.cat.Lookup(strings.TrimSpace(p)); err == nil && sku.DisplayName != "" {
			parts[i] = sku.DisplayName
		}
	}
	return strings.Join(parts, " + ")
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
	prices, err := sc.pricesOf(ctx, a, c.Market, c.Currency)
	if err != nil {
		return f, err
	}
	if len(r.contract) > 0 {
		f.NoticeDays = 0
	}
	for _, l := range r.contract {
		f.NoticeDays = max(f.NoticeDays, l.NoticeDays)
	}
	today := terms.Day(sc.now)
	var holdings []pricing.Holding
	bySub := map[string]terms.Subscription{}
	locked := map[string]*decimal.Decimal{} // the customer's price a seat per month now
	for _, s := range r.subs {
		if !s.Paid() || s.Owner != terms.OwnerPartner {
			continue
		}
		if sku, ok := sc.cat.ByID(s.SKUID); ok && sku.Free {
			continue // nothing to pay, nothing to tell
		}
		bySub[s.ID] = s
		h, ok := holdingOf(c, s, offers)
		if !ok {
			continue
		}
		holdings = append(holdings, h)
		if p, ok := pricing.Locked(prices, h, sc.now); ok {
			locked[s.ID] = customerMonthly(s.Line, &p.UnitPrice, p.ERPPrice, p.TermDuration)
		} else if s.Line != nil && s.Line.UnitPrice != nil {
			locked[s.ID] = s.Line.UnitPrice
		}
	}
	// The changes reaching one subscription on one day are one move for the customer:
	// from what it pays now to what it will pay then. A list that changed twice before
	// the renewal, or a preview corrected by the final list, says one price.
	type reach struct {
		sub string
		day time.Time
	}
	moving := map[reach][]pricing.Impact{}
	var order []reach
	for _, im := range pricing.Impacts(changes, holdings, decimal.Zero) {
		if im.Change.Kind == "" || im.Change.Kind == pricing.ChangeAdded || (!im.Reaches.IsZero() && im.Reaches.Before(today)) {
			continue // a note, an offer nobody held, or a change that has reached them already
		}
		k := reach{im.Holding.SubscriptionID, terms.Day(im.Reaches)}
		if im.Reaches.IsZero() {
			k.day = terms.Day(im.Change.Effective)
		}
		if _, ok := moving[k]; !ok {
			order = append(order, k)
		}
		moving[k] = append(moving[k], im)
	}
	newPrice := map[string]*decimal.Decimal{}
	for _, k := range order {
		ims := moving[k]
		slices.SortStableFunc(ims, func(x, y pricing.Impact) int {
			return cmp.Or(x.Change.Effective.Compare(y.Change.Effective), cmp.Compare(x.Change.ID, y.Change.ID))
		})
		s, first, last := bySub[k.sub], ims[0], ims[len(ims)-1]
		move, ok := netMove(s.Line, prices, locked[s.ID], first.Change, last.Change)
		if !ok {
			continue
		}
		ids := make([]string, len(ims))
		for i, im := range ims {
			ids[i] = changeIdentity(im.Change)
		}
		line := notices.PriceLine{Product: a.productName(sc, s.PartNumber), PartNumber: s.PartNumber, Term: s.Term.Length, Seats: first.Holding.Seats,
			Old: move.old, New: move.new, Reaches: last.Reaches, Changes: []string{strings.Join(ids, " + ")}}
		if move.old != nil && move.new != nil {
			ch := move.new.Sub(*move.old).Mul(decimal.NewFromInt(int64(line.Seats)))
			line.MonthlyChange = &ch
		}
		if move.new != nil && !last.Reaches.IsZero() && last.Reaches.Equal(terms.Day(s.Term.Renewal)) {
			newPrice[s.ID] = move.new
		}
		f.Moves = append(f.Moves, notices.PriceMove{Change: line.Changes[0], Effective: last.Change.Effective, SubscriptionID: s.ID,
			Line: line, NoticeDays: noticeDaysOf(s.Line)})
	}
	for _, s := range bySub {
		held := notices.Held{SubscriptionID: s.ID, BillingPlan: billingPlanOf(s), AutoRenewOff: s.AutoRenewOff(), NoticeDays: noticeDaysOf(s.Line),
			Subscription: notices.Subscription{Product: a.productName(sc, s.PartNumber), PartNumber: s.PartNumber, Term: s.Term.Length,
				Seats: s.TotalLicenses, Assigned: min(consumed[s.SKUID], s.TotalLicenses), Renews: s.Term.Renewal, NewPrice: newPrice[s.ID], Price: locked[s.ID]}}
		held.Idle = max(held.Seats-held.Assigned, 0)
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

// cent rounds a customer's price of a seat per month once, by money's one rule, as
// the invoice will show it.
func cent(d decimal.Decimal) *decimal.Decimal {
	return &money.Of(d).Decimal
}

// customerMonthly is what the customer pays a seat per month under its contract line
// for a price row of a term: the line's fixed price; Microsoft's cost (unit, for the
// whole term) spread over the term's months plus the markup; or the ERP price spread
// likewise less the discount. nil when the line or the price it needs is missing.
func customerMonthly(l *contracts.Line, unit, erp *decimal.Decimal, term string) *decimal.Decimal {
	months := decimal.NewFromInt(int64(max(pricing.Months(term), 1)))
	hundred := decimal.NewFromInt(100)
	switch {
	case l == nil:
		return nil
	case l.UnitPrice != nil:
		return l.UnitPrice
	case l.ERP:
		if erp == nil {
			return nil
		}
		factor := decimal.NewFromInt(1)
		if l.DiscountPercent != nil {
			factor = factor.Sub(l.DiscountPercent.Div(hundred))
		}
		return cent(erp.Div(months).Mul(factor))
	case l.MarkupPercent != nil && unit != nil:
		return cent(unit.Div(months).Mul(decimal.NewFromInt(1).Add(l.MarkupPercent.Div(hundred))))
	}
	return nil
}

// move is what a customer pays a seat per month before and after the changes that
// reach one subscription on one day.
type move struct{ old, new *decimal.Decimal }

// netMove is the customer's move from first to last of the changes reaching one
// subscription on one day, under the contract line that bills it: from the price it
// pays now (locked; else the price the first change replaced) to the price of the
// last change. A line at a fixed price does not move with Microsoft's (ok is false)
// unless the offer is retired; neither does a subscription no line bills, nor one
// whose price does not move at all.
func netMove(l *contracts.Line, prices []pricing.Price, now *decimal.Decimal, first, last pricing.Change) (m move, ok bool) {
	if l == nil {
		return m, false
	}
	m.old = now
	if m.old == nil {
		m.old = customerMonthly(l, first.Old, erpAt(prices, first.Key, first.Effective.AddDate(0, 0, -1)), first.TermDuration)
	}
	if last.Kind == pricing.ChangeRetired {
		return m, true
	}
	if l.UnitPrice != nil {
		return m, false
	}
	m.new = customerMonthly(l, last.New, erpAt(prices, last.Key, last.Effective), last.TermDuration)
	return m, m.new != nil && (m.old == nil || !m.old.Equal(*m.new))
}

// erpAt is the ERP price of a key's row in force on day.
func erpAt(prices []pricing.Price, k pricing.Key, day time.Time) *decimal.Decimal {
	for _, p := range prices {
		if p.Key == k && p.InForce(day) {
			return p.ERPPrice
		}
	}
	return nil
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
