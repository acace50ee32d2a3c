package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/noticetext"
	"github.com/seatledger/seatledger/internal/store/storetest"
)

// BenchmarkNotices renders 10,000 price-change notices in the six languages, stores
// them and delivers them to an in-process SMTP server over a real SMTP conversation,
// on PostgreSQL: the rate is notices rendered, stored and delivered per second.
//
//	make bench-notices
func BenchmarkNotices(b *testing.B) {
	const n = 10000
	price := func(s string) *decimal.Decimal { d := decimal.RequireFromString(s); return &d }
	langs := []string{"nl", "de", "en", "fr", "it", "hr"}
	for b.Loop() {
		b.StopTimer()
		s := storetest.Postgres(b)
		a, srv, tr := outboxApp(b, s, 0)
		r, err := noticetext.New(a.Log)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		list := make([]notices.Notice, n)
		reaches := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range list {
			lang := langs[i%len(langs)]
			change := price("33.00")
			l := notices.Letter{Kind: notices.PriceChange, Customer: fmt.Sprintf("Klant %d B.V.", i), Locale: lang, Currency: "EUR", Reaches: reaches,
				Respond: reaches.AddDate(0, 0, -1), Prices: []notices.PriceLine{
					{Product: "Microsoft 365 E3", PartNumber: "SPE_E3", Term: "P1Y", Seats: 21, Old: price("36.00"), New: price("37.57"), Reaches: reaches, MonthlyChange: change},
					{Product: "Microsoft 365 Business Premium", PartNumber: "SPB", Term: "P1M", Seats: 5, Old: price("26.40"), New: price("22.00"), Reaches: reaches, MonthlyChange: price("-22.00")}}}
			out, err := r.Render(l, a.Partner())
			if err != nil {
				b.Fatal(err)
			}
			key := notices.Key(notices.PriceChange, fmt.Sprint("tenant-", i), lang, "2027-01-01")
			list[i] = notices.Notice{Key: key, Kind: notices.PriceChange, TenantID: fmt.Sprint("tenant-", i), Customer: l.Customer, Locale: lang, Language: out.Language,
				Recipients: []notices.Recipient{{Email: fmt.Sprintf("it@klant%d.example", i)}}, Due: time.Now().UTC(), Subject: out.Subject, Text: out.Text, HTML: out.HTML,
				MessageID: notices.MessageID(key, "partner.example"), Letter: l}
		}
		if _, err := s.CreateNotices(context.Background(), list); err != nil {
			b.Fatal(err)
		}
		res, err := a.SendNotices(context.Background(), SendOptions{Transport: tr, TransportName: "smtp"})
		if err != nil || res.Sent != n || len(srv.Messages()) != n {
			b.Fatalf("sent %+v (%d received), %v", res, len(srv.Messages()), err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "notices/s")
	}
}
