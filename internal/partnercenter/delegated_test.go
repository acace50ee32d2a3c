package partnercenter_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/seatledger/seatledger/internal/partnercenter"
	"github.com/seatledger/seatledger/internal/sandbox"
)

// signInCloud is the simulated cloud, with its download faults off unless a test
// asks for them, and the configuration of the real MSAL client against it.
func signInCloud(t *testing.T) (*sandbox.Server, partnercenter.DelegatedConfig) {
	t.Helper()
	w, err := sandbox.Generate(sandbox.Options{Seed: 7, Tenants: 3})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sandbox.NewServer(w, sandbox.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.SetDownloadFaults(false)
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, srv.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, partnercenter.DelegatedConfig{
		PartnerTenantID: sandbox.PartnerTenantID, ClientID: srv.ClientID(), AuthorityHost: srv.AuthorityHost(),
		BaseURL: srv.PartnerCenterBaseURL(), CAFile: caFile, CacheFile: filepath.Join(dir, "state", "partner-center.tokens"),
		CacheKey: newKey(t), RequestTimeout: 10 * time.Second, MaxDelay: 20 * time.Millisecond,
	}
}

func newKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func delegated(t *testing.T, cfg partnercenter.DelegatedConfig) *partnercenter.Delegated {
	t.Helper()
	d, err := partnercenter.NewDelegated(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// login signs the simulated user in and returns Microsoft's message.
func login(t *testing.T, d *partnercenter.Delegated) string {
	t.Helper()
	var message string
	u, err := d.Login(context.Background(), func(m string) { message = m })
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != sandbox.PartnerUser.Username || u.TenantID != sandbox.PartnerTenantID {
		t.Fatalf("signed in %+v, want %s of %s", u, sandbox.PartnerUser.Username, sandbox.PartnerTenantID)
	}
	return message
}

// capture keeps what the token cache hands MSAL.
type capture struct{ b []byte }

func (c *capture) Unmarshal(b []byte) error { c.b = b; return nil }

// refreshTokens decrypts the cache file with the key and lists its refresh tokens.
func refreshTokens(t *testing.T, path string, key []byte) []string {
	t.Helper()
	fc, err := partnercenter.NewFileCache(path, key)
	if err != nil {
		t.Fatal(err)
	}
	var c capture
	if err := fc.Replace(context.Background(), &c, cache.ReplaceHints{}); err != nil {
		t.Fatal(err)
	}
	var contract struct {
		RefreshToken map[string]struct {
			Secret string `json:"secret"`
		}
	}
	if err := json.Unmarshal(c.b, &contract); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, rt := range contract.RefreshToken {
		out = append(out, rt.Secret)
	}
	return out
}

func TestLoginWritesAnEncryptedCache(t *testing.T) {
	srv, cfg := signInCloud(t)
	message := login(t, delegated(t, cfg))
	if !strings.Contains(message, srv.URL()+"/devicelogin") || !strings.Contains(message, "enter the code") {
		t.Errorf("message %q names neither the page nor the code", message)
	}
	info, err := os.Stat(cfg.CacheFile)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %v, want 0600", info.Mode().Perm())
	}
	raw, err := os.ReadFile(cfg.CacheFile)
	if err != nil {
		t.Fatal(err)
	}
	rts := refreshTokens(t, cfg.CacheFile, cfg.CacheKey)
	if len(rts) != 1 || !strings.HasPrefix(rts[0], "RT.") {
		t.Fatalf("refresh tokens in the cache: %q, want the one issued", rts)
	}
	for _, secret := range []string{rts[0], sandbox.PartnerUser.Username, "sandboxuser."} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("the cache file holds %q in clear", secret)
		}
	}
}

