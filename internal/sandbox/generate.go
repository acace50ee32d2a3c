package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/catalog"
)

// Options shape a generated world.
type Options struct {
	Seed    uint64
	Tenants int
	// Giant adds one tenant of GiantUsers users (default 50,000).
	Giant      bool
	GiantUsers int
	// Start is simulated day 0 (default 2026-11-02).
	Start time.Time
	// UserScale multiplies tenant sizes, for benchmarks that want a given user count.
	UserScale float64
}

// PartnerTenantID is the simulated partner: subscriptions it sold carry it as owner.
const PartnerTenantID = "5e1f0a3c-7d2b-4c8e-9f6a-1b2c3d4e5f60"

// OtherPartnerTenantID owns the subscriptions a customer bought elsewhere.
const OtherPartnerTenantID = "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d"

var defaultStart = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

type generator struct {
	opts Options
	cat  *catalog.Catalog
}

// Generate builds a world. The same options always give the same world, and tenant i
// is the same whatever the number of tenants.
func Generate(opts Options) (*World, error) {
	if opts.Start.IsZero() {
		opts.Start = defaultStart
	}
	if opts.GiantUsers == 0 {
		opts.GiantUsers = 50000
	}
	if opts.UserScale == 0 {
		opts.UserScale = 1
	}
	cat, err := catalog.Builtin()
	if err != nil {
		return nil, err
	}
	g := &generator{opts: opts, cat: cat}
	w := &World{Seed: opts.Seed, Start: opts.Start, byID: map[string]*Tenant{}, gen: g}
	n := opts.Tenants
	for i := range n {
		t := g.tenant(i, w.Now())
		w.Tenants = append(w.Tenants, t)
	}
	if opts.Giant {
		t := g.tenantOfKind(n, "giant", w.Now())
		w.Tenants = append(w.Tenants, t)
	}
	for _, t := range w.Tenants {
		w.byID[t.ID] = t
	}
	w.Contracts()
	return w, nil
}

func (g *generator) rng(parts ...uint64) *rand.Rand {
	h := g.opts.Seed*0x9E3779B97F4A7C15 + 1
	for _, p := range parts {
		h = (h ^ p) * 0xBF58476D1CE4E5B9
		h ^= h >> 31
	}
	return rand.New(rand.NewPCG(h, h^0x94D049BB133111EB))
}

func guid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	b = b&^(0xF<<60) | 0x4<<60 // looks like a version-4 GUID
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", a>>32, (a>>16)&0xffff, (b>>48)&0xffff, (b>>32)&0xffff, (a&0xffff)<<32|b&0xffffffff)
}

