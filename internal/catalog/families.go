package catalog

import (
	"slices"
	"strings"
)

// Microsoft sells each suite in several variants — with Teams, without Teams, the EEA
// edition without Teams, without audio conferencing — each with its own GUID and part
// number, and adds new ones every year. The advice rules care about the product line
// (Business Basic, Office 365 E3, ...), which the display name states in the same words
// in every variant, so the families below are keyed by product line and every SKU whose
// display name reads as that line plus known variant words belongs to it. A name with
// words this file does not know (Developer, Unattended License, _USGOV_GCCHIGH, a HUB
// minimum) is no member: better no advice than advice for the wrong product.

// businessAlternatives are the Business plans, which Microsoft caps at 300 seats per
// tenant, each with the Enterprise plan that takes over above the cap.
var businessAlternatives = map[string]string{
	"Microsoft 365 Business Basic":    "Office 365 E1",
	"Microsoft 365 Business Standard": "Office 365 E3",
	"Microsoft 365 Business Premium":  "Microsoft 365 E3",
	"Microsoft 365 Apps for business": "Microsoft 365 Apps for enterprise",
}

// premiumBases are the premium suites with the suite below them.
var premiumBases = map[string]string{
	"Microsoft 365 E5": "Microsoft 365 E3",
	"Office 365 E5":    "Office 365 E3",
}

// webOnlyPlans are the suites bought mostly for the desktop Office apps, with the
// product line that keeps the rest but has web and mobile apps only; "" when there is
// none (Microsoft 365 E3 has no web-only twin: what fits depends on the user).
var webOnlyPlans = map[string]string{
	"Microsoft 365 Business Standard": "Microsoft 365 Business Basic",
	"Office 365 E3":                   "Office 365 E1",
	"Microsoft 365 E3":                "",
}

// productLines lists every line the families name.
var productLines = func() []string {
	var out []string
	for _, m := range []map[string]string{businessAlternatives, premiumBases, webOnlyPlans} {
		for k, v := range m {
			for _, line := range []string{k, v} {
				if line != "" && !slices.Contains(out, line) {
					out = append(out, line)
				}
			}
		}
	}
	return out
}()

// Words after the product line that change the price or a bundled extra but not what
// the suite is for.
var sameLineWords = []string{"without audio conferencing", "with calling minutes", "- prepaid legacy", "donation"}

// edition is what a display name says: the product line, and the variant.
type edition struct {
	line    string // as spelt in productLines
	eea     bool
	noTeams bool
}

// editionOf reads a display name such as "Microsoft 365 E5 EEA (no Teams) without
// Audio Conferencing".
func editionOf(displayName string) (edition, bool) {
	name := strings.ToLower(strings.Join(strings.Fields(displayName), " "))
	var e edition
	for _, line := range productLines {
		l := strings.ToLower(line)
		if (name == l || strings.HasPrefix(name, l+" ")) && len(line) > len(e.line) {
			e.line = line
		}
	}
	if e.line == "" {
		return edition{}, false
	}
	rest := strings.TrimSpace(name[len(e.line):])
	for rest != "" {
		switch {
		case strings.HasPrefix(rest, "eea"):
			e.eea, rest = true, rest[len("eea"):]
		case strings.HasPrefix(rest, "(no teams)"):
			e.noTeams, rest = true, rest[len("(no teams)"):]
		default:
			i := slices.IndexFunc(sameLineWords, func(w string) bool { return strings.HasPrefix(rest, w) })
			if i < 0 {
				return edition{}, false
			}
			rest = rest[len(sameLineWords[i]):]
		}
		// A variant word must end where a word ends: "eeax" is not EEA.
		if rest != "" && rest[0] != ' ' {
			return edition{}, false
		}
		rest = strings.TrimSpace(rest)
	}
	return e, true
}

