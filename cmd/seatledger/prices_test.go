package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

const priceSheet = "../../../shared/data/partner-center-samples/pc-pricesheet-nce.csv"

func TestPricesImportShowAndChanges(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")

		// Microsoft's own sample, curly quote and all.
		out := mustRun(t, "--db", db, "prices", "import", priceSheet)
		if !strings.Contains(out, "1 price read, 1 written") {
			t.Errorf("import of the sample: %s", out)
		}
		if out := mustRun(t, "--db", db, "prices", "import", priceSheet); !strings.Contains(out, "0 written, 1 unchanged") {
			t.Errorf("re-import of the sample: %s", out)
		}

		// A broken row anywhere refuses every file given, naming its line.
		broken := filepath.Join(t.TempDir(), "broken.csv")
		june, err := os.ReadFile("testdata/prices-2026-06.csv")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(broken, []byte(strings.Replace(string(june), ",72,,,", ",72 EUR,,,", 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := seatledger(t, "--db", db, "prices", "import", "testdata/prices-2026-06.csv", broken)
		if code == 0 || !strings.Contains(stderr, broken+":3: UnitPrice: \"72 EUR\" is not a plain number") {
			t.Errorf("broken import: exit %d\n%s%s", code, stdout, stderr)
		}
		if out := mustRun(t, "--db", db, "prices", "list", "--market", "NL"); !strings.Contains(out, "0 prices stored") {
			t.Errorf("a refused import wrote prices:\n%s", out)
		}

		mustRun(t, "--db", db, "catalog", "offers", "--file", offerMatrix)
		mustRun(t, "--db", db, "prices", "import", "testdata/prices-2026-06.csv")
		july := mustRun(t, "--db", db, "prices", "import", "testdata/prices-2026-07.csv", "testdata/prices-2026-07.csv")
		// July: the annual and monthly Business Basic ranges closed (one by the file,
		// one by the import), the retiring offer closed; the duplicate row overridden.
		for _, want := range []string{
			"prices-2026-07.csv: 5 prices read, 6 written, 1 unchanged, 2 ranges closed, 4 changes",
			"1 rows overridden in the file",
			"prices-2026-07.csv: 5 prices read, 0 written, 5 unchanged, 0 ranges closed, 0 changes",
		} {
			if !strings.Contains(july, want) {
				t.Errorf("july import lacks %q:\n%s", want, july)
			}
		}

		changes := mustRun(t, "--db", db, "--output", "json", "prices", "changes", "--since", "2026-07-01", "--market", "nl")
		var got struct {
			Changes []struct {
				Kind, ProductID, TermDuration, Old, New, Percent, Effective string
			}
		}
		if err := json.Unmarshal([]byte(changes), &got); err != nil {
			t.Fatalf("%v\n%s", err, changes)
		}
		var lines []string
		for _, c := range got.Changes {
			lines = append(lines, strings.Join([]string{c.Effective[:10], c.Kind, c.ProductID, c.TermDuration, c.Old, c.New, c.Percent}, " "))
		}
		want := []string{
			"2026-07-01 retired CFQ7TTC0LCHC P1Y 100.123456  ",
			"2026-07-01 up CFQ7TTC0LH18 P1M 7.2 8.4 16.67",
			"2026-07-01 up CFQ7TTC0LH18 P1Y 72 84 16.67",
			"2026-07-01 added CFQ7TTC0MQ8Q P1Y  60 ",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if out := mustRun(t, "--db", db, "prices", "changes", "--market", "GB"); !strings.Contains(out, "0 changes") {
			t.Errorf("GB changes:\n%s", out)
		}

		// The part number reaches the price rows through the offer matrix.
		show := mustRun(t, "--db", db, "prices", "show", "O365_BUSINESS_ESSENTIALS", "--market", "NL", "--at", "2026-06-15")
		inForce, history, _ := strings.Cut(show, "history:")
		for _, want := range []string{"CFQ7TTC0LH18:0001", "P1Y", "annual", "72.00", "6.00", "86.40", "P1M", "7.20", "testdata/prices-2026-06.csv:3"} {
			if !strings.Contains(inForce, want) {
				t.Errorf("prices in force on 15 June lack %q:\n%s", want, show)
			}
		}
		if strings.Contains(inForce, "GBP") || !strings.Contains(history, "84") || !strings.Contains(history, "2026-06-30") || !strings.Contains(show, "16.67") {
			t.Errorf("show:\n%s", show)
		}
		csv := mustRun(t, "--db", db, "--output", "csv", "prices", "show", "3b555118-da6a-4418-894f-7df1e2096870", "--currency", "GBP")
		if !strings.Contains(csv, "CFQ7TTC0LH18,0001,P1Y,annual,GB,GBP,commercial,0,0,64.00,5.333333,,2023-04-01,open,testdata/prices-2026-06.csv:5") {
			t.Errorf("show csv:\n%s", csv)
		}
		if code, _, stderr := seatledger(t, "--db", db, "prices", "show", "SPB"); code == 0 || !strings.Contains(stderr, "no Partner Center offer provisions SPB") {
			t.Errorf("show of a SKU without an offer: exit %d %s", code, stderr)
		}
	})
}

// xlsxFromCSV writes a CSV's rows into an XLSX below a title row, as Partner Center's
// workbook has them: prices as number cells, start dates as date cells. It returns
// the workbook's path; the CSV's line n is the workbook's row n+1.
func xlsxFromCSV(t *testing.T, csvPath, name string, edit func(row []any)) string {
	t.Helper()
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellStr("Sheet1", "A1", "Microsoft New Commerce license-based price list"); err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
			if i == 0 {
				continue
			}
			switch recs[0][j] {
			case "UnitPrice", "ERP Price":
				if n, err := strconv.ParseFloat(v, 64); err == nil {
					row[j] = n
				}
			case "EffectiveStartDate":
				if d, err := time.Parse("1/2/2006 15:04", v); err == nil {
					row[j] = d
				}
			}
		}
		if i > 0 && edit != nil {
			edit(row)
		}
		if err := f.SetSheetRow("Sheet1", "A"+strconv.Itoa(i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPricesImportXLSX(t *testing.T) {
	t.Setenv("SEATLEDGER_CONFIG", "")
	eachDatabase(t, func(t *testing.T, db string) {
		mustRun(t, "--db", db, "migrate", "up")

		// A broken row refuses the workbook, naming its spreadsheet row, and writes nothing.
		broken := xlsxFromCSV(t, "testdata/prices-2026-06.csv", "broken.xlsx", func(row []any) {
			if row[1] == "CFQ7TTC0LH18" && row[4] == "P1M" {
				row[8] = "7,20"
			}
		})
		code, stdout, stderr := seatledger(t, "--db", db, "prices", "import", broken)
		if code == 0 || !strings.Contains(stderr, broken+":5: UnitPrice: \"7,20\" is not a plain number") {
			t.Errorf("broken workbook: exit %d\n%s%s", code, stdout, stderr)
		}
		if out := mustRun(t, "--db", db, "prices", "list"); !strings.Contains(out, "0 prices stored") {
			t.Errorf("a refused workbook wrote prices:\n%s", out)
		}

		june := xlsxFromCSV(t, "testdata/prices-2026-06.csv", "june.xlsx", nil)
		if out := mustRun(t, "--db", db, "prices", "import", june); !strings.Contains(out, "5 prices read, 5 written") {
			t.Errorf("import of the workbook: %s", out)
		}
		// The CSV it was made from holds the same prices: nothing to write.
		if out := mustRun(t, "--db", db, "prices", "import", "testdata/prices-2026-06.csv"); !strings.Contains(out, "5 prices read, 0 written, 5 unchanged") {
			t.Errorf("the CSV after its workbook: %s", out)
		}
		csvOut := mustRun(t, "--db", db, "--output", "csv", "prices", "list", "--market", "NL")
		for _, want := range []string{"CFQ7TTC0LCHC,0002,P1Y,annual,NL,EUR,commercial,0,0,100.123456,", "2023-04-01,open," + june + ":7"} {
			if !strings.Contains(csvOut, want) {
				t.Errorf("prices list lacks %q:\n%s", want, csvOut)
			}
		}
		// July's workbook after June's: the same changes as July's CSV records.
		july := xlsxFromCSV(t, "testdata/prices-2026-07.csv", "july.xlsx", nil)
		if out := mustRun(t, "--db", db, "prices", "import", july); !strings.Contains(out, "5 prices read, 6 written, 1 unchanged, 2 ranges closed, 4 changes") {
			t.Errorf("july workbook: %s", out)
		}
	})
}
