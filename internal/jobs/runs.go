package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/seatledger/seatledger/internal/app"
)

// JobRun is one job as the API shows it.
type JobRun struct {
	ID         int64
	Kind       string
	Args       string
	State      string
	Queue      string
	Attempt    int
	CreatedAt  time.Time
	FinishedAt *time.Time
	Error      string
}

// ScheduledJob is a periodic job and when it runs next.
type ScheduledJob struct {
	Name     string
	Schedule string
	Next     time.Time
}

// RecentJobs lists the newest jobs first, at most limit (1-1000, default 50).
func (s *Scheduler) RecentJobs(ctx context.Context, limit int) ([]JobRun, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	res, err := s.client.JobList(ctx, river.NewJobListParams().OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("recent jobs: %w", err)
	}
	out := make([]JobRun, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		out = append(out, jobRun(j))
	}
	return out, nil
}

func jobRun(j *rivertype.JobRow) JobRun {
	r := JobRun{ID: j.ID, Kind: j.Kind, Args: string(j.EncodedArgs), State: string(j.State), Queue: j.Queue,
		Attempt: j.Attempt, CreatedAt: j.CreatedAt, FinishedAt: j.FinalizedAt}
	if n := len(j.Errors); n > 0 {
		r.Error = j.Errors[n-1].Error
	}
	return r
}

// NextRuns lists the periodic jobs and their next tick after the application's now.
func (s *Scheduler) NextRuns(ctx context.Context) ([]ScheduledJob, error) {
	now := s.app.Now()
	out := make([]ScheduledJob, 0, len(s.schedules))
	for _, sc := range s.schedules {
		out = append(out, ScheduledJob{Name: sc.name, Schedule: sc.expr, Next: sc.cron.Next(now.In(s.loc)).UTC()})
	}
	return out, nil
}

// TriggerSync enqueues a sync of one registered tenant now, apart from its daily
// one; an unregistered tenant is refused with app.ErrUnknownTenant.
func (s *Scheduler) TriggerSync(ctx context.Context, tenantID string) (JobRun, error) {
	list, err := s.app.Customers(ctx)
	if err != nil {
		return JobRun{}, fmt.Errorf("trigger sync: %w", err)
	}
	known := false
	for _, c := range list {
		known = known || c.TenantID == tenantID
	}
	if !known {
		return JobRun{}, fmt.Errorf("trigger sync: tenant %s: %w", tenantID, app.ErrUnknownTenant)
	}
	now := s.app.Now()
	args := TenantSyncArgs{TenantID: tenantID, Day: dayOf(now, s.loc), Trigger: "manual-" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	res, err := s.client.Insert(ctx, args, &river.InsertOpts{Priority: 1})
	if err != nil {
		return JobRun{}, fmt.Errorf("trigger sync: %w", err)
	}
	return jobRun(res.Job), nil
}
