package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/mail"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/config"
	"github.com/seatledger/seatledger/internal/contracts"
	"github.com/seatledger/seatledger/internal/customers"
	smail "github.com/seatledger/seatledger/internal/mail"
	"github.com/seatledger/seatledger/internal/mail/smtptest"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/pricing"
	"github.com/seatledger/seatledger/internal/store"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// outboxApp is an App on s with n due notices stored, and an SMTP server to send
// them to.
func outboxApp(t testing.TB, s *store.Store, n int) (*App, *smtptest.Server, smail.Transport) {
	t.Helper()
	cfg, err := config.Load("", nil, map[string]string{"notices.from": "licences@partner.example", "notices.partner_name": "Partner BV"})
	if err != nil {
		t.Fatal(err)
	}
	a := &App{Config: cfg, Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Actor: "test"}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	var list []notices.Notice
	for i := range n {
		key := notices.Key(notices.Renewal, fmt.Sprint("tenant-", i%7), "hr", fmt.Sprint("sub-", i))
		list = append(list, notices.Notice{Key: key, Kind: notices.Renewal, TenantID: fmt.Sprint("tenant-", i%7), Customer: "Đurđević d.o.o.",
			Locale: "hr", Language: "hr", Recipients: []notices.Recipient{{Name: "Ivana Ćorić", Email: fmt.Sprintf("it%d@durdevic.example", i)}},
			Due: today, Subject: "Obnova pretplate: 21 licenca, 1.234,50 €", Text: "Poštovani,\n\nukupno 1.234,50 €", HTML: "<p>ukupno 1.234,50 €</p>",
			MessageID: notices.MessageID(key, "partner.example")})
	}
	if _, err := s.CreateNotices(context.Background(), list); err != nil {
		t.Fatal(err)
	}
	srv := smtptest.Start(t, smtptest.Options{})
	host, port := srv.Addr()
	tr, err := smail.NewSMTP(smail.SMTPOptions{Host: host, Port: port, Security: "none", Auth: "none"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return a, srv, tr
}

// byMessageID counts the messages the server accepted per Message-ID.
func byMessageID(srv *smtptest.Server) map[string]int {
	out := map[string]int{}
	for _, m := range srv.Messages() {
		out[m.MessageID]++
	}
	return out
}

// A 451 is retried and then delivered once; a 550 marks the notice failed with the
// server's reply; the proof stored is the server's acceptance.
func TestSendNoticesRetriesAndFails(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, srv, tr := outboxApp(t, s, 3)
		srv.FailNext(1, 451, "4.3.0 try again later")
		res, err := a.SendNotices(ctx, SendOptions{Transport: tr, TransportName: "smtp", Workers: 1})
		if err != nil || res.Sent != 2 || res.Retried != 1 {
			t.Fatalf("first send %+v, %v", res, err)
		}
		retry, err := s.Notices(ctx, store.NoticeFilter{Status: notices.StatusPending})
		if err != nil || len(retry) != 1 || retry[0].NextAttempt == nil || !strings.Contains(retry[0].LastError, "451") {
			t.Fatalf("after a 451: %+v, %v", retry, err)
		}
		// Not yet time to retry: nothing is claimed.
		if res, _ := a.SendNotices(ctx, SendOptions{Transport: tr, TransportName: "smtp"}); res.Sent != 0 {
			t.Errorf("retried before its time: %+v", res)
		}
		if _, err := s.SetNoticeStatus(ctx, retry[0].ID, store.NoticeHold, "check", "fin"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetNoticeStatus(ctx, retry[0].ID, store.NoticeRelease, "checked", "fin"); err != nil {
			t.Fatal(err)
		}
		if res, err := a.SendNotices(ctx, SendOptions{Transport: tr, TransportName: "smtp"}); err != nil || res.Sent != 1 {
			t.Fatalf("released notice: %+v, %v", res, err)
		}
		for id, n := range byMessageID(srv) {
			if n != 1 {
				t.Errorf("%s delivered %d times", id, n)
			}
		}
		if len(srv.Messages()) != 3 {
			t.Errorf("%d messages delivered, want 3", len(srv.Messages()))
		}
		sent, _ := s.Notices(ctx, store.NoticeFilter{Status: notices.StatusSent})
		for _, n := range sent {
			if !strings.HasPrefix(n.Proof, "250") || n.Transport != "smtp" {
				t.Errorf("notice %d proof %q by %q", n.ID, n.Proof, n.Transport)
			}
		}
		// The message as received: the Croatian subject and amounts intact.
		m, err := mail.ReadMessage(strings.NewReader(string(srv.Messages()[0].Data)))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil || subject != "Obnova pretplate: 21 licenca, 1.234,50 €" || m.Header.Get("Content-Language") != "hr" {
			t.Errorf("subject %q (%v), language %q", subject, err, m.Header.Get("Content-Language"))
		}

		_, srv2, tr2 := outboxApp(t, s, 0)
		one := notices.Notice{Key: "renewal-reminder/x/en/1", Kind: notices.Renewal, TenantID: "x", Customer: "X", Locale: "en", Language: "en",
			Recipients: []notices.Recipient{{Email: "gone@x.example"}}, Due: time.Now().UTC(), Subject: "s", Text: "t", MessageID: "notice-x@partner.example"}
		if _, err := s.CreateNotices(ctx, []notices.Notice{one}); err != nil {
			t.Fatal(err)
		}
		srv2.FailNext(1, 550, "5.1.1 mailbox unavailable")
		if res, err := a.SendNotices(ctx, SendOptions{Transport: tr2, TransportName: "smtp"}); err != nil || res.Failed != 1 {
			t.Fatalf("550: %+v, %v", res, err)
		}
		failed, _ := s.Notices(ctx, store.NoticeFilter{Status: notices.StatusFailed})
		if len(failed) != 1 || !strings.Contains(failed[0].LastError, "550") || !strings.Contains(failed[0].LastError, "mailbox unavailable") {
			t.Errorf("failed notices %+v", failed)
		}
	})
}

// crashAfter accepts n deliveries and then, once the server has accepted the next,
// ends its sender's goroutine before the acceptance is recorded: a process killed at
// the worst moment.
type crashAfter struct {
	smail.Transport
	n  int
	mu sync.Mutex
}

func (c *crashAfter) Deliver(ctx context.Context, m smail.Message) (smail.Receipt, error) {
	r, err := c.Transport.Deliver(ctx, m)
	c.mu.Lock()
	c.n--
	crash := c.n < 0
	c.mu.Unlock()
	if crash {
		runtime.Goexit()
	}
	return r, err
}

// A sender killed between the server's acceptance and its record resends only that
// notice, with the same Message-ID, once its claim runs out.
func TestSendNoticesAfterACrash(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a, srv, tr := outboxApp(t, s, 12)
		lease := 2 * time.Second
		// The killed sender's deferred release never runs in a killed process: it is
		// stood in for by running the crashing sender in a goroutine of its own whose
		// claims nobody releases.
		done := make(chan struct{})
		go func() {
			defer close(done)
			crashing := &crashAfter{Transport: tr, n: 4}
			claimer := "killed"
			for range 5 {
				claimed, err := s.ClaimNotices(context.Background(), claimer, 1, lease)
				if err != nil || len(claimed) != 1 {
					t.Errorf("claim: %v %v", claimed, err)
					return
				}
				if _, err := a.deliver(context.Background(), SendOptions{Transport: crashing, TransportName: "smtp"}, claimer, lease, claimed[0]); err != nil {
					t.Error(err)
				}
			}
		}()
		<-done
		if len(srv.Messages()) != 5 {
			t.Fatalf("%d accepted before the crash, want 5", len(srv.Messages()))
		}
		crashed := srv.Messages()[4].MessageID
		// Another sender straight away leaves the claimed notice alone.
		res, err := a.SendNotices(context.Background(), SendOptions{Transport: tr, TransportName: "smtp", Lease: lease})
		if err != nil || res.Sent != 7 {
			t.Fatalf("second sender %+v, %v; want the 7 never tried", res, err)
		}
		time.Sleep(lease + 100*time.Millisecond)
		res, err = a.SendNotices(context.Background(), SendOptions{Transport: tr, TransportName: "smtp", Lease: lease})
		if err != nil || res.Sent != 1 {
			t.Fatalf("after the claim ran out %+v, %v; want the one in flight", res, err)
		}
		counts := byMessageID(srv)
		for id, n := range counts {
			want := 1
			if id == crashed {
				want = 2
			}
			if n != want {
				t.Errorf("%s delivered %d times, want %d", id, n, want)
			}
		}
		if len(counts) != 12 {
			t.Errorf("%d distinct messages, want 12", len(counts))
		}
	})
}

