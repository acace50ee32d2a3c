package redact

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://app:hunter2@db:5432/sl?sslmode=verify-full&sslpassword=hunter3": "postgres://app:xxxxx@db:5432/sl?sslmode=verify-full&sslpassword=xxxxx",
		"postgres://app@db/sl?password=hunter2":                                     "postgres://app@db/sl?password=xxxxx",
		"postgresql://db/sl?PGPASSWORD=hunter2&application_name=sl":                 "postgresql://db/sl?PGPASSWORD=xxxxx&application_name=sl",
		"https://reader:hunter2@store.example/skus.csv":                             "https://xxxxx@store.example/skus.csv",
		"https://ghp_hunter2@store.example/skus.csv":                                "https://xxxxx@store.example/skus.csv",
		"https://store.example/skus.csv?sv=2024-01-01&se=2026&sig=hunter2%3D":       "https://store.example/skus.csv?sv=xxxxx&se=xxxxx&sig=xxxxx",
		"https://store.example/skus.csv#access_token=hunter2":                       "https://store.example/skus.csv#xxxxx",
		"https://download.microsoft.com/a/b.csv":                                    "https://download.microsoft.com/a/b.csv",
		"postgres://app:hunter2%@db/sl":                                             "(not shown: not a valid URL)",
		"sqlite:./seatledger.db":                                                    "sqlite:./seatledger.db",
		"":                                                                          "",
	} {
		if got := URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorScrubsSecretsAndKeepsTheChain(t *testing.T) {
	base := errors.New("cannot parse postgres://app:hunter2@db/sl?sslpassword=p%26ss")
	err := Error(base, Secrets("postgres://app:hunter2@db/sl?sslpassword=p%26ss")...)
	if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "p%26ss") || !errors.Is(err, base) {
		t.Errorf("err = %v", err)
	}
}

// The HTTP client quotes the request URL, query included, in its errors.
func TestURLErrorHidesTheQuery(t *testing.T) {
	_, err := http.Get("http://127.0.0.1:1/skus.csv?sig=hunter2")
	if err == nil {
		t.Fatal("connected to port 1")
	}
	got := URLError(err).Error()
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "sig=xxxxx") {
		t.Errorf("err = %s", got)
	}
}
