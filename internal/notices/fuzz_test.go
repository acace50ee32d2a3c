package notices

import (
	"errors"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/problems"
)

// FuzzParseAnnouncement: any bytes give either an announcement a partner could send
// (a key, a day, English text, known terms and plans) or problems naming the file,
// never a panic or a half-read announcement.
func FuzzParseAnnouncement(f *testing.F) {
	f.Add([]byte("key: annual-monthly\neffective: 2027-04-01\naffects: {terms: [P1Y], billing_plans: [monthly]}\ntext:\n  en: {title: T, body: B}\n  hr: {title: Č, body: đ}\n"))
	f.Add([]byte("key: x\ntext: {en: {title: a, body: b}\n"))
	f.Add([]byte("affect: {}\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAnnouncement(data, "a.yaml")
		if err != nil {
			var list problems.List
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error is not a list of problems: %v", err)
			}
			for _, p := range list {
				if p.File != "a.yaml" || p.Line < 0 || strings.TrimSpace(p.Message) == "" {
					t.Fatalf("unclear problem %#v", p)
				}
			}
			return
		}
		if !announcementKey.MatchString(a.Key) || a.Effective.IsZero() || a.Text["en"].Title == "" || a.Text["en"].Body == "" {
			t.Fatalf("announcement accepted incomplete: %+v", a)
		}
		for _, term := range a.Affects.Terms {
			if !strings.EqualFold(term, "P1M") && !strings.EqualFold(term, "P1Y") && !strings.EqualFold(term, "P3Y") {
				t.Fatalf("announcement accepted with term %q", term)
			}
		}
		if got := a.In("xx"); got.Title != a.Text["en"].Title {
			t.Fatalf("an unknown language reads %q, not the English title", got.Title)
		}
	})
}