// member finds the SKU of the catalogue in the given edition. Microsoft gives some
// editions two GUIDs (Business Basic, Business Standard EEA); the one nearest to from
// is taken: the fewest plans that from lacks, then the part number that begins most
// like from's (the parts of one family share a stem: O365_BUSINESS_PREMIUM →
// O365_BUSINESS_ESSENTIALS), then the first in listing order. Plan containment is a
// preference and not a condition, as Microsoft adds no-cost extras (Viva Engage Core,
// Clipchamp) to some variants of a suite years before others.
func (c *Catalog) member(from SKU, want edition) (SKU, bool) {
	best, bestMissing, bestStem := -1, 0, 0
	for _, i := range c.editions[want] {
		s := c.skus[i]
		missing := len(Uncovered(s, from))
		stem := commonPrefix(strings.ToUpper(from.PartNumber), strings.ToUpper(s.PartNumber))
		if best < 0 || missing < bestMissing || missing == bestMissing && stem > bestStem {
			best, bestMissing, bestStem = i, missing, stem
		}
	}
	if best < 0 {
		return SKU{}, false
	}
	return c.skus[best], true
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// BusinessCap tells whether s is a Business plan (Business Basic, Standard, Premium,
// Apps for business, in any variant), which Microsoft caps at 300 seats per tenant, and
// names the Enterprise plan to move users to above the cap: Office 365 E1, Office 365
// E3, Microsoft 365 E3 and Apps for enterprise respectively, in the same variant as s
// (no Teams, EEA) when the catalogue has it, else the nearest one it has. When the
// catalogue has none, alternative carries only the product's DisplayName (no ID).
func (c *Catalog) BusinessCap(s SKU) (alternative SKU, capped bool) {
	e, ok := editionOf(s.DisplayName)
	alt, business := businessAlternatives[e.line]
	if !ok || !business {
		return SKU{}, false
	}
	for _, v := range []edition{{alt, e.eea, e.noTeams}, {alt, false, e.noTeams}, {alt, false, false}} {
		if sku, found := c.member(s, v); found {
			return sku, true
		}
	}
	return SKU{DisplayName: alt}, true
}

// PremiumBase returns the suite below premium suite s (Microsoft 365 E5 → Microsoft 365
// E3, Office 365 E5 → Office 365 E3; E5 without audio conferencing or with calling
// minutes too), in the same variant as s: a user of s with every plan s adds over the
// base switched off can move to it. False when s is no premium suite, or when the
// catalogue has no base in that variant (a no-Teams E5 is never sent to an E3 with
// Teams: that adds a product the customer chose not to buy).
func (c *Catalog) PremiumBase(s SKU) (SKU, bool) {
	e, ok := editionOf(s.DisplayName)
	base, premium := premiumBases[e.line]
	if !ok || !premium {
		return SKU{}, false
	}
	return c.member(s, edition{base, e.eea, e.noTeams})
}

// DesktopSuite tells whether s is a suite bought mostly for the desktop Office apps
// (Business Standard, Office 365 E3, Microsoft 365 E3, in any variant, carrying the
// desktop apps plan), and returns the web-only plan a user who never uses the desktop
// apps can move to: Business Basic for Business Standard, Office 365 E1 for Office 365
// E3, each in the same variant as s. hasTarget is false for Microsoft 365 E3 (what fits
// depends on the user) and when the catalogue has no such plan in that variant.
func (c *Catalog) DesktopSuite(s SKU) (webOnly SKU, hasTarget, isSuite bool) {
	e, ok := editionOf(s.DisplayName)
	target, suite := webOnlyPlans[e.line]
	if !ok || !suite || !hasDesktopApps(s) {
		return SKU{}, false, false
	}
	if target == "" {
		return SKU{}, false, true
	}
	webOnly, hasTarget = c.member(s, edition{target, e.eea, e.noTeams})
	return webOnly, hasTarget, true
}

// The desktop Office apps come as Apps for business or Apps for enterprise.
func hasDesktopApps(s SKU) bool {
	return slices.ContainsFunc(s.Plans, func(p ServicePlan) bool {
		name := strings.ToUpper(p.Name)
		return name == "OFFICE_BUSINESS" || name == "OFFICESUBSCRIPTION"
	})
}

// indexEditions groups the SKUs of the families by edition.
func indexEditions(skus []SKU) map[edition][]int {
	out := map[edition][]int{}
	for i, s := range skus {
		if e, ok := editionOf(s.DisplayName); ok {
			out[e] = append(out[e], i)
		}
	}
	return out
}
