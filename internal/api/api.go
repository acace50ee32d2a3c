// Package api is seatledger's HTTP API: JSON under /api/v1, described by the OpenAPI
// document openapi.yaml (served as /openapi.json). The server code is generated from
// that document; the handlers call the application layer and hold no logic of their
// own.
package api

//go:generate go tool oapi-codegen -config oapi.yaml openapi.yaml

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/seatledger/seatledger/internal/app"
)

//go:embed openapi.yaml
var openAPIYAML []byte

// Options for New.
type Options struct {
	App *app.App
	// Scheduler answers the job endpoints; nil when no job runner is running.
	Scheduler Scheduler
	Log       *slog.Logger
}

// New returns the handler of /api/v1/... and /openapi.json. Routes are Go 1.22
// ServeMux patterns (method and path), so a caller's middleware can label
// requests by r.Pattern.
func New(o Options) (http.Handler, error) {
	if o.App == nil {
		return nil, errors.New("api: no application")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	doc, err := openAPIJSON()
	if err != nil {
		return nil, err
	}
	s := &server{app: o.App, scheduler: o.Scheduler, log: o.Log}
	mux := &recordingMux{ServeMux: http.NewServeMux()}
	strict := NewStrictHandlerWithOptions(s, nil, StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestError,
		ResponseErrorHandlerFunc: s.responseError,
	})
	HandlerWithOptions(strict, StdHTTPServerOptions{BaseRouter: mux, ErrorHandlerFunc: s.requestError})
	for _, p := range mux.patterns {
		if _, ok := access[p]; !ok {
			return nil, fmt.Errorf("api: route %s has no role in the access table", p)
		}
	}
	mux.ServeMux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	})
	return &guard{server: s, mux: mux.ServeMux, patterns: mux.patterns}, nil
}

// Routes lists the patterns the handler serves under /api/v1, in the order they
// were registered.
func Routes(h http.Handler) []string {
	if g, ok := h.(*guard); ok {
		return slices.Clone(g.patterns)
	}
	return nil
}

// OpenAPI returns the embedded OpenAPI document as written (YAML).
func OpenAPI() []byte { return slices.Clone(openAPIYAML) }

func openAPIJSON() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openAPIYAML, &doc); err != nil {
		return nil, fmt.Errorf("api: read openapi.yaml: %w", err)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("api: openapi.yaml as JSON: %w", err)
	}
	return out, nil
}

// recordingMux keeps the patterns the generated code registers, so that the access
// table and the document can be checked against them.
type recordingMux struct {
	*http.ServeMux
	patterns []string
}

func (m *recordingMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.patterns = append(m.patterns, pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

// server implements the generated StrictServerInterface.
type server struct {
	app       *app.App
	scheduler Scheduler
	log       *slog.Logger
}

type appKey struct{}

// appFor is the App of the request: the server's, acting as the request's token, so
// that what the request changes is audited in the token's name.
func (s *server) appFor(ctx context.Context) *app.App {
	if a, ok := ctx.Value(appKey{}).(*app.App); ok {
		return a
	}
	return s.app
}
