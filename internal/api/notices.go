package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/store"
)

func (s *server) ListNotices(ctx context.Context, req ListNoticesRequestObject) (ListNoticesResponseObject, error) {
	var f store.NoticeFilter
	if st := req.Params.Status; st != nil {
		if !st.Valid() {
			return nil, badRequest{errors.New("status: not one a notice can have")}
		}
		f.Status = string(*st)
	}
	f.Kind = deref(req.Params.Kind)
	// Paged by key in the list's order (late first): notices created or sent between
	// two pages neither repeat nor drop one.
	limit, err := limitOf(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	if f.After, err = noticeCursor(req.Params.Cursor); err != nil {
		return nil, err
	}
	f.Limit = limit + 1
	list, err := s.appFor(ctx).Store.Notices(ctx, f)
	if err != nil {
		return nil, err
	}
	var p Page
	if len(list) > limit {
		list = list[:limit]
		k := store.KeyOf(list[limit-1])
		p.NextCursor = encodeCursor("n", fmt.Sprintf("%d|%s|%d", k.DaysLate, k.Due.UTC().Format(time.RFC3339Nano), k.ID))
	}
	// A list is for choosing; the bodies come with one notice.
	for i := range list {
		list[i].Text, list[i].HTML = "", ""
	}
	p.Items = anys(list)
	return ListNotices200JSONResponse{PageResponseJSONResponse(p)}, nil
}

// noticeCursor reads the position a notices page ends at.
func noticeCursor(c *string) (*store.NoticeKey, error) {
	pos, err := decodeCursor("n", c)
	if err != nil || pos == "" {
		return nil, err
	}
	var k store.NoticeKey
	late, rest, ok1 := strings.Cut(pos, "|")
	due, id, ok2 := strings.Cut(rest, "|")
	var err1, err2, err3 error
	k.DaysLate, err1 = strconv.Atoi(late)
	k.Due, err2 = time.Parse(time.RFC3339Nano, due)
	k.ID, err3 = strconv.ParseInt(id, 10, 64)
	if !ok1 || !ok2 || errors.Join(err1, err2, err3) != nil {
		return nil, badRequest{errors.New("cursor: not one this list gave out")}
	}
	return &k, nil
}

func (s *server) GetNotice(ctx context.Context, req GetNoticeRequestObject) (GetNoticeResponseObject, error) {
	n, err := s.appFor(ctx).Store.Notice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return GetNotice200JSONResponse(body(n)), nil
}

func (s *server) PreviewNotice(ctx context.Context, req PreviewNoticeRequestObject) (PreviewNoticeResponseObject, error) {
	n, err := s.appFor(ctx).Store.Notice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return noticeHTML(n.HTML), nil
}

// noticeHTML serves a notice's HTML part sandboxed: it holds customer names and
// is shown on the API's origin, so it may run no script there.
type noticeHTML string

func (h noticeHTML) VisitPreviewNoticeResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src data: https:; style-src 'unsafe-inline'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(h)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write([]byte(h))
	return err
}

func (s *server) setNotice(ctx context.Context, id int64, action string, r *Reason) (notices.Notice, error) {
	reason := reasonOf(r)
	if reason == "" {
		return notices.Notice{}, unprocessable{errors.New("reason: required to " + action + " a notice; it goes into the audit log")}
	}
	return s.appFor(ctx).SetNoticeStatus(ctx, id, action, reason)
}

func (s *server) HoldNotice(ctx context.Context, req HoldNoticeRequestObject) (HoldNoticeResponseObject, error) {
	n, err := s.setNotice(ctx, req.Id, store.NoticeHold, req.Body)
	if err != nil {
		return nil, err
	}
	return HoldNotice200JSONResponse(body(n)), nil
}

func (s *server) ReleaseNotice(ctx context.Context, req ReleaseNoticeRequestObject) (ReleaseNoticeResponseObject, error) {
	n, err := s.setNotice(ctx, req.Id, store.NoticeRelease, req.Body)
	if err != nil {
		return nil, err
	}
	return ReleaseNotice200JSONResponse(body(n)), nil
}

func (s *server) CancelNotice(ctx context.Context, req CancelNoticeRequestObject) (CancelNoticeResponseObject, error) {
	n, err := s.setNotice(ctx, req.Id, store.NoticeCancel, req.Body)
	if err != nil {
		return nil, err
	}
	return CancelNotice200JSONResponse(body(n)), nil
}
