package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func noticeFor(i int, due time.Time) notices.Notice {
	key := notices.Key(notices.Renewal, "t1", "nl", fmt.Sprintf("sub-%d", i), "2027-01-01")
	reaches := due.AddDate(0, 0, 30)
	return notices.Notice{Key: key, Kind: notices.Renewal, TenantID: "t1", Customer: "Bakker BV", Locale: "nl", Language: "nl",
		Recipients: []notices.Recipient{{Name: "IT", Email: "it@bakker.example"}}, Reaches: &reaches, Due: due,
		Subject: "Verlenging ćčđ €", Text: "tekst", HTML: "<p>tekst</p>", MessageID: notices.MessageID(key, "partner.example"),
		Letter: notices.Letter{Kind: notices.Renewal, Customer: "Bakker BV", Locale: "nl", Currency: "EUR", Reaches: reaches}}
}

// A notice is made once however often it is detected; finance's hold, release and
// cancel follow the allowed moves and are audited; a delivery is recorded only by
// the sender that holds the claim.
func TestNoticesOutbox(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := time.Now().UTC().Truncate(24 * time.Hour)
		list := []notices.Notice{noticeFor(1, today), noticeFor(2, today), noticeFor(3, today.AddDate(0, 0, 5))}
		created, err := s.CreateNotices(ctx, list)
		if err != nil || len(created) != 3 {
			t.Fatalf("created %d, %v", len(created), err)
		}
		again, err := s.CreateNotices(ctx, list[:2])
		if err != nil || len(again) != 0 {
			t.Fatalf("created again %d, %v", len(again), err)
		}
		n, err := s.Notice(ctx, created[0].ID)
		if err != nil || n.Subject != "Verlenging ćčđ €" || n.Recipients[0].Email != "it@bakker.example" || n.Letter.Currency != "EUR" || !n.Reaches.Equal(*list[0].Reaches) {
			t.Fatalf("read back %+v, %v", n, err)
		}
		due, err := s.Notices(ctx, store.NoticeFilter{Status: "due"})
		if err != nil || len(due) != 2 {
			t.Fatalf("due %d, %v", len(due), err)
		}
		if _, err := s.SetNoticeStatus(ctx, created[0].ID, store.NoticeRelease, "why", "fin"); !errors.Is(err, store.ErrNoticeState) {
			t.Errorf("release of a pending notice: %v", err)
		}
		if h, err := s.SetNoticeStatus(ctx, created[0].ID, store.NoticeHold, "customer asked to wait", "fin"); err != nil || h.Status != notices.StatusHeld {
			t.Fatalf("hold: %+v %v", h, err)
		}
		claimed, err := s.ClaimNotices(ctx, "a", 10, time.Minute)
		if err != nil || len(claimed) != 1 || claimed[0].ID != created[1].ID {
			t.Fatalf("claimed %v, %v; want only the due, unheld notice", claimed, err)
		}
		if ok, err := s.RecordDelivery(ctx, "b", store.NoticeOutcome{ID: created[1].ID, Proof: "250 ok"}); ok || err != nil {
			t.Errorf("a sender without the claim recorded: %v %v", ok, err)
		}
		if ok, err := s.RecordDelivery(ctx, "a", store.NoticeOutcome{ID: created[1].ID, Proof: "250 2.0.0 queued as 7", Transport: "smtp"}); !ok || err != nil {
			t.Fatalf("record: %v %v", ok, err)
		}
		if _, err := s.SetNoticeStatus(ctx, created[1].ID, store.NoticeCancel, "late", "fin"); !errors.Is(err, store.ErrNoticeState) {
			t.Errorf("cancel of a sent notice: %v", err)
		}
		sent, _ := s.Notice(ctx, created[1].ID)
		if sent.Status != notices.StatusSent || sent.Proof != "250 2.0.0 queued as 7" || sent.SentAt == nil || sent.Attempts != 1 {
			t.Errorf("sent notice %+v", sent)
		}
		if _, err := s.SetNoticeStatus(ctx, created[0].ID, store.NoticeCancel, "contract ended", "fin"); err != nil {
			t.Fatal(err)
		}
		log, err := s.AuditLog(ctx, 10)
		if err != nil || len(log) < 2 || log[0].Action != "notice.cancel" || log[0].Actor != "fin" || log[1].Action != "notice.hold" {
			t.Errorf("audit log %+v, %v", log, err)
		}
		if claimed, _ := s.ClaimNotices(ctx, "a", 10, time.Minute); len(claimed) != 0 {
			t.Errorf("claimed %d more; want none (sent, cancelled, not yet due)", len(claimed))
		}
	})
}

// Eight senders claiming at once on PostgreSQL take each due notice once.
func TestNoticeClaimsDoNotOverlap(t *testing.T) {
	s := storetest.Postgres(t)
	ctx := context.Background()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var list []notices.Notice
	for i := range 200 {
		list = append(list, noticeFor(i, today))
	}
	if _, err := s.CreateNotices(ctx, list); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for {
				claimed, err := s.ClaimNotices(ctx, fmt.Sprint("sender-", w), 7, time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if len(claimed) == 0 {
					return
				}
				mu.Lock()
				for _, n := range claimed {
					seen[n.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Errorf("%d notices claimed, want 200", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("notice %d claimed %d times", id, n)
		}
	}
}

// Pages follow the list's order (late first, then the day due) by key: a notice
// created between two pages, even one sorting before the page's end, neither repeats
// a notice nor drops one.
func TestNoticePagesByKey(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		today := time.Now().UTC().Truncate(24 * time.Hour)
		var list []notices.Notice
		for i := range 25 {
			n := noticeFor(i, today.AddDate(0, 0, i%5))
			n.DaysLate = (i % 3) * 4
			list = append(list, n)
		}
		if _, err := s.CreateNotices(ctx, list); err != nil {
			t.Fatal(err)
		}
		all, err := s.Notices(ctx, store.NoticeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var paged []int64
		var after *store.NoticeKey
		for page := 0; ; page++ {
			got, err := s.Notices(ctx, store.NoticeFilter{After: after, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			for _, n := range got {
				paged = append(paged, n.ID)
			}
			k := store.KeyOf(got[len(got)-1])
			after = &k
			if page == 1 {
				late := noticeFor(100, today)
				late.DaysLate = 99 // sorts first: before every page already read
				if _, err := s.CreateNotices(ctx, []notices.Notice{late}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if len(paged) != len(all) {
			t.Fatalf("paged %d notices, want the %d there were when paging began", len(paged), len(all))
		}
		for i := range all {
			if paged[i] != all[i].ID {
				t.Fatalf("page order differs at %d: %v, want %v", i, paged, all)
			}
		}
	})
}
