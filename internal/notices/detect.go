package notices

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/terms"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/customers"
)

// Lookahead is how long before it is due a renewal reminder or expiry warning is
// created: long enough for finance to review it, short enough that the seats it
// states are still the seats the customer holds.
const Lookahead = 14 * 24 * time.Hour

// Draft is a notice detected, before it is rendered.
type Draft struct {
	Key        string
	Kind       string
	TenantID   string
	Customer   string
	Locale     string
	Recipients []Recipient
	Reaches    *time.Time
	Due        time.Time
	DaysLate   int
	Letter     Letter
}

// Held is one subscription of the customer as notices see it.
type Held struct {
	SubscriptionID string
	Subscription
	BillingPlan  string
	AutoRenewOff bool
	// NoticeDays is the notice period of the contract line that bills it.
	NoticeDays int
}

// PriceMove is one price change reaching one subscription, in the customer's prices.
type PriceMove struct {
	// Change identifies the change for good (offer, term, plan, market, effective
	// day and new price): the same change detected again makes no second notice.
	Change         string
	Effective      time.Time
	SubscriptionID string
	Line           PriceLine
	NoticeDays     int
}

// Facts is what is known of one customer when notices are detected.
type Facts struct {
	Customer customers.Customer
	Moves    []PriceMove
	Held     []Held
	// Proposals are the customer's open findings with the customer's saving.
	Proposals []Proposal
	Announced []Announced
	// NoticeDays is the longest notice period of the customer's contract lines, for
	// announcements that concern the customer as a whole.
	NoticeDays int
	Detected   time.Time
	// Enabled tells whether a kind of notice is sent to this customer.
	Enabled func(kind string) bool
	// Told tells whether the customer's contacts reading a language were told of a
	// price change already (PriceMove.Change): a change is told once, whatever else
	// changes around it.
	Told func(locale, change string) bool
}

// Audience is the customer's notice contacts who read one language.
type Audience struct {
	Locale     string
	Recipients []Recipient
}

// Audiences groups a customer's contacts by language (a contact without one reads
// the customer's), in the order they are listed.
func Audiences(c customers.Customer) []Audience {
	var out []Audience
	for _, ct := range c.Contacts {
		loc := cmp.Or(ct.Locale, c.Locale, "en")
		i := slices.IndexFunc(out, func(a Audience) bool { return strings.EqualFold(a.Locale, loc) })
		if i < 0 {
			out = append(out, Audience{Locale: loc})
			i = len(out) - 1
		}
		out[i].Recipients = append(out[i].Recipients, Recipient{Name: ct.Name, Email: ct.Email})
	}
	return out
}

// Detect is every notice the facts call for, one per kind, change and language.
func Detect(f Facts) []Draft {
	enabled := f.Enabled
	if enabled == nil {
		enabled = func(string) bool { return true }
	}
	var others []pending
	if enabled(TermsChange) {
		others = append(others, termsChanges(f)...)
	}
	if enabled(Renewal) || enabled(Expiring) {
		for _, p := range renewals(f) {
			if enabled(p.letter.Kind) {
				others = append(others, p)
			}
		}
	}
	if enabled(Digest) {
		others = append(others, digest(f)...)
	}
	var out []Draft
	for _, aud := range Audiences(f.Customer) {
		var letters []pending
		if enabled(PriceChange) {
			letters = priceChanges(f, aud.Locale)
		}
		for _, p := range append(letters, others...) {
			l := p.letter
			l.Customer, l.Locale, l.Currency = f.Customer.Name, aud.Locale, f.Customer.Currency
			if p.announced != nil {
				a := p.announced.In(aud.Locale)
				l.Announcement = &a
			}
			d := Draft{Key: Key(l.Kind, f.Customer.TenantID, aud.Locale, p.about...), Kind: l.Kind, TenantID: f.Customer.TenantID,
				Customer: f.Customer.Name, Locale: aud.Locale, Recipients: aud.Recipients, Letter: l}
			if l.Reaches.IsZero() {
				d.Due = terms.Day(f.Detected)
			} else {
				r := l.Reaches
				d.Reaches = &r
				d.Due, d.DaysLate = Due(r, p.noticeDays, f.Detected)
			}
			out = append(out, d)
		}
	}
	return out
}

