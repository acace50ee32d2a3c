package api

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/seatledger/seatledger/internal/customers"
)

func (s *server) ListCustomers(ctx context.Context, req ListCustomersRequestObject) (ListCustomersResponseObject, error) {
	if st := req.Params.Status; st != nil && !st.Valid() {
		return nil, badRequest{fmt.Errorf("status %q: give active, discovered or ended", *st)}
	}
	list, err := s.appFor(ctx).Customers(ctx)
	if err != nil {
		return nil, err
	}
	if st := req.Params.Status; st != nil {
		list = slices.DeleteFunc(list, func(c customers.Customer) bool { return c.Status != string(*st) })
	}
	p, err := slicePage(list, req.Params.Limit, req.Params.Cursor)
	return ListCustomers200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) GetCustomer(ctx context.Context, req GetCustomerRequestObject) (GetCustomerResponseObject, error) {
	c, err := s.appFor(ctx).Customer(ctx, req.Customer)
	if err != nil {
		return nil, err
	}
	return GetCustomer200JSONResponse(body(c)), nil
}

func (s *server) ListUsers(ctx context.Context, req ListUsersRequestObject) (ListUsersResponseObject, error) {
	list, err := s.appFor(ctx).Users(ctx, req.Customer)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(list, req.Params.Limit, req.Params.Cursor)
	return ListUsers200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) GetUserHistory(ctx context.Context, req GetUserHistoryRequestObject) (GetUserHistoryResponseObject, error) {
	rec, err := s.appFor(ctx).UserHistory(ctx, req.Customer, req.User)
	if err != nil {
		return nil, err
	}
	return GetUserHistory200JSONResponse(body(rec)), nil
}

func (s *server) ListSubscriptions(ctx context.Context, req ListSubscriptionsRequestObject) (ListSubscriptionsResponseObject, error) {
	subs, err := s.appFor(ctx).Subscriptions(ctx, req.Customer)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(subs.Subscriptions, req.Params.Limit, req.Params.Cursor)
	return ListSubscriptions200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) GetReconciliation(ctx context.Context, req GetReconciliationRequestObject) (GetReconciliationResponseObject, error) {
	a := s.appFor(ctx)
	// A customer the registry does not know is a 404, not an empty reconciliation.
	if _, err := a.Customer(ctx, req.Customer); err != nil {
		return nil, err
	}
	rows, err := a.Reconcile(ctx, req.Customer, nil)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(rows, req.Params.Limit, req.Params.Cursor)
	return GetReconciliation200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) ListSeats(ctx context.Context, req ListSeatsRequestObject) (ListSeatsResponseObject, error) {
	a := s.appFor(ctx)
	var tenants []string
	if c := req.Params.Customer; c != nil && *c != "" {
		cust, err := a.Customer(ctx, *c)
		if err != nil {
			return nil, err
		}
		tenants = []string{cust.TenantID}
	}
	lines, err := a.Seats(ctx, tenants)
	if err != nil {
		return nil, err
	}
	p, err := slicePage(lines, req.Params.Limit, req.Params.Cursor)
	return ListSeats200JSONResponse{PageResponseJSONResponse(p)}, err
}

func (s *server) TriggerSync(ctx context.Context, req TriggerSyncRequestObject) (TriggerSyncResponseObject, error) {
	if s.scheduler == nil {
		return nil, errNoScheduler
	}
	a := s.appFor(ctx)
	c, err := a.Customer(ctx, req.Customer)
	if err != nil {
		return nil, err
	}
	job, err := s.scheduler.TriggerSync(ctx, c.TenantID)
	if err != nil {
		return nil, fmt.Errorf("queue a sync of %s: %w", c.TenantID, err)
	}
	if err := a.RecordAction(ctx, "sync.queue", c.TenantID, fmt.Sprintf("job %d for %s", job.ID, c.Name)); err != nil {
		return nil, err
	}
	return TriggerSync202JSONResponse(body(job)), nil
}

func (s *server) ListJobs(ctx context.Context, req ListJobsRequestObject) (ListJobsResponseObject, error) {
	if s.scheduler == nil {
		return nil, errNoScheduler
	}
	n, err := limitOf(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	if req.Params.Cursor != nil && *req.Params.Cursor != "" {
		return nil, badRequest{errors.New("cursor: the recent jobs are one page")}
	}
	jobs, err := s.scheduler.RecentJobs(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("read recent jobs: %w", err)
	}
	return ListJobs200JSONResponse{PageResponseJSONResponse{Items: anys(jobs)}}, nil
}

func (s *server) ListSchedule(ctx context.Context, req ListScheduleRequestObject) (ListScheduleResponseObject, error) {
	if s.scheduler == nil {
		return nil, errNoScheduler
	}
	next, err := s.scheduler.NextRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the schedule: %w", err)
	}
	p, err := slicePage(next, req.Params.Limit, req.Params.Cursor)
	return ListSchedule200JSONResponse{PageResponseJSONResponse(p)}, err
}
