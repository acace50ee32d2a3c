package main

import (
	"strings"
	"testing"
)

// An exclusion for a user no synced tenant has is most likely a typo: it is added
// (the user may come), with a warning. The list names customers, not tenant ids.
func TestExclusionsWarnAndNameCustomers(t *testing.T) {
	_, world, files := sandboxEnv(t, 3)
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")
		mustRun(t, "--db", db, "customers", "import", files.Customers)
		mustRun(t, "--db", db, "sync", "--all")
		first, second := world.Tenants[0], world.Tenants[1]
		user := first.Users[0].UPN

		for _, c := range []struct {
			args []string
			warn string
		}{
			{[]string{"--user", strings.ToUpper(user)}, ""},
			{[]string{"--user", "nobody@" + first.Domain}, "no synced tenant has a user nobody@" + first.Domain},
			{[]string{"--customer", "CUST-0002", "--user", user}, second.Name + " has no user " + user + " in its last sync"},
		} {
			code, out, errOut := seatledger(t, append([]string{"--db", db, "findings", "exclude", "--reason", "service account"}, c.args...)...)
			if code != 0 || !strings.Contains(out, "added") {
				t.Errorf("%v: exit %d\n%s%s", c.args, code, out, errOut)
			}
			if c.warn == "" && strings.Contains(errOut, "warning") || c.warn != "" && !strings.Contains(errOut, "warning: "+c.warn) {
				t.Errorf("%v: stderr %q, want warning %q", c.args, errOut, c.warn)
			}
		}
		list := mustRun(t, "--db", db, "findings", "exclusions")
		if !strings.Contains(list, second.Name) || strings.Contains(list, second.ID) {
			t.Errorf("exclusions do not name the customer:\n%s", list)
		}
	})
}
