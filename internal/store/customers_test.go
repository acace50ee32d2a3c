package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// A registry without the segment column registers commercial customers; a later file
// that gives segments updates exactly the customers whose segment it changes.
func TestCustomerSegmentImport(t *testing.T) {
	dir := t.TempDir()
	parse := func(name, content string) []customers.Customer {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		list, err := customers.ParseFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	without := parse("without.csv", "name,tenant_id,currency,locale,market\n"+
		"Lyceum Noord,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL\n"+
		"Bakkerij Zuid,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL\n")
	with := parse("with.csv", "name,tenant_id,currency,locale,market,segment\n"+
		"Lyceum Noord,6f1d2a7e-3c4b-4e8f-9a1d-2b3c4d5e6f70,EUR,nl,NL,Education\n"+
		"Bakkerij Zuid,0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d,EUR,nl,NL,commercial\n")
	segments := func(t *testing.T, s *store.Store) map[string]string {
		t.Helper()
		list, err := s.Customers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range list {
			out[c.Name] = c.Segment
		}
		return out
	}
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.ImportCustomers(ctx, without, "tester", "without.csv"); err != nil {
			t.Fatal(err)
		}
		if got := segments(t, s); got["Lyceum Noord"] != "commercial" || got["Bakkerij Zuid"] != "commercial" {
			t.Errorf("without a segment column: %v, want both commercial", got)
		}
		counts, err := s.ImportCustomers(ctx, with, "tester", "with.csv")
		if err != nil || counts.Updated != 1 || counts.Unchanged != 1 {
			t.Fatalf("import with segments = %+v, %v; want 1 updated (the school), 1 unchanged", counts, err)
		}
		if got := segments(t, s); got["Lyceum Noord"] != "education" || got["Bakkerij Zuid"] != "commercial" {
			t.Errorf("with segments: %v", got)
		}
		again, err := s.ImportCustomers(ctx, with, "tester", "with.csv")
		if err != nil || again.Changed() {
			t.Errorf("re-import with segments = %+v, %v; want nothing changed", again, err)
		}
		// Going back to a file without the column makes the school commercial again:
		// absent means commercial, not "keep what was there".
		back, err := s.ImportCustomers(ctx, without, "tester", "without.csv")
		if err != nil || back.Updated != 1 {
			t.Errorf("import without segments again = %+v, %v; want the school updated", back, err)
		}
		if got := segments(t, s); got["Lyceum Noord"] != "commercial" {
			t.Errorf("after the file without segments: %v", got)
		}
	})
}
