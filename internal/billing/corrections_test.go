package billing

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seatledger/seatledger/internal/contracts"
)

// purchasedLine bills the seats purchased, prorated, in arrears, at 20.00 a seat a month.
func purchasedLine() contracts.Line {
	return line("P1M", "monthly", func(l *contracts.Line) { l.AsPurchased, l.UnitPrice = true, dec("20.00") })
}

// A late sync shows 2 more seats from October 20: November's draft corrects the
// approved October line by the difference and points at it.
func TestCorrectionsOfAnApprovedRun(t *testing.T) {
	oct, nov := Period{2026, 10}, Period{2026, 11}
	approved := Lines(oct, []Customer{customer([]contracts.Line{purchasedLine()}, nil,
		sub("s1", "P1M", "monthly", day(2026, 10, 1), day(2026, 11, 1), seats(day(2026, 1, 1), 10)))})
	if len(approved.Lines) != 1 || approved.Lines[0].Amount.String() != "200.00" {
		t.Fatalf("approved October = %s", dump(approved.Lines))
	}
	approved.Lines[0].ID = 41
	// The stored line reads back as it was written, minor unit and all.
	b, err := json.Marshal(approved.Lines)
	if err != nil {
		t.Fatal(err)
	}
	var stored []Line
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if again, _ := json.Marshal(stored); string(again) != string(b) {
		t.Fatalf("a stored line does not read back as written:\n%s\n%s", b, again)
	}
	now := Lines(oct, []Customer{customer([]contracts.Line{purchasedLine()}, nil,
		sub("s1", "P1M", "monthly", day(2026, 10, 1), day(2026, 11, 1), seats(day(2026, 1, 1), 10, day(2026, 10, 20), 12)))})
	got := Corrections(nov, stored, now.Lines)
	if len(got) != 1 {
		t.Fatalf("corrections = %s", dump(got))
	}
	c := got[0]
	// 10 × 19 + 12 × 12 = 334 seat-days, 24 more than billed: 334 × 20 ÷ 31 = 215.48, less 200.00.
	if c.Kind != KindCorrection || c.Corrects != 41 || c.CorrectsPeriod.String() != "2026-10" || c.Period != nov || c.SeatDays != 24 ||
		c.Amount.String() != "15.48" || c.Quantity.String() != "0.774194" || !strings.Contains(c.Source.Counting, "line 41 of the approved run of 2026-10") {
		t.Errorf("correction = %+v", c)
	}
	if again := Corrections(nov, stored, approved.Lines); len(again) != 0 {
		t.Errorf("an unchanged history corrects %s", dump(again))
	}
	// A line the history no longer gives is credited in full; the approved run's own
	// corrections are never corrected again.
	stored = append(stored, c)
	gone := Corrections(nov, stored, nil)
	if len(gone) != 1 || gone[0].Amount.String() != "-200.00" || gone[0].SeatDays != -310 || gone[0].Corrects != 41 {
		t.Errorf("credit of a vanished line = %s", dump(gone))
	}
}

// The review explains a seat change and a new line against last month.
func TestDiffExplainsChanges(t *testing.T) {
	oct, nov := Period{2026, 10}, Period{2026, 11}
	hist := seats(day(2026, 1, 1), 10, day(2026, 11, 1), 12)
	s1 := sub("s1", "P1M", "monthly", day(2026, 10, 1), day(2026, 11, 1), hist)
	before := Lines(oct, []Customer{customer([]contracts.Line{purchasedLine()}, nil, s1)})
	s2 := sub("s2", "P1M", "monthly", day(2026, 11, 16), day(2026, 12, 16), seats(day(2026, 11, 16), 3))
	after := Lines(nov, []Customer{customer([]contracts.Line{purchasedLine()}, nil, s1, s2)})
	changes := Diff(before.Lines, after.Lines)
	if len(changes) != 2 {
		t.Fatalf("changes = %+v", changes)
	}
	seatsChange, newLine := changes[0], changes[1]
	if seatsChange.SubscriptionID != "s1" || strings.Join(seatsChange.Reasons, "; ") != "seats: 10 → 12" || seatsChange.AmountChange.String() != "40.00" {
		t.Errorf("seat change = %+v", seatsChange)
	}
	// s2 from November 16: 3 seats × 15 days × 20.00 ÷ 30 = 30.00.
	if newLine.SubscriptionID != "s2" || newLine.Before != nil || !strings.HasPrefix(newLine.Reasons[0], "new line") ||
		newLine.AmountChange.String() != "30.00" || len(newLine.Reasons) != 1 {
		t.Errorf("new line = %+v", newLine)
	}
	if same := Diff(after.Lines, after.Lines); len(same) != 0 {
		t.Errorf("a run against itself differs: %+v", same)
	}
}