// pending is a letter before it is addressed to an audience.
type pending struct {
	letter     Letter
	about      []string
	noticeDays int
	// announced is the announcement of a terms change, worded per audience.
	announced *Announced
}

// priceChanges makes one letter per effective day of the changes reaching the
// customer: the changes of one price list arrive together.
func priceChanges(f Facts, locale string) []pending {
	byDay := map[time.Time][]PriceMove{}
	var days []time.Time
	for _, m := range f.Moves {
		if f.Told != nil && f.Told(locale, m.Change) {
			continue
		}
		d := terms.Day(m.Effective)
		if _, ok := byDay[d]; !ok {
			days = append(days, d)
		}
		byDay[d] = append(byDay[d], m)
	}
	slices.SortFunc(days, time.Time.Compare)
	var out []pending
	for _, day := range days {
		moves := byDay[day]
		l := Letter{Kind: PriceChange}
		var changes []string
		notice := 0
		parts := map[string]bool{}
		for _, m := range moves {
			line := m.Line
			if line.Reaches.IsZero() {
				line.Reaches = day // a renewal not known: the change may reach it at once
			}
			l.Prices = append(l.Prices, line)
			changes = append(changes, m.Change)
			notice = max(notice, m.NoticeDays)
			parts[line.PartNumber] = true
			if l.Reaches.IsZero() || line.Reaches.Before(l.Reaches) {
				l.Reaches = line.Reaches
			}
		}
		slices.SortFunc(l.Prices, func(x, y PriceLine) int {
			return cmp.Or(x.Reaches.Compare(y.Reaches), cmp.Compare(x.Product, y.Product), cmp.Compare(x.Term, y.Term))
		})
		l.Prices = mergeLines(l.Prices)
		for _, p := range f.Proposals {
			if parts[p.PartNumber] {
				l.Proposals = append(l.Proposals, p)
			}
		}
		l.Proposals = GroupProposals(l.Proposals)
		l.Respond = l.Reaches.AddDate(0, 0, -1)
		slices.Sort(changes)
		changes = slices.Compact(changes)
		out = append(out, pending{letter: l, about: []string{day.Format(time.DateOnly), digestOf(changes)}, noticeDays: notice})
	}
	return out
}

// mergeLines joins the lines of subscriptions of one product, term and prices that
// the new price reaches on the same day: the customer reads seats of a product, not
// subscription ids.
func mergeLines(lines []PriceLine) []PriceLine {
	var out []PriceLine
	for _, l := range lines {
		i := slices.IndexFunc(out, func(o PriceLine) bool {
			return o.PartNumber == l.PartNumber && o.Term == l.Term && o.Reaches.Equal(l.Reaches) && equalPrice(o.Old, l.Old) && equalPrice(o.New, l.New)
		})
		if i < 0 {
			out = append(out, l)
			continue
		}
		out[i].Seats += l.Seats
		out[i].Changes = append(slices.Clip(out[i].Changes), l.Changes...)
		if out[i].MonthlyChange != nil && l.MonthlyChange != nil {
			sum := out[i].MonthlyChange.Add(*l.MonthlyChange)
			out[i].MonthlyChange = &sum
		} else {
			out[i].MonthlyChange = nil // a total of part of the seats would mislead
		}
	}
	return out
}

func digestOf(parts []string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\n")))
	return hex.EncodeToString(sum[:8])
}

// termsChanges makes a letter for each announcement that concerns one of the
// customer's subscriptions.
func termsChanges(f Facts) []pending {
	var out []pending
	for _, a := range f.Announced {
		if terms.Day(a.Effective).Before(terms.Day(f.Detected)) {
			continue // in force already: the time to tell is gone, as with a price that has reached
		}
		if !slices.ContainsFunc(f.Held, func(h Held) bool { return a.Affects.Matches(h.PartNumber, h.Term, h.BillingPlan) }) {
			continue
		}
		l := Letter{Kind: TermsChange, Reaches: terms.Day(a.Effective)}
		out = append(out, pending{letter: l, about: []string{a.Key}, noticeDays: f.NoticeDays, announced: &a})
	}
	return out
}