// slow delivers after a pause, as a loaded server or a throttled Graph does.
type slow struct {
	smail.Transport
	pause time.Duration
}

func (s slow) Deliver(ctx context.Context, m smail.Message) (smail.Receipt, error) {
	time.Sleep(s.pause)
	return s.Transport.Deliver(ctx, m)
}

// Claims shorter than a batch takes to send: a notice whose claim ran out while it
// waited its turn is not sent by the worker that claimed it as well as by the one
// that took it over.
func TestSendNoticesClaimsRunningOut(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a, srv, tr := outboxApp(t, s, 20)
		res, err := a.SendNotices(context.Background(), SendOptions{Transport: slow{tr, 60 * time.Millisecond}, TransportName: "smtp", Workers: 2, Batch: 10, Lease: 300 * time.Millisecond})
		if err != nil || res.Sent != 20 {
			t.Fatalf("%+v, %v", res, err)
		}
		for id, n := range byMessageID(srv) {
			if n != 1 {
				t.Errorf("%s delivered %d times", id, n)
			}
		}
		if len(srv.Messages()) != 20 {
			t.Errorf("%d delivered, want 20", len(srv.Messages()))
		}
	})
}

// A transport that cannot sign in (535, as Exchange Online answers once passwords are
// off) stops the run with its error; no notice is marked
// failed for it, and all wait for the next run.
func TestSendNoticesTransportDown(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, s *store.Store) {
		a, _, _ := outboxApp(t, s, 6)
		srv := smtptest.Start(t, smtptest.Options{TLS: true, Username: "notices", Password: "right"})
		host, port := srv.Addr()
		tr, err := smail.NewSMTP(smail.SMTPOptions{Host: host, Port: port, Security: "starttls", Auth: "password", Username: "notices", Password: "wrong", TLSConfig: srv.ClientTLS()})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		_, err = a.SendNotices(context.Background(), SendOptions{Transport: tr, TransportName: "smtp", Workers: 2})
		if err == nil {
			t.Fatal("no error from a transport refusing every message")
		}
		failed, _ := s.Notices(context.Background(), store.NoticeFilter{Status: notices.StatusFailed})
		due, _ := s.Notices(context.Background(), store.NoticeFilter{Status: "due"})
		if len(failed) != 0 || len(due) != 6 {
			t.Errorf("after the transport failed: %d failed, %d due; want 0 and 6 (%v)", len(failed), len(due), err)
		}
	})
}