func TestANewClientFetchesSilentlyAndKeepsTheRotatedRefreshToken(t *testing.T) {
	srv, cfg := signInCloud(t)
	// Tokens that expire within MSAL's five-minute margin are refreshed on every use,
	// and the sandbox spends a refresh token when it is used.
	srv.SetUserTokenLifetime(time.Minute)
	login(t, delegated(t, cfg))
	first := refreshTokens(t, cfg.CacheFile, cfg.CacheKey)
	for i := range 3 {
		got, err := delegated(t, cfg).OfferMatrix(context.Background(), srv.Now())
		if err != nil {
			t.Fatalf("download %d: %v", i+1, err)
		}
		if !bytes.Equal(got, srv.OfferMatrixCSV()) {
			t.Fatalf("download %d: the offer matrix differs from the world's", i+1)
		}
	}
	last := refreshTokens(t, cfg.CacheFile, cfg.CacheKey)
	if len(last) != 1 || last[0] == first[0] {
		t.Errorf("refresh tokens after refreshing: %d, rotated %v", len(last), last[0] != first[0])
	}
}

func TestWrongKeyOrDamagedCacheSaysSignInAgain(t *testing.T) {
	srv, cfg := signInCloud(t)
	login(t, delegated(t, cfg))
	wrong := cfg
	wrong.CacheKey = newKey(t)
	_, err := delegated(t, wrong).OfferMatrix(context.Background(), srv.Now())
	if !errors.Is(err, partnercenter.ErrSignIn) || !strings.Contains(err.Error(), "sign in again") || !strings.Contains(err.Error(), "cannot be decrypted") {
		t.Errorf("wrong key: %v", err)
	}
	raw, _ := os.ReadFile(cfg.CacheFile)
	raw[len(raw)-3] ^= 0xff
	if err := os.WriteFile(cfg.CacheFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := delegated(t, cfg).Status(context.Background()); !errors.Is(err, partnercenter.ErrSignIn) {
		t.Errorf("damaged cache: %v", err)
	}
	// A new sign-in replaces what cannot be read.
	login(t, delegated(t, wrong))
	if _, err := delegated(t, wrong).OfferMatrix(context.Background(), srv.Now()); err != nil {
		t.Errorf("after signing in again: %v", err)
	}
}

func TestRevokedSignInSaysSignInAgain(t *testing.T) {
	srv, cfg := signInCloud(t)
	srv.SetUserTokenLifetime(time.Minute)
	login(t, delegated(t, cfg))
	srv.RevokeSignIns()
	_, err := delegated(t, cfg).OfferMatrix(context.Background(), srv.Now())
	if !errors.Is(err, partnercenter.ErrSignIn) || !strings.Contains(err.Error(), "expired or was revoked") || !strings.Contains(err.Error(), "AADSTS50173") {
		t.Errorf("revoked: %v", err)
	}
	if strings.Contains(err.Error(), "RT.") {
		t.Errorf("the error quotes a refresh token: %v", err)
	}
}

func TestNobodySignedIn(t *testing.T) {
	srv, cfg := signInCloud(t)
	d := delegated(t, cfg)
	_, err := d.PriceSheet(context.Background(), "NL", srv.Now(), srv.Now())
	if !errors.Is(err, partnercenter.ErrSignIn) || !strings.Contains(err.Error(), "nobody is signed in") {
		t.Errorf("not signed in: %v", err)
	}
	if _, err := d.Status(context.Background()); !errors.Is(err, partnercenter.ErrSignIn) {
		t.Errorf("status: %v", err)
	}
}

func TestDeclinedAndExpiredSignIns(t *testing.T) {
	for _, tc := range []struct {
		outcome sandbox.SignInOutcome
		want    string
	}{
		{sandbox.SignInDeclined, "declined"},
		{sandbox.SignInExpired, "code expired"},
	} {
		srv, cfg := signInCloud(t)
		srv.SetSignInOutcome(tc.outcome)
		_, err := delegated(t, cfg).Login(context.Background(), func(string) {})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("outcome %d: %v, want %q", tc.outcome, err, tc.want)
		}
		if _, err := os.Stat(cfg.CacheFile); err == nil {
			t.Errorf("outcome %d left a token cache", tc.outcome)
		}
	}
}

func TestLogoutRemovesTheCache(t *testing.T) {
	_, cfg := signInCloud(t)
	d := delegated(t, cfg)
	login(t, d)
	if u, err := d.Status(context.Background()); err != nil || u.Username != sandbox.PartnerUser.Username {
		t.Fatalf("status: %+v, %v", u, err)
	}
	if removed, err := d.Logout(); err != nil || !removed {
		t.Fatalf("logout: %v, %v", removed, err)
	}
	if _, err := os.Stat(cfg.CacheFile); err == nil {
		t.Error("the cache file is still there")
	}
	if _, err := d.Status(context.Background()); !errors.Is(err, partnercenter.ErrSignIn) {
		t.Errorf("status after logout: %v", err)
	}
}

