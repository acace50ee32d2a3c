package store_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/seatledger/seatledger/internal/catalog"
	"github.com/seatledger/seatledger/internal/customers"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestMigrationStatus(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		st, err := s.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(st) == 0 || !st[0].Applied || st[0].Name != "0001_foundation.sql" {
			t.Fatalf("status = %+v", st)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v", applied, err)
		}
	})
}

func TestCheckSchemaOnFreshDatabase(t *testing.T) {
	s, err := store.Open(context.Background(), "sqlite:"+t.TempDir()+"/fresh.db", store.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckSchema(context.Background()); err == nil {
		t.Fatal("an unmigrated database passed the schema check")
	}
}

// Several replicas starting together must not trip over each other's migrations.
func TestConcurrentMigrateOnPostgres(t *testing.T) {
	url := storetest.PostgresURL(t)
	ctx := context.Background()
	// Start from an empty schema so that there is real work to race for.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := store.Open(ctx, url, store.Options{MaxOpenConns: 2})
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			_, err = s.Migrate(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, _ := store.Open(ctx, url, store.Options{})
	defer s.Close()
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
}

func loadMicrosoftCatalogue(t *testing.T) []catalog.SKU {
	t.Helper()
	f, err := os.Open("../../../shared/data/microsoft-licensing-skus.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	skus, _, err := catalog.ParseCSV(f, "microsoft-licensing-skus.csv")
	if err != nil {
		t.Fatal(err)
	}
	return skus
}

func TestCatalogImport(t *testing.T) {
	skus := loadMicrosoftCatalogue(t)
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		empty, err := s.CatalogSKUs(ctx)
		if err != nil || len(empty) != 0 {
			t.Fatalf("fresh catalogue = %d SKUs, %v", len(empty), err)
		}
		counts, err := s.ImportCatalog(ctx, skus, "tester", "microsoft-licensing-skus.csv")
		if err != nil {
			t.Fatal(err)
		}
		if counts.Created != len(skus) {
			t.Fatalf("first import = %+v, want %d created", counts, len(skus))
		}
		stored, err := s.CatalogSKUs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c := catalog.New(stored)
		spb, err := c.Lookup("SPB")
		if err != nil || spb.ID != "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46" || spb.DisplayName != "Microsoft 365 Business Premium" {
			t.Fatalf("stored SPB = %+v, %v", spb, err)
		}
		orig, _ := catalog.New(skus).Lookup("SPB")
		if len(spb.Plans) != len(orig.Plans) {
			t.Errorf("stored SPB has %d plans, file has %d", len(spb.Plans), len(orig.Plans))
		}
		e3, _ := c.Lookup("SPE_E3")
		exo, _ := c.Lookup("EXCHANGEENTERPRISE")
		if !catalog.Contains(e3, exo) {
			t.Error("containment lost in the round trip through the database")
		}

		again, err := s.ImportCatalog(ctx, skus, "tester", "microsoft-licensing-skus.csv")
		if err != nil || again.Unchanged != len(skus) || again.Changed() {
			t.Fatalf("re-import = %+v, %v; want all unchanged", again, err)
		}

		// An import of one changed SKU updates it and keeps every other SKU.
		renamed := spb
		renamed.DisplayName = "Microsoft 365 Business Premium (renamed)"
		renamed.Plans = renamed.Plans[:10]
		partial, err := s.ImportCatalog(ctx, []catalog.SKU{renamed}, "tester", "partial.csv")
		if err != nil || partial.Updated != 1 {
			t.Fatalf("partial import = %+v, %v", partial, err)
		}
		stored, _ = s.CatalogSKUs(ctx)
		if len(stored) != len(skus) {
			t.Errorf("after partial import %d SKUs, want %d kept", len(stored), len(skus))
		}
		got, _ := catalog.New(stored).Lookup("SPB")
		if got.DisplayName != renamed.DisplayName || len(got.Plans) != 10 {
			t.Errorf("updated SPB = %s with %d plans", got.DisplayName, len(got.Plans))
		}
		log, err := s.AuditLog(ctx, 10)
		if err != nil || len(log) != 3 || log[0].Action != "catalog.import" || log[0].Subject != "partial.csv" || log[0].Actor != "tester" ||
			log[0].OSUser != store.CurrentOSUser() || log[0].OSUser == "" {
			t.Errorf("audit log = %+v, %v", log, err)
		}
	})
}

func TestCustomerImport(t *testing.T) {
	list, err := customers.ParseFile("../../config/customers.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		counts, err := s.ImportCustomers(ctx, list, "tester", "customers.yaml")
		if err != nil || counts.Created != len(list) {
			t.Fatalf("import = %+v, %v", counts, err)
		}
		first, err := s.Customers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range first {
			if !c.SameAs(list[i]) {
				t.Errorf("stored customer %d = %+v, imported %+v", i, c, list[i])
			}
		}

		again, err := s.ImportCustomers(ctx, list, "tester", "customers.yaml")
		if err != nil || again.Changed() || again.Unchanged != len(list) {
			t.Fatalf("re-import = %+v, %v", again, err)
		}
		second, _ := s.Customers(ctx)
		for i := range first {
			if !second[i].UpdatedAt.Equal(first[i].UpdatedAt) {
				t.Errorf("re-import touched %s", second[i].Name)
			}
		}

		changed := append([]customers.Customer(nil), list...)
		changed[0].Name = "Bakkerij de Vries & Zonen B.V."
		changed[0].Contacts = []customers.Contact{{Email: "new@bakkerijdevries.nl", Locale: "en"}}
		upd, err := s.ImportCustomers(ctx, changed[:1], "tester", "changed.yaml")
		if err != nil || upd.Updated != 1 {
			t.Fatalf("changed import = %+v, %v", upd, err)
		}
		third, _ := s.Customers(ctx)
		if len(third) != len(list) {
			t.Fatalf("%d customers after update, want %d kept", len(third), len(list))
		}
		for _, c := range third {
			if c.TenantID == changed[0].TenantID && (c.Name != changed[0].Name || len(c.Contacts) != 1 || c.Contacts[0].Email != "new@bakkerijdevries.nl" || c.ID != first[0].ID) {
				t.Errorf("updated customer = %+v", c)
			}
		}
		log, _ := s.AuditLog(ctx, 10)
		if len(log) != 2 {
			t.Errorf("audit log has %d entries, want 2 (the unchanged re-import writes none): %+v", len(log), log)
		}
	})
}
