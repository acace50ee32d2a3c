package config

import (
	"strings"
	"testing"
	"time"
)

func TestJobScheduleErrorsNameTheKey(t *testing.T) {
	for _, tc := range []struct{ env, key string }{
		{"SEATLEDGER_JOBS_SYNC_SCHEDULE=0 25 * * *", "jobs.sync_schedule"},
		{"SEATLEDGER_JOBS_PRICES_SCHEDULE=every day", "jobs.prices_schedule"},
		{"SEATLEDGER_JOBS_NOTICES_SCHEDULE=*/5 * * *", "jobs.notices_schedule"},
		{"SEATLEDGER_JOBS_BILLING_SCHEDULE=0 6 32 * *", "jobs.billing_schedule"},
		{"SEATLEDGER_JOBS_TIMEZONE=Mars/Olympus", "jobs.timezone"},
		{"SEATLEDGER_JOBS_PRICE_MARKETS=NL,DEU", "jobs.price_markets"},
		{"SEATLEDGER_SERVER_ADDR=8080", "server.addr"},
		{"SEATLEDGER_SERVER_SHUTDOWN_GRACE=soon", "server.shutdown_grace"},
	} {
		_, err := Load("", []string{tc.env}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.key+" (from environment)") {
			t.Errorf("%s: err = %v, want it to name %s", tc.env, err, tc.key)
		}
	}
}

func TestJobDefaults(t *testing.T) {
	l, err := Load("", []string{"SEATLEDGER_JOBS_TIMEZONE=Europe/Amsterdam", "SEATLEDGER_JOBS_PRICE_MARKETS=nl, de,NL"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := l.Jobs
	if j.SyncSchedule != "0 2 * * *" || j.NoticesSchedule != "*/5 * * * *" || j.SyncWorkers != 4 || l.Server.ShutdownGrace != 30*time.Second {
		t.Errorf("defaults: %+v %+v", j, l.Server)
	}
	if strings.Join(j.PriceMarkets, ",") != "NL,DE" {
		t.Errorf("markets = %v", j.PriceMarkets)
	}
	s, err := ParseSchedule(j.SyncSchedule, j.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	// 02:00 in Amsterdam in winter is 01:00 UTC.
	next := s.Next(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if want := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC); !next.Equal(want) {
		t.Errorf("next = %s, want %s", next.UTC(), want)
	}
}
