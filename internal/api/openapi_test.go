package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/seatledger/seatledger/internal/api"
	"github.com/seatledger/seatledger/internal/app"
)

// newBareApp is an App for tests that only build the handler: New reads nothing.
func newBareApp(t *testing.T) *app.App {
	t.Helper()
	return &app.App{Actor: "test"}
}

// The document is valid OpenAPI, and it and the handler name the same routes.
func TestAPIOpenAPIDocument(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPI())
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			documented = append(documented, method+" "+path)
			if op.OperationID == "" || op.Responses.Default() == nil {
				t.Errorf("%s %s: every operation has an id and a problem answer", method, path)
			}
		}
	}
	h, err := api.New(api.Options{App: newBareApp(t)})
	if err != nil {
		t.Fatal(err)
	}
	served := api.Routes(h)
	slices.Sort(documented)
	slices.Sort(served)
	for _, r := range served {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is served but not in openapi.yaml", r)
		}
	}
	for _, r := range documented {
		if !slices.Contains(served, r) {
			t.Errorf("%s is in openapi.yaml but not served", r)
		}
	}
	if len(served) < 30 {
		t.Errorf("only %d routes served", len(served))
	}

	// The same document is served as JSON, without a token.
	srv := httptest.NewServer(h)
	defer srv.Close()
	res, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var served3 map[string]any
	if err := json.NewDecoder(res.Body).Decode(&served3); err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("/openapi.json: %d %v", res.StatusCode, err)
	}
	if served3["openapi"] != "3.1.0" {
		t.Fatalf("/openapi.json: openapi %v", served3["openapi"])
	}
	// Nothing else is served outside /api/v1.
	res2, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNotFound || res2.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("/metrics: %d, want a 404 problem", res2.StatusCode)
	}
	req, _ := http.NewRequest("PUT", srv.URL+"/api/v1/customers", nil)
	res3, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res3.Body.Close()
	if res3.StatusCode != http.StatusMethodNotAllowed || res3.Header.Get("Allow") != "GET" {
		t.Fatalf("PUT /api/v1/customers: %d, Allow %q", res3.StatusCode, res3.Header.Get("Allow"))
	}
}
