package api

import (
	"context"
	"time"
)

// Scheduler is the job runner as the API sees it: what ran, what runs next, and a
// sync of one tenant queued now. The service's job runner implements it; without
// one the job endpoints answer 503.
type Scheduler interface {
	RecentJobs(ctx context.Context, limit int) ([]JobRun, error)
	NextRuns(ctx context.Context) ([]ScheduledJob, error)
	TriggerSync(ctx context.Context, tenantID string) (JobRun, error)
}

// JobRun is one job the scheduler ran or will run.
type JobRun struct {
	ID         int64      `json:"id"`
	Kind       string     `json:"kind"`
	Args       string     `json:"args"`
	State      string     `json:"state"`
	Queue      string     `json:"queue"`
	Attempt    int        `json:"attempt"`
	CreatedAt  time.Time  `json:"createdAt"`
	FinishedAt *time.Time `json:"finishedAt"`
	Error      string     `json:"error,omitempty"`
}

// ScheduledJob is a periodic job and when it runs next.
type ScheduledJob struct {
	Name     string    `json:"name"`
	Schedule string    `json:"schedule"`
	Next     time.Time `json:"next"`
}