// Two senders at once on PostgreSQL deliver each notice once.
func TestSendNoticesTwoSendersAtOnce(t *testing.T) {
	s := storetest.Postgres(t)
	a, srv, tr := outboxApp(t, s, 300)
	host, port := srv.Addr()
	tr2, err := smail.NewSMTP(smail.SMTPOptions{Host: host, Port: port, Security: "none", Auth: "none"})
	if err != nil {
		t.Fatal(err)
	}
	defer tr2.Close()
	var wg sync.WaitGroup
	results := make([]SendResult, 2)
	for i, t2 := range []smail.Transport{tr, tr2} {
		wg.Go(func() {
			r, err := a.SendNotices(context.Background(), SendOptions{Transport: t2, TransportName: "smtp", Workers: 4})
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	if results[0].Sent+results[1].Sent != 300 || results[0].Sent == 0 || results[1].Sent == 0 {
		t.Errorf("senders sent %d and %d, want 300 shared", results[0].Sent, results[1].Sent)
	}
	for id, n := range byMessageID(srv) {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}
	if len(srv.Messages()) != 300 {
		t.Errorf("%d delivered, want 300", len(srv.Messages()))
	}
}

// notices.kinds turns kinds off for everyone; notices.customer_kinds sets a
// customer's own, by tenant id or external reference.
func TestNoticeKindsPerCustomer(t *testing.T) {
	cfg, err := config.Load("", nil, map[string]string{"notices.kinds": "price-change,renewal-reminder",
		"notices.customer_kinds": "CUST-0002=right-sizing-digest; 3b0c0c0c-0000-0000-0000-000000000003=none"})
	if err != nil {
		t.Fatal(err)
	}
	a := &App{Config: cfg}
	cases := []struct {
		c    customers.Customer
		kind string
		want bool
	}{
		{customers.Customer{TenantID: "t1", ExternalRef: "CUST-0001"}, notices.PriceChange, true},
		{customers.Customer{TenantID: "t1", ExternalRef: "CUST-0001"}, notices.Digest, false},
		{customers.Customer{TenantID: "t2", ExternalRef: "CUST-0002"}, notices.Digest, true},
		{customers.Customer{TenantID: "t2", ExternalRef: "CUST-0002"}, notices.PriceChange, false},
		{customers.Customer{TenantID: "3b0c0c0c-0000-0000-0000-000000000003"}, notices.PriceChange, false},
	}
	for _, c := range cases {
		if got := a.noticeKinds(c.c)(c.kind); got != c.want {
			t.Errorf("%s %s: %v, want %v", c.c.ExternalRef+c.c.TenantID, c.kind, got, c.want)
		}
	}
	if _, err := config.Load("", nil, map[string]string{"notices.customer_kinds": "CUST-1=price-rise"}); err == nil || !strings.Contains(err.Error(), `"price-rise" is not a kind of notice`) {
		t.Errorf("a misspelt kind: %v", err)
	}
}

// What the customer pays a seat per month before and after the changes reaching one
// subscription on one day, under each kind of contract line, worked out by hand.
func TestNetMove(t *testing.T) {
	d := func(s string) *decimal.Decimal { v := decimal.RequireFromString(s); return &v }
	day := func(s string) time.Time { v, _ := time.Parse(time.DateOnly, s); return v }
	key := pricing.Key{ProductID: "CFQ7TTC0LF8Q", SKUID: "0001", TermDuration: "P1Y", BillingPlan: "monthly", Market: "NL", Currency: "EUR"}
	change := func(kind, old, new, effective string) pricing.Change {
		c := pricing.Change{Key: key, Kind: kind, Effective: day(effective)}
		if old != "" {
			c.Old = d(old)
		}
		if new != "" {
			c.New = d(new)
		}
		return c
	}
	costPlus := &contracts.Line{MarkupPercent: d("15")}
	erp := &contracts.Line{ERP: true, DiscountPercent: d("10")}
	fixed := &contracts.Line{UnitPrice: d("25.00")}
	erpRows := []pricing.Price{
		{Key: key, UnitPrice: *d("120"), ERPPrice: d("144.00"), From: day("2026-01-01"), To: ptr(day("2026-12-31"))},
		{Key: key, UnitPrice: *d("132"), ERPPrice: d("158.40"), From: day("2027-01-01")},
	}
	cases := []struct {
		name        string
		line        *contracts.Line
		now         *decimal.Decimal
		first, last pricing.Change
		old, new    string // "" for nil
		ok          bool
	}{
		// 120/12 × 1.15 = 11.50 locked; 132/12 × 1.15 = 12.65.
		{"cost-plus", costPlus, d("11.50"), change("up", "120", "132", "2027-01-01"), change("up", "120", "132", "2027-01-01"), "11.50", "12.65", true},
		// Two rises before one renewal: the customer pays the last: 138/12 × 1.15 = 13.225 → 13.23.
		{"two rises, one renewal", costPlus, d("11.50"), change("up", "120", "132", "2027-01-01"), change("up", "132", "138", "2027-04-01"), "11.50", "13.23", true},
		// A preview's rise taken back by the final list: nothing moves.
		{"rise taken back", costPlus, d("11.50"), change("up", "120", "132", "2027-01-01"), change("down", "132", "120", "2027-01-01"), "11.50", "", false},
		// Unknown locked price: the price the first change replaced.
		{"cost-plus, lock unknown", costPlus, nil, change("up", "120", "132", "2027-01-01"), change("up", "120", "132", "2027-01-01"), "11.50", "12.65", true},
		// ERP 144/12 × 0.9 = 10.80 before, 158.40/12 × 0.9 = 11.88 after.
		{"erp less discount", erp, nil, change("up", "120", "132", "2027-01-01"), change("up", "120", "132", "2027-01-01"), "10.80", "11.88", true},
		{"fixed price", fixed, d("25.00"), change("up", "120", "132", "2027-01-01"), change("up", "120", "132", "2027-01-01"), "25.00", "", false},
		{"fixed price, retired", fixed, d("25.00"), change("retired", "120", "", "2027-01-01"), change("retired", "120", "", "2027-01-01"), "25.00", "", true},
		{"no contract line", nil, nil, change("up", "120", "132", "2027-01-01"), change("up", "120", "132", "2027-01-01"), "", "", false},
	}
	str := func(v *decimal.Decimal) string {
		if v == nil {
			return ""
		}
		return v.StringFixed(2)
	}
	for _, c := range cases {
		m, ok := netMove(c.line, erpRows, c.now, c.first, c.last)
		if ok != c.ok || ok && (str(m.old) != c.old || str(m.new) != c.new) {
			t.Errorf("%s: %s → %s, %v; want %s → %s, %v", c.name, str(m.old), str(m.new), ok, c.old, c.new, c.ok)
		}
	}
}

func ptr[T any](v T) *T { return &v }
