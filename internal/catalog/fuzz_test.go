package catalog

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/problems"
)

// requireClearError fails unless err is a problems.List whose every entry names the
// file and says what is wrong: what an import prints to the person who gave the file.
func requireClearError(t *testing.T, err error, file string) {
	t.Helper()
	var list problems.List
	if !errors.As(err, &list) || len(list) == 0 {
		t.Fatalf("error is not a list of problems: %v", err)
	}
	for _, p := range list {
		if p.File != file || p.Line < 0 || strings.TrimSpace(p.Message) == "" {
			t.Fatalf("unclear problem %#v", p)
		}
	}
}

// catalogueSeeds are pieces of Microsoft's file as published, the slips it has carried,
// and the shapes that broke readers before.
func catalogueSeeds(f *testing.F) {
	data, err := os.ReadFile(microsoftCSV)
	if err != nil {
		f.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	header := lines[0]
	f.Add([]byte(strings.Join(lines[:40], "")))
	var odd []string
	for _, l := range lines[1:] {
		if strings.ContainsAny(l, "\u00a0\t\"") || strings.Contains(l, " ,") {
			odd = append(odd, l)
		}
	}
	f.Add([]byte(header + strings.Join(odd[:min(len(odd), 30)], "")))
	f.Add([]byte("\ufeff" + strings.Replace(header, "String_Id", "String_ Id", 1) + lines[1]))
	f.Add([]byte(header + "Office 365 E1,STANDARDPACK,18181a46-0d4e-45cd-891e-60aabd171b4e,SWAY,(a23b959c-7ce8-4e57-9140-b90eb88a9e97,Sway\n"))
	f.Add([]byte(header + "Office 365 E1,STANDARDPACK,18181a46-0d4e-45cd-891e\u00a0-60aabd171b4e,SWAY,a23b959c- 7ce8-4e57-9140-b90eb88a9e97),Sway\n"))
	f.Add([]byte(header + "\"Microsoft 365 E3,SPE_E3,05e9a617"))
	f.Add([]byte(""))
}

func FuzzParseCSV(f *testing.F) {
	catalogueSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		skus, warnings, err := ParseCSV(bytes.NewReader(data), "skus.csv")
		if err != nil {
			requireClearError(t, err, "skus.csv")
			if skus != nil || warnings != nil {
				t.Fatal("SKUs or warnings returned beside an error")
			}
			return
		}
		if len(skus) == 0 {
			t.Fatal("no SKUs and no error")
		}
		for _, s := range skus {
			if _, ok := ids.ParseGUID(s.ID); !ok || s.ID != strings.ToLower(s.ID) || s.PartNumber == "" || len(s.Plans) == 0 {
				t.Fatalf("SKU accepted with a bad GUID, no part number or no plan: %+v", s)
			}
			for _, p := range s.Plans {
				if _, ok := ids.ParseGUID(p.ID); !ok || p.Name == "" {
					t.Fatalf("plan accepted with a bad GUID or no name: %+v", p)
				}
			}
		}
		for _, w := range warnings {
			if w.File != "skus.csv" || w.Line < 2 || w.Message == "" {
				t.Fatalf("unclear warning %#v", w)
			}
		}
		// What was read must be usable as a catalogue: looked up, and sorted into families.
		c := New(skus)
		for _, s := range skus {
			if got, ok := c.ByID(s.ID); !ok || got.ID != s.ID {
				t.Fatalf("SKU %s read but not found by its GUID", s.ID)
			}
			c.BusinessCap(s)
			c.PremiumBase(s)
			c.DesktopSuite(s)
			c.ContainedIn(s)
		}
	})
}

func FuzzParseOfferMatrix(f *testing.F) {
	sample, err := os.ReadFile("../../../shared/data/partner-center-samples/pc-offermatrix.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte("ProductId,SkuId,ProvisioningId,ProvisioningString\nCFQ7TTC0LCHC,0002,cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46,SPB\nCFQ7TTC0LCHC,0002,not-a-guid,SPB\nDZH318Z0BQ3Q,0001,,\n"))
	f.Add([]byte("\"ProductId\" ,\"SkuId\"\t\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		offers, err := ParseOfferMatrix(bytes.NewReader(data), "offers.csv")
		if err != nil {
			requireClearError(t, err, "offers.csv")
			return
		}
		if len(offers) == 0 {
			t.Fatal("no offers and no error")
		}
		for _, o := range offers {
			if !OfferKey.MatchString(o.Key()) || o.GraphSKUID == "" {
				t.Fatalf("offer accepted without a valid key or SKU: %+v", o)
			}
		}
	})
}
