package inventory

import (
	"testing"
	"time"
)

func TestLastActivityPrefersTheLastSuccessfulSignIn(t *testing.T) {
	at := func(day int) *time.Time {
		v := time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC)
		return &v
	}
	sprayedOK := time.Date(2026, 5, 2, 7, 15, 0, 0, time.UTC)
	for _, tc := range []struct {
		name                              string
		interactive, nonInteractive, succ *time.Time
		want                              time.Time
	}{
		{"never signed in", nil, nil, nil, time.Time{}},
		{"interactive only", at(3), nil, nil, *at(3)},
		{"non-interactive later", at(3), at(5), nil, *at(5)},
		{"interactive later", at(6), at(5), nil, *at(6)},
		// Failed attempts move the other two; the successful one is the activity.
		{"sprayed account", at(20), at(21), &sprayedOK, sprayedOK},
		{"successful only", nil, nil, at(2), *at(2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := User{LastSignIn: tc.interactive, LastNonInteractive: tc.nonInteractive, LastSuccessfulSignIn: tc.succ}
			if got := u.LastActivity(); !got.Equal(tc.want) {
				t.Errorf("LastActivity() = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDigestSeesTheNewUserFields(t *testing.T) {
	base := User{ID: "1", UPN: "a@example.com", Assignments: []Assignment{{SKUID: "sku", State: "Active"}}}
	ok := time.Date(2026, 5, 2, 7, 15, 0, 0, time.UTC)
	digest := func(u User) string {
		s := &UserSet{}
		defer s.Close()
		if err := s.Add(u); err != nil {
			t.Fatal(err)
		}
		return s.Digest()
	}
	want := digest(base)
	for name, change := range map[string]func(u *User){
		"mail":                    func(u *User) { u.Mail = "a@example.com" },
		"last successful sign-in": func(u *User) { u.LastSuccessfulSignIn = &ok },
		"mailbox purpose":         func(u *User) { u.MailboxPurpose = "shared" },
	} {
		u := base
		change(&u)
		if digest(u) == want {
			t.Errorf("a change of %s leaves the digest as it was: a re-sync would not store it", name)
		}
	}
}