// renewals makes a reminder for each annual or triennial subscription renewing
// within its notice period (and the lookahead), and a warning for each that will
// not renew while users still hold it.
func renewals(f Facts) []pending {
	var out []pending
	for _, h := range f.Held {
		// A monthly term renews every month: a reminder each month would be noise; that
		// it will not renew is still worth a warning.
		if h.Renews.IsZero() || h.Term == "P1M" && !h.AutoRenewOff {
			continue
		}
		window := terms.Day(f.Detected).Add(time.Duration(h.NoticeDays)*24*time.Hour + Lookahead)
		if terms.Day(h.Renews).After(window) || !terms.Day(h.Renews).After(terms.Day(f.Detected)) {
			continue
		}
		sub := h.Subscription
		l := Letter{Kind: Renewal, Reaches: terms.Day(h.Renews), Subscription: &sub, Respond: terms.Day(h.Renews).AddDate(0, 0, -1)}
		if h.AutoRenewOff {
			if h.Assigned == 0 {
				continue
			}
			l.Kind, l.Respond = Expiring, time.Time{}
		}
		for _, p := range f.Proposals {
			if p.PartNumber == h.PartNumber && l.Kind == Renewal {
				l.Proposals = append(l.Proposals, p)
			}
		}
		l.Proposals = GroupProposals(l.Proposals)
		out = append(out, pending{letter: l, about: []string{h.SubscriptionID, terms.Day(h.Renews).Format(time.DateOnly)}, noticeDays: h.NoticeDays})
	}
	return out
}

// digest makes the month's right-sizing digest when the customer has open findings
// that save it money.
func digest(f Facts) []pending {
	var props []Proposal
	for _, p := range f.Proposals {
		if p.MonthlySaving != nil && p.MonthlySaving.IsPositive() {
			props = append(props, p)
		}
	}
	if len(props) == 0 {
		return nil
	}
	props = GroupProposals(props)
	d := terms.Day(f.Detected)
	month := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	return []pending{{letter: Letter{Kind: Digest, Month: month, Proposals: props}, about: []string{month.Format("2006-01")}}}
}

func equalPrice(x, y *decimal.Decimal) bool {
	if x == nil || y == nil {
		return x == y
	}
	return x.Equal(*y)
}

// GroupProposals joins the proposals of one product and kind of finding (a finding
// per inactive user makes hundreds) into one: their seats and savings added up, the
// earliest last day kept; the largest saving first. A saving is added up only when
// every proposal joined knows it; otherwise the joined one says it is not known.
func GroupProposals(list []Proposal) []Proposal {
	var out []Proposal
	unknown := map[int]bool{}
	for _, p := range list {
		i := slices.IndexFunc(out, func(o Proposal) bool { return o.PartNumber == p.PartNumber && o.Finding == p.Finding })
		if i < 0 {
			out = append(out, p)
			unknown[len(out)-1] = p.MonthlySaving == nil
			continue
		}
		o := &out[i]
		o.Seats += p.Seats
		if p.MonthlySaving == nil || unknown[i] {
			unknown[i], o.MonthlySaving = true, nil
		} else {
			sum := o.MonthlySaving.Add(*p.MonthlySaving)
			o.MonthlySaving = &sum
		}
		if p.ActBy != nil && (o.ActBy == nil || p.ActBy.Before(*o.ActBy)) {
			o.ActBy = p.ActBy
		}
	}
	slices.SortStableFunc(out, func(x, y Proposal) int {
		switch {
		case x.MonthlySaving == nil && y.MonthlySaving == nil:
			return cmp.Compare(x.Product, y.Product)
		case x.MonthlySaving == nil:
			return 1
		case y.MonthlySaving == nil:
			return -1
		}
		return cmp.Or(y.MonthlySaving.Cmp(*x.MonthlySaving), cmp.Compare(x.Product, y.Product))
	})
	return out
}
