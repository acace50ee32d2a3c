package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"

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
	list, err := s.appFor(ctx).Store.Notices(ctx, f)
	if err != nil {
		return nil, err
	}
	// A list is for choosing; the bodies come with one notice.
	for i := range list {
		list[i].Text, list[i].HTML = "", ""
	}
	p, err := slicePage(list, req.Params.Limit, req.Params.Cursor)
	return ListNotices200JSONResponse{PageResponseJSONResponse(p)}, err
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