var (
	nameHeads = []string{"Alder", "Birch", "Cedar", "Delta", "Elm", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel", "Linden", "Maple", "Nova", "Oak", "Pine", "Quarry", "Rowan", "Summit", "Tidal", "Umber", "Vale", "Willow", "Yarrow", "Zephyr"}
	nameTails = []string{"Bakery", "Logistics", "Dental", "Architects", "Legal", "Marine", "Accountants", "Engineering", "Clinic", "Studio", "Foods", "Motors", "Consulting", "Retail", "Builders"}
	firsts    = []string{"anna", "jonas", "ivana", "pieter", "sofia", "luca", "marie", "tomas", "elena", "david", "sara", "marko", "julia", "noah", "emma", "lars", "nina", "felix", "lea", "pablo", "iris", "ante", "mila", "hugo"}
	lasts     = []string{"devries", "mueller", "horvat", "rossi", "janssen", "dubois", "smith", "novak", "bakker", "schmidt", "bianchi", "kovac", "martin", "visser", "weber", "ricci", "babic", "bernard"}
	countries = []string{"NL", "DE", "HR", "IT", "FR", "BE", "GB"}
)

// kindOf decides a tenant's shape; the first tenants carry the scenarios tests rely on.
func kindOf(i int) string {
	switch {
	case i == 3:
		return "bp-over-cap"
	case i == 5:
		return "clean"
	case i%10 == 8 || i%10 == 9:
		return "enterprise"
	}
	return "small"
}

func (g *generator) tenant(i int, now time.Time) *Tenant {
	return g.tenantOfKind(i, kindOf(i), now)
}

func (g *generator) tenantOfKind(i int, kind string, now time.Time) *Tenant {
	r := g.rng(uint64(i), 1)
	head, tail := nameHeads[r.IntN(len(nameHeads))], nameTails[r.IntN(len(nameTails))]
	t := &Tenant{
		ID:             guid(r),
		Name:           fmt.Sprintf("%s %s %d", head, tail, i+1),
		Domain:         fmt.Sprintf("%s%s%d.example", strings.ToLower(head), strings.ToLower(tail), i+1),
		Kind:           kind,
		HasSignInData:  i != 1,
		ConcealedNames: i == 2 || i == 7,
		// Tenant 2 conceals names behind the documented nested answer, which is the
		// one that used to read as "not concealed"; 6 and 7 refuse reportSettings,
		// with names in clear and concealed; 9 refuses mailboxSettings (its shared
		// mailboxes that need their licence are then of unknown type).
		NestedReportSettings:   i%3 == 2,
		ReportSettingsRefused:  i == 6 || i == 7,
		MailboxSettingsRefused: i == 9,
		ZeroDateNever:          i%2 == 1,
	}
	country := countries[r.IntN(len(countries))]
	var size int
	switch kind {
	case "small":
		size = 5 + r.IntN(46)
	case "enterprise":
		size = 300 + r.IntN(1200)
		if r.IntN(4) == 0 {
			size = 1500 + r.IntN(3500)
		}
	}
	size = max(3, int(float64(size)*g.opts.UserScale))
	// The planted cases keep their size whatever the scale: a Business Premium tenant
	// above the 300-seat cap, and the giant.
	switch kind {
	case "bp-over-cap":
		size = 330
	case "giant":
		size = g.opts.GiantUsers
	}

	b := &tenantBuilder{g: g, r: r, t: t, now: now, country: country, clean: kind == "clean", index: i}
	switch kind {
	case "clean":
		// Everything in order: nothing for the advice to find.
		b.users(size, func(u *User, n int) {
			b.assign(u, "SPB")
			at := now.Add(-time.Duration(1+r.IntN(10*24)) * time.Hour).Truncate(time.Second)
			u.Enabled, u.LastSignIn, u.LastNonInteractive, u.DesktopActivated = true, &at, &at, true
			u.Created = now.AddDate(0, 0, -(200 + r.IntN(500)))
		})
	case "small", "bp-over-cap":
		suite := []string{"O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", "SPB"}[r.IntN(3)]
		if kind == "bp-over-cap" || i == 0 {
			suite = "SPB"
		}
		if i == 1 {
			suite = "O365_BUSINESS_PREMIUM" // Business Standard has no Entra ID P1
		}
		b.users(size, func(u *User, n int) {
			b.assign(u, suite)
			if r.IntN(10) == 0 {
				b.assign(u, "POWER_BI_PRO")
			}
			if r.IntN(20) == 0 {
				b.assign(u, "VISIOCLIENT")
			}
			if r.IntN(3) == 0 {
				b.assign(u, "FLOW_FREE")
			}
		})
		b.redundant(suite, "SPB", "O365_BUSINESS_PREMIUM")
	default:
		b.users(size, func(u *User, n int) {
			switch x := r.IntN(10); {
			case x < 6:
				b.assign(u, "SPE_E3")
			case x < 7:
				b.assign(u, "SPE_E5")
			default:
				b.assign(u, "SPE_F1")
			}
			if r.IntN(10) == 0 {
				b.assign(u, "MCOEV")
			}
			if r.IntN(7) == 0 {
				b.assign(u, "POWER_BI_PRO")
			}
			if r.IntN(30) == 0 {
				b.assign(u, "PROJECTPROFESSIONAL")
			}
		})
		b.redundant("SPE_E3", "SPE_E3", "EXCHANGEENTERPRISE")
		b.premiumUnused()
	}
	b.guests()
	b.sharedMailboxes()
	b.assignmentErrors()
	b.subscriptions(i)
	if i == 4 {
		b.trialInUse()
	}
	b.fieldCases(i)
	// These change users already made and draw no random numbers, so that the rest
	// of the world stays as it was.
	if i == 0 {
		b.sprayed()
	}
	if i == 11 {
		b.withoutUPN(3)
	}
	b.partnerCases(i)
	return t
}
