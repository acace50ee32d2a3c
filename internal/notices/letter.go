// Package notices holds the notices a partner owes its customers, as values: what
// each says (a Letter), when it is due, whether it is late, and the key that makes it
// one notice however often it is detected. Pure: values in, values out; rendering is
// package noticetext's, storage the store's, delivery package mail's.
package notices

import (
	"time"

	"github.com/shopspring/decimal"
)

// Kinds of notice.
const (
	// PriceChange tells a customer that Microsoft's prices of SKUs it holds rise or
	// fall, what it pays per seat before and after, and from which day.
	PriceChange = "price-change"
	// TermsChange passes on an announcement the partner entered.
	TermsChange = "terms-change"
	// Renewal reminds a customer that an annual or triennial subscription renews
	// within the contract's notice period, while it can still change seats.
	Renewal = "renewal-reminder"
	// Expiring warns that a subscription will not renew while users still hold it.
	Expiring = "subscription-expiring"
	// Digest is the monthly right-sizing digest of the customer's open findings.
	Digest = "right-sizing-digest"
)

// Kinds lists every kind in the order reports show them.
var Kinds = []string{PriceChange, TermsChange, Renewal, Expiring, Digest}

// Partner is who signs the notices, from the configuration.
type Partner struct {
	Name string
	// Address is the postal address, one line per element.
	Address []string
	// LogoURL is an https URL of the partner's logo for the HTML part; empty for none.
	LogoURL string
	// Signature closes every notice (the team or person), one line per element.
	Signature []string
	// Email and Phone are how customers reach the partner; either may be empty.
	Email string
	Phone string
}

// Letter is what one notice says, in values; noticetext renders it in the customer's
// language. Amounts are in Currency, per seat per month unless a field says
// otherwise, rounded once to the cent (half away from zero) where they are built.
type Letter struct {
	Kind string
	// Customer is the customer's name; Locale its language (nl, de-AT, ...);
	// Currency the ISO 4217 code of every amount.
	Customer string
	Locale   string
	Currency string
	// Reaches is the first day the change reaches the customer: the earliest day a
	// new price applies to one of its subscriptions, an announcement's effective day,
	// a renewal or the end of a term. Zero for a digest.
	Reaches time.Time
	// Respond is the last day the customer can still act on the notice (change seats
	// before a renewal, answer a proposal); zero when the notice asks nothing.
	Respond time.Time
	// Month is the month a digest covers (its first day); zero for other kinds.
	Month time.Time

	Prices       []PriceLine   // PriceChange
	Announcement *Announcement // TermsChange: the announcement's text in Locale
	Subscription *Subscription // Renewal, Expiring
	// Proposals are right-sizing proposals: with a price change or renewal, the open
	// findings on the SKUs concerned; in a digest, every open finding with a saving.
	Proposals []Proposal
}

// PriceLine is one SKU of the customer whose price changes.
type PriceLine struct {
	Product    string // the product's display name (catalogue), else its part number
	PartNumber string
	Term       string // P1M, P1Y, P3Y
	Seats      int
	// Old and New are the customer's price of a seat per month before and after;
	// Old is nil for an offer that was not listed before, New nil for one retired.
	Old *decimal.Decimal
	New *decimal.Decimal
	// Reaches is the day the new price reaches this subscription (its renewal under
	// the NCE price lock).
	Reaches time.Time
	// MonthlyChange is (New − Old) × Seats: positive for a rise; nil when either
	// price is missing.
	MonthlyChange *decimal.Decimal
	// Changes names the price changes the line tells of, so that a change told once
	// is not told again.
	Changes []string `json:",omitempty"`
}

// Announcement is the partner's announcement of a change of terms, in one language.
type Announcement struct {
	Title string
	Body  string // plain text; paragraphs separated by a blank line
	// Effective is the day the new terms apply.
	Effective time.Time
}

// Subscription is the subscription a renewal reminder or expiry warning is about.
type Subscription struct {
	Product    string
	PartNumber string
	Term       string // P1Y, P3Y
	Seats      int
	// Assigned is how many users hold the licence; Idle how many seats nobody uses.
	Assigned int
	Idle     int
	// Renews is the renewal day (Renewal) or the day after the last day of the term
	// (Expiring): the day the customer's situation changes.
	Renews time.Time
	// Price is the customer's price of a seat per month now; NewPrice the price from
	// the renewal when a change reaches it; either nil when not known.
	Price    *decimal.Decimal
	NewPrice *decimal.Decimal
}

// Proposal is a right-sizing proposal drawn from an open finding.
type Proposal struct {
	Product    string
	PartNumber string
	// Finding is the advice kind (unassigned-seats, inactive-user, ...), which the
	// renderer words in the customer's language.
	Finding string
	Seats   int
	// MonthlySaving is the customer's saving per month for all Seats; nil when it is
	// not known (or is the partner's, not the customer's).
	MonthlySaving *decimal.Decimal
	// ActBy is the last day the saving can still be had; nil when any day will do.
	ActBy *time.Time
}
