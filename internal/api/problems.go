package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/seatledger/seatledger/internal/ops"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/store"
)

// badRequest is an input the API itself refuses: a malformed cursor, period or
// parameter. unprocessable is a well-formed request the use case cannot act on,
// such as a missing reason.
type (
	badRequest    struct{ error }
	unprocessable struct{ error }
)

func (e badRequest) Unwrap() error    { return e.error }
func (e unprocessable) Unwrap() error { return e.error }

var errNoScheduler = errors.New("the scheduler is not running")

// statuses maps domain errors to HTTP, first match wins. Each listed error's
// message is written for people and safe to show; anything unlisted is a 500
// whose detail stays in the log.
var statuses = []struct {
	match  func(error) bool
	status int
	title  string
}{
	{is(errUnauthorized), http.StatusUnauthorized, "Unauthorized"},
	{as[forbiddenError], http.StatusForbidden, "Forbidden"},
	{is(errNoRoute), http.StatusNotFound, "Not found"},
	{is(errMethod), http.StatusMethodNotAllowed, "Method not allowed"},
	// Before ErrNotFound: an unknown customer named in a request body is a
	// request that cannot be acted on, not a missing resource.
	{is(app.ErrInvalid), http.StatusUnprocessableEntity, "Cannot be done"},
	{is(store.ErrNotFound), http.StatusNotFound, "Not found"},
	{is(app.ErrUnknownTenant), http.StatusNotFound, "Not found"},
	{is(store.ErrAmbiguous), http.StatusConflict, "Ambiguous"},
	{is(store.ErrNoticeState), http.StatusConflict, "Not allowed in the notice's status"},
	{as[*store.ApprovedError], http.StatusConflict, "The month is approved"},
	{is(store.ErrTokenExists), http.StatusConflict, "Exists already"},
	{as[badRequest], http.StatusBadRequest, "Bad request"},
	{as[problems.List], http.StatusUnprocessableEntity, "Invalid input"},
	{as[unprocessable], http.StatusUnprocessableEntity, "Cannot be done"},
	{is(errNoScheduler), http.StatusServiceUnavailable, "Service unavailable"},
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func as[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// problemBody is an RFC 9457 problem document.
type problemBody struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`
}

// problem answers err as a problem document with the status the table gives it.
func (s *server) problem(w http.ResponseWriter, r *http.Request, err error) {
	if sw, ok := w.(*statusWriter); ok && sw.started {
		s.log.Warn("api answer cut off", "request_id", ops.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	p := problemBody{Type: "about:blank", Status: http.StatusInternalServerError, Title: "Internal error",
		Detail: "the request failed on the server; the log has the reason", Instance: r.URL.Path}
	for _, e := range statuses {
		if e.match(err) {
			p.Status, p.Title, p.Detail = e.status, e.title, err.Error()
			break
		}
	}
	if p.Status == http.StatusInternalServerError {
		s.log.Error("api request failed", "request_id", ops.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="seatledger"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// requestError answers what the generated code could not parse.
func (s *server) requestError(w http.ResponseWriter, r *http.Request, err error) {
	s.problem(w, r, badRequest{err})
}

func (s *server) responseError(w http.ResponseWriter, r *http.Request, err error) {
	s.problem(w, r, err)
}
