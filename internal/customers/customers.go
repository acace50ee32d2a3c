// Package customers holds the partner's customer registry as values: who the customer
// is (its Entra tenant), how it is billed (currency, market, segment), in which
// language it gets notices and who receives them. It parses and validates the registry
// files; it does not store them.
package customers

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Contact receives the customer's notices.
type Contact struct {
	Name   string `json:"name,omitempty" yaml:"name,omitempty"`
	Email  string `json:"email" yaml:"email"`
	Locale string `json:"locale" yaml:"locale"`
}

// Customer is one customer tenant of the partner.
type Customer struct {
	ID            int64  `json:"id,omitempty" yaml:"-"`
	TenantID      string `json:"tenantId" yaml:"tenant_id"`
	Name          string `json:"name" yaml:"name"`
	PrimaryDomain string `json:"primaryDomain,omitempty" yaml:"primary_domain,omitempty"`
	Currency      string `json:"currency" yaml:"currency"`
	Locale        string `json:"locale" yaml:"locale"`
	Market        string `json:"market" yaml:"market"`
	// Segment is the customer's Partner Center price list segment (one of Segments):
	// an education or charity customer pays its segment's prices, not commercial ones.
	Segment     string    `json:"segment" yaml:"segment,omitempty"`
	ExternalRef string    `json:"externalRef,omitempty" yaml:"external_ref,omitempty"`
	Contacts    []Contact `json:"contacts" yaml:"contacts"`
	// Status is active, discovered (found in Partner Center, waiting for finance to
	// complete currency, locale, market and contacts) or ended (no longer listed by
	// Partner Center). Imports set it; empty means active.
	Status string `json:"status,omitempty" yaml:"-"`
	// Source is where the customer was last imported from (FILE:LINE, or "demo"), so
	// that a later import clashing with it can point at both lines.
	Source    string    `json:"source,omitempty" yaml:"-"`
	CreatedAt time.Time `json:"createdAt,omitzero" yaml:"-"`
	UpdatedAt time.Time `json:"updatedAt,omitzero" yaml:"-"`
}

// DefaultSegment is the segment of a customer the registry file gives none: most of a
// partner's customers buy at commercial prices.
const DefaultSegment = "commercial"

// Segments are the values of the Segment column of Partner Center's New Commerce price
// lists (DOMAIN.md: Commercial, Education, Government, Charity), lower-cased as the
// price list import stores them, so that a customer's segment meets its price rows.
var Segments = []string{DefaultSegment, "education", "government", "charity"}

// Segment is the registry's spelling of a price list segment, matched regardless of
// case; empty means DefaultSegment. ok is false for a segment price lists do not use.
func Segment(s string) (segment string, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return DefaultSegment, true
	}
	return s, slices.Contains(Segments, s)
}

// Customer statuses.
const (
	StatusActive     = "active"
	StatusDiscovered = "discovered"
	StatusEnded      = "ended"
)

// Complete tells whether finance has given the customer what billing and notices
// need: a discovered customer has only Partner Center's name and domain.
func (c Customer) Complete() bool { return c.Currency != "" && c.Locale != "" && c.Market != "" }

// SameAs tells whether two customers say the same thing, ignoring the bookkeeping
// fields (id, source, timestamps).
func (c Customer) SameAs(o Customer) bool {
	return c.TenantID == o.TenantID && c.Name == o.Name && c.PrimaryDomain == o.PrimaryDomain &&
		c.Currency == o.Currency && c.Locale == o.Locale && c.Market == o.Market && c.Segment == o.Segment &&
		c.ExternalRef == o.ExternalRef && slices.Equal(c.Contacts, o.Contacts)
}

var domainName = regexp.MustCompile(`^(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.(?i:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?))+$`)

func validDomain(s string) bool { return len(s) <= 253 && domainName.MatchString(s) }

// validEmail accepts a bare address (no display name) whose domain is a DNS name.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && validDomain(s[at+1:])
}
