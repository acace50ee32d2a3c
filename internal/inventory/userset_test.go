package inventory

import (
	"fmt"
	"testing"
	"time"
)

func TestUserSetReplaysInOrderInPages(t *testing.T) {
	for _, tc := range []struct {
		name       string
		spillAfter int
		users      int
		spilled    bool
	}{
		{"in memory", 100, 10, false},
		{"spooled to disk", 3, 10, true},
		{"exactly at the limit", 10, 10, false},
		{"empty", 3, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := &UserSet{SpillAfter: tc.spillAfter}
			defer set.Close()
			signIn := time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC)
			for i := range tc.users {
				u := User{ID: fmt.Sprint(i), UPN: fmt.Sprintf("u%d@example.com", i), Enabled: i%2 == 0, LastSignIn: &signIn,
					Assignments: []Assignment{{SKUID: "sku", State: "Active"}}}
				if err := set.Add(u); err != nil {
					t.Fatal(err)
				}
			}
			if set.Len() != tc.users || set.Spilled() != tc.spilled {
				t.Fatalf("Len %d, Spilled %v; want %d, %v", set.Len(), set.Spilled(), tc.users, tc.spilled)
			}
			next, pages := 0, 0
			err := set.Each(4, func(page []User) error {
				pages++
				if len(page) > 4 {
					t.Errorf("page of %d users, want at most 4", len(page))
				}
				for _, u := range page {
					if u.ID != fmt.Sprint(next) || u.Enabled != (next%2 == 0) || u.LastSignIn == nil || !u.LastSignIn.Equal(signIn) || len(u.Assignments) != 1 {
						t.Errorf("user %d came back as %+v", next, u)
					}
					next++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if next != tc.users || pages != (tc.users+3)/4 {
				t.Errorf("replayed %d users in %d pages", next, pages)
			}
		})
	}
}

func TestUserSetDigestIgnoresOrderButNotContent(t *testing.T) {
	a := User{ID: "1", UPN: "a@example.com", Enabled: true, Assignments: []Assignment{{SKUID: "x"}, {SKUID: "y"}}}
	b := User{ID: "2", UPN: "b@example.com", Enabled: true}
	digest := func(users ...User) string {
		set := &UserSet{}
		if err := set.Add(users...); err != nil {
			t.Fatal(err)
		}
		return set.Digest()
	}
	reordered := a
	reordered.Assignments = []Assignment{{SKUID: "y"}, {SKUID: "x"}}
	if digest(a, b) != digest(b, reordered) {
		t.Error("the order of users or of their licences changed the digest")
	}
	disabled := b
	disabled.Enabled = false
	oneLicence := User{ID: "1", UPN: "a@example.com", Enabled: true, Assignments: []Assignment{{SKUID: "x"}}}
	for name, other := range map[string]string{"disabled account": digest(a, disabled), "user gone": digest(a), "licence gone": digest(oneLicence, b)} {
		if other == digest(a, b) {
			t.Errorf("%s left the digest unchanged", name)
		}
	}
}
