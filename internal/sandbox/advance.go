package sandbox

import (
	"sort"
	"time"
)

// Event is something that changed in a tenant on a simulated day.
type Event struct {
	Day    int    `json:"day"`
	Tenant string `json:"tenant"`
	Kind   string `json:"kind"` // hire, leaver, seats-added, renewal
	Detail string `json:"detail"`
}

// Advance moves the world forward one day and applies what happens that day: in the
// first tenant a seat addition on day 3 and a leaver on day 10 (scenarios tests rely
// on), elsewhere occasional hires and leavers, and renewals everywhere when a term ends.
func (w *World) Advance() []Event {
	w.Day++
	now := w.Now()
	var events []Event
	for i, t := range w.Tenants {
		r := w.gen.rng(uint64(i), 1000+uint64(w.Day))
		b := &tenantBuilder{g: w.gen, r: r, t: t, now: now, country: "NL"}
		add := func(kind, detail string) {
			events = append(events, Event{Day: w.Day, Tenant: t.ID, Kind: kind, Detail: detail})
		}
		if i == 0 && w.Day == 3 {
			s := t.mainSubscription()
			s.addSeats(2, now)
			add("seats-added", s.PartNumber)
		}
		if i == 0 && w.Day == 10 || i != 0 && t.Kind != "clean" && r.IntN(40) == 0 {
			if u := t.leaver(); u != nil {
				add("leaver", u.UPN)
			}
		}
		if i != 0 && t.Kind != "clean" && r.IntN(30) == 0 {
			s := t.mainSubscription()
			u := b.newUser(len(t.Users) + 100)
			u.Created = now.Add(-time.Hour)
			u.LastSignIn, u.LastNonInteractive = nil, nil
			u.Licenses = []License{{SKUID: s.SKUID, State: "Active"}}
			t.Users = append(t.Users, u)
			pool := t.pool(s.SKUID)
			if pool.Consumed > pool.Enabled {
				s.addSeats(1, now)
			}
			add("hire", u.UPN)
		}
		for _, s := range t.Subscriptions {
			if !s.Trial && !now.Before(s.NextLifecycle) {
				switch s.Term {
				case "P1M":
					s.NextLifecycle = s.NextLifecycle.AddDate(0, 1, 0)
				case "P3Y":
					s.NextLifecycle = s.NextLifecycle.AddDate(3, 0, 0)
				default:
					s.NextLifecycle = s.NextLifecycle.AddDate(1, 0, 0)
				}
				add("renewal", s.PartNumber)
			}
		}
	}
	return events
}

// mainSubscription is the paid subscription with the most seats.
func (t *Tenant) mainSubscription() *Subscription {
	subs := append([]*Subscription(nil), t.Subscriptions...)
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].Seats > subs[j].Seats })
	for _, s := range subs {
		if s.Seats < 10000 && !s.Trial {
			return s
		}
	}
	return subs[0]
}

// leaver removes the last enabled, licensed member from the directory.
func (t *Tenant) leaver() *User {
	for i := len(t.Users) - 1; i >= 0; i-- {
		u := t.Users[i]
		if u.UserType == "Member" && u.Enabled && !u.SharedMailbox && len(u.Licenses) > 0 {
			t.Users = append(t.Users[:i], t.Users[i+1:]...)
			return u
		}
	}
	return nil
}

func (t *Tenant) pool(skuID string) Pool {
	for _, p := range t.Pools() {
		if p.SKUID == skuID {
			return p
		}
	}
	return Pool{}
}
