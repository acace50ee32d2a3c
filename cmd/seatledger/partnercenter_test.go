package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/sandbox"
)

// partnerAPIEnv points the configuration at the simulated cloud's Partner API and
// gives the token cache a fresh key; it returns the cache file's path.
func partnerAPIEnv(t *testing.T, srv *sandbox.Server) string {
	t.Helper()
	dir := t.TempDir()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "partner-center.key")
	if err := os.WriteFile(keyFile, []byte(base64.StdEncoding.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "partner-center.tokens")
	t.Setenv("SEATLEDGER_PARTNER_TENANT_ID", sandbox.PartnerTenantID)
	t.Setenv("SEATLEDGER_PARTNER_CENTER_PARTNER_API_BASE_URL", srv.PartnerCenterBaseURL())
	t.Setenv("SEATLEDGER_PARTNER_CENTER_TOKEN_CACHE_FILE", cache)
	t.Setenv("SEATLEDGER_PARTNER_CENTER_TOKEN_CACHE_KEY_FILE", keyFile)
	t.Setenv("SEATLEDGER_NOW", srv.Now().Format(time.RFC3339))
	return cache
}

func TestPartnerCenterSignIn(t *testing.T) {
	srv, _, _ := sandboxEnv(t, 2)
	cache := partnerAPIEnv(t, srv)

	code, _, errOut := seatledger(t, "partner-center", "status")
	if code == 0 || !strings.Contains(errOut, "nobody is signed in") || !strings.Contains(errOut, "seatledger partner-center login") {
		t.Errorf("status before login: exit %d, %s", code, errOut)
	}
	out := mustRun(t, "partner-center", "login")
	for _, want := range []string{srv.URL() + "/devicelogin", "enter the code", "signed in as " + sandbox.PartnerUser.Username, sandbox.PartnerTenantID, cache} {
		if !strings.Contains(out, want) {
			t.Errorf("login output lacks %q:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("RT.")) || bytes.Contains(raw, []byte(sandbox.PartnerUser.Username)) {
		t.Error("the token cache holds tokens or names in clear")
	}
	out = mustRun(t, "partner-center", "status")
	if !strings.Contains(out, "signed in as "+sandbox.PartnerUser.Username) || strings.Contains(out, "RT.") || strings.Contains(out, "sandboxuser.") {
		t.Errorf("status:\n%s", out)
	}
	var st struct {
		SignedIn bool `json:"signedIn"`
		User     struct {
			Username string `json:"username"`
			TenantID string `json:"tenantId"`
		} `json:"user"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "-o", "json", "partner-center", "status")), &st); err != nil || !st.SignedIn || st.User.TenantID != sandbox.PartnerTenantID {
		t.Errorf("status as JSON: %+v, %v", st, err)
	}

	// Another key cannot read the cache: the user is told to sign in again.
	other := filepath.Join(t.TempDir(), "other.key")
	if err := os.WriteFile(other, []byte(base64.StdEncoding.EncodeToString(make([]byte, 32))), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SEATLEDGER_PARTNER_CENTER_TOKEN_CACHE_KEY_FILE", other)
	if code, _, errOut := seatledger(t, "partner-center", "status"); code == 0 || !strings.Contains(errOut, "sign in again") {
		t.Errorf("status with another key: exit %d, %s", code, errOut)
	}
	t.Setenv("SEATLEDGER_PARTNER_CENTER_TOKEN_CACHE_KEY_FILE", "")
	os.Unsetenv("SEATLEDGER_PARTNER_CENTER_TOKEN_CACHE_KEY_FILE")
	if code, _, errOut := seatledger(t, "partner-center", "login"); code == 0 || !strings.Contains(errOut, "head -c 32 /dev/urandom | base64") {
		t.Errorf("login without a key: exit %d, %s", code, errOut)
	}

	out = mustRun(t, "partner-center", "logout")
	if !strings.Contains(out, "signed out") {
		t.Errorf("logout: %s", out)
	}
	if _, err := os.Stat(cache); err == nil {
		t.Error("logout left the token cache")
	}
}

func TestPricesFetchAndOffersFetch(t *testing.T) {
	srv, world, _ := sandboxEnv(t, 5)
	partnerAPIEnv(t, srv)
	mustRun(t, "partner-center", "login")
	now := srv.Now()
	this := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	months := []time.Time{this.AddDate(0, -1, 0), this, this.AddDate(0, 1, 0)}
	eachDatabase(t, func(t *testing.T, db string) {
		downloads := filepath.Join(t.TempDir(), "downloads")
		if strings.HasPrefix(db, "sqlite:") {
			// The default: beside the database.
			downloads = filepath.Join(filepath.Dir(strings.TrimPrefix(db, "sqlite:")), "downloads")
			os.Unsetenv("SEATLEDGER_PARTNER_CENTER_DOWNLOAD_DIR")
		} else {
			t.Setenv("SEATLEDGER_PARTNER_CENTER_DOWNLOAD_DIR", downloads)
		}
		mustRun(t, "--db", db, "migrate", "up")

		out := mustRun(t, "--db", db, "catalog", "offers", "--fetch")
		matrix := filepath.Join(downloads, "offermatrix-"+this.Format("2006-01")+".csv")
		if !strings.Contains(out, "fetched the offer matrix "+this.Format("2006-01")) || !strings.Contains(out, matrix) {
			t.Errorf("catalog offers --fetch:\n%s", out)
		}
		if got, _ := os.ReadFile(matrix); !bytes.Equal(got, world.OfferMatrixCSV()) {
			t.Errorf("%s differs from the world's offer matrix", matrix)
		}

		for i, m := range months {
			args := []string{"--db", db, "-o", "json", "prices", "fetch", "--market", "NL", "--month", m.Format("2006-01")}
			if i == 2 {
				args = []string{"--db", db, "-o", "json", "prices", "fetch", "--market", "NL", "--preview"}
			}
			var res struct {
				Fetches []struct {
					Market  string `json:"market"`
					Month   string `json:"month"`
					Preview bool   `json:"preview"`
					File    string `json:"file"`
					Saved   bool   `json:"saved"`
					Import  struct {
						Read    int `json:"read"`
						Written int `json:"written"`
					} `json:"import"`
				} `json:"fetches"`
			}
			if err := json.Unmarshal([]byte(mustRun(t, args...)), &res); err != nil {
				t.Fatal(err)
			}
			want, ok := world.PriceSheetCSV("NL", m)
			if !ok {
				t.Fatalf("the world publishes no NL list for %s", m.Format("2006-01"))
			}
			f := res.Fetches[0]
			name := filepath.Join(downloads, "pricesheet-NL-"+m.Format("2006-01")+".csv")
			if i == 2 { // next month's preview is kept apart from the list proper
				name = filepath.Join(downloads, "pricesheet-NL-"+m.Format("2006-01")+"-preview.csv")
			}
			if len(res.Fetches) != 1 || f.Month != m.Format("2006-01") || f.Preview != (i == 2) || f.File != name || !f.Saved {
				t.Errorf("fetch %s: %+v", m.Format("2006-01"), res.Fetches)
			}
			got, err := os.ReadFile(name)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s differs from the world's list (%v)", name, err)
			}
			// Complete: every data line of the world's list was read.
			if lines := bytes.Count(bytes.TrimRight(want, "\n"), []byte("\n")); f.Import.Read != lines {
				t.Errorf("%s: %d prices read, the list has %d rows", name, f.Import.Read, lines)
			}
		}

		var stored struct {
			Prices []struct {
				Source string `json:"source"`
			} `json:"prices"`
		}
		if err := json.Unmarshal([]byte(mustRun(t, "--db", db, "-o", "json", "prices", "list", "--market", "NL")), &stored); err != nil {
			t.Fatal(err)
		}
		prices := stored.Prices
		if len(prices) == 0 {
			t.Fatal("no NL prices stored")
		}
		for _, p := range prices {
			if !strings.HasPrefix(p.Source, filepath.Join(downloads, "pricesheet-NL-")) || !strings.Contains(p.Source, ".csv:") {
				t.Errorf("price source %q names no downloaded file and line", p.Source)
				break
			}
		}

		// The same lists again: nothing written, the files left as they were.
		before := priceSnapshot(t, db)
		for _, args := range [][]string{{"--month", this.Format("2006-01")}, {"--preview"}} {
			out = mustRun(t, append([]string{"--db", db, "prices", "fetch", "--market", "NL"}, args...)...)
			if !strings.Contains(out, "unchanged since it was last downloaded") || !strings.Contains(out, " 0 written, ") || !strings.Contains(out, " 0 ranges closed, 0 changes") {
				t.Errorf("re-fetch %s:\n%s", args, out)
			}
		}
		if after := priceSnapshot(t, db); after != before {
			t.Errorf("a re-fetch changed the stored prices")
		}
	})
	if n := srv.PartnerAPIDownloads(); n <= 2*(1+3+1) {
		t.Errorf("%d downloads for 10 files: the sandbox's throttling and cut-offs were never met", n)
	}
}

// priceSnapshot is every stored price and change.
func priceSnapshot(t *testing.T, db string) string {
	t.Helper()
	return mustRun(t, "--db", db, "-o", "json", "prices", "list") + mustRun(t, "--db", db, "-o", "json", "prices", "changes")
}