func TestThrottledAndCutOffDownloadsAreRetried(t *testing.T) {
	srv, cfg := signInCloud(t)
	d := delegated(t, cfg)
	login(t, d)
	srv.FailNextDownloads(sandbox.DownloadThrottled, sandbox.DownloadCutOff, sandbox.DownloadCutOffClean)
	got, err := d.OfferMatrix(context.Background(), srv.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, srv.OfferMatrixCSV()) {
		t.Error("the offer matrix after retries differs from the world's")
	}
	if n := srv.PartnerAPIDownloads(); n != 4 {
		t.Errorf("%d downloads, want 4 (three faults, then the file)", n)
	}

	cfg.MaxRetries = 2
	srv.FailNextDownloads(sandbox.DownloadCutOffClean, sandbox.DownloadCutOff, sandbox.DownloadCutOffClean)
	_, err = delegated(t, cfg).OfferMatrix(context.Background(), srv.Now())
	if err == nil || !strings.Contains(err.Error(), "cut off") {
		t.Errorf("three cut-off downloads with 2 retries: %v", err)
	}
}

func TestUnpublishedMonthAndMarket(t *testing.T) {
	srv, cfg := signInCloud(t)
	d := delegated(t, cfg)
	login(t, d)
	now := srv.Now()
	for _, tc := range []struct {
		market string
		month  time.Time
	}{{"ZZ", now}, {"NL", now.AddDate(-3, 0, 0)}} {
		_, err := d.PriceSheet(context.Background(), tc.market, tc.month, now)
		if err == nil || !strings.Contains(err.Error(), "not published") || !strings.Contains(err.Error(), "HTTP 404") {
			t.Errorf("%s %s: %v", tc.market, tc.month.Format("2006-01"), err)
		}
	}
	if _, err := d.PriceSheet(context.Background(), "NL", now.AddDate(0, 2, 0), now); err == nil {
		t.Error("a month after next was asked for")
	}
}

func TestCacheKey(t *testing.T) {
	k := newKey(t)
	for _, s := range []string{base64.StdEncoding.EncodeToString(k) + "\n", base64.RawURLEncoding.EncodeToString(k)} {
		got, err := partnercenter.ParseCacheKey(s)
		if err != nil || !bytes.Equal(got, k) {
			t.Errorf("ParseCacheKey(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "c2hvcnQ=", "not base64!"} {
		_, err := partnercenter.ParseCacheKey(s)
		if err == nil || !strings.Contains(err.Error(), "head -c 32 /dev/urandom | base64") {
			t.Errorf("ParseCacheKey(%q): %v", s, err)
		}
	}
}

// Every market's three published months come down whole, through the sandbox's
// occasional throttling and cut-off downloads.
func TestPriceSheetsOfEveryMarketAndMonth(t *testing.T) {
	srv, cfg := signInCloud(t)
	srv.SetDownloadFaults(true)
	d := delegated(t, cfg)
	login(t, d)
	var months []time.Time
	srv.Mutate(func(w *sandbox.World) { months = w.PriceSheetMonths() })
	for _, market := range sandbox.PriceSheetMarkets {
		for _, month := range months {
			got, err := d.PriceSheet(context.Background(), market, month, srv.Now())
			if err != nil {
				t.Fatalf("%s %s: %v", market, month.Format("2006-01"), err)
			}
			var want []byte
			srv.Mutate(func(w *sandbox.World) { want, _ = w.PriceSheetCSV(market, month) })
			if !bytes.Equal(got, want) {
				t.Errorf("%s %s: the download differs from the world's list", market, month.Format("2006-01"))
			}
		}
	}
	if n, files := srv.PartnerAPIDownloads(), len(sandbox.PriceSheetMarkets)*len(months); n <= files {
		t.Errorf("%d downloads for %d files: no fault was met", n, files)
	}
}
