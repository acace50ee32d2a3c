package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/seatledger/seatledger/internal/ids"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/records"
)

// The columns of Microsoft's "Product names and service plan identifiers for
// licensing" CSV, by their normalised header names (lower case, no spaces: old files
// spell the part number column "String_ Id").
const (
	colDisplayName = "product_display_name"
	colPartNumber  = "string_id"
	colGUID        = "guid"
	colPlanName    = "service_plan_name"
	colPlanID      = "service_plan_id"
	colPlanFriend  = "service_plans_included_friendly_names"
)

var requiredColumns = []string{colDisplayName, colPartNumber, colGUID, colPlanName, colPlanID}

// CleanID trims the whitespace Microsoft leaves around ids (spaces, TABs, non-breaking
// spaces) and turns any non-breaking space or TAB inside them into a plain space, which
// is how Graph spells the same part numbers.
func CleanID(s string) string {
	s = strings.TrimFunc(s, unicode.IsSpace)
	return strings.Map(func(r rune) rune {
		if r != ' ' && unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, s)
}

func normaliseHeader(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsSpace(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// ParseCSV reads Microsoft's SKU catalogue CSV. It checks the whole file and returns
// either every SKU in it or a problems.List naming each line it cannot read; name is the
// file name used in those messages.
//
// Microsoft's file has carried typing slips that leave no doubt about what was meant:
// an id with a stray parenthesis or a space inside it, and a SKU GUID listed under a
// second part number. Refusing the whole catalogue for those would leave partners on a
// stale one, so ParseCSV repairs them (the first part number of a GUID is kept, as
// Graph reports one per GUID) and returns one warning per repaired or conflicting line.
func ParseCSV(r io.Reader, name string) ([]SKU, problems.List, error) {
	probs := &problems.Collector{File: name}
	warns := &problems.Collector{File: name}
	cr := records.NewCSVReader(r)

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		probs.Add(0, "", "the file is empty")
		return nil, nil, probs.Err()
	}
	if err != nil {
		addCSVError(probs, err)
		return nil, nil, probs.Err()
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[normaliseHeader(h)] = i
	}
	for _, want := range requiredColumns {
		if _, ok := cols[want]; !ok {
			probs.Add(1, want, "column missing from the header (found %s)", strings.Join(header, ", "))
		}
	}
	if probs.Len() > 0 {
		return nil, nil, probs.Err()
	}
	friendlyCol, hasFriendly := cols[colPlanFriend]

	var order []string
	skus := map[string]*SKU{}
	skuLine := map[string]int{}
	planNames := map[string]string{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			addCSVError(probs, err)
			return nil, nil, probs.Err()
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) < len(header) {
			probs.Add(line, "", "%d fields, the header has %d", len(rec), len(header))
			continue
		}
		if !fitsLimits(rec, header, line, probs) {
			continue
		}
		field := func(col string) string { return CleanID(rec[cols[col]]) }
		skuID, ok := readGUID(rec[cols[colGUID]], line, "GUID", probs, warns)
		planID, planOK := readGUID(rec[cols[colPlanID]], line, "Service_Plan_Id", probs, warns)
		part, display, planName := field(colPartNumber), field(colDisplayName), field(colPlanName)
		if part == "" {
			probs.Add(line, "String_Id", "empty")
		}
		if planName == "" {
			probs.Add(line, "Service_Plan_Name", "empty")
		}
		if !ok || !planOK || part == "" || planName == "" {
			continue
		}
		// Microsoft's file names some plans differently on different rows (typos,
		// doubled spaces); the plan id is the identity and the first name wins.
		if canonical, seen := planNames[planID]; seen {
			planName = canonical
		} else {
			planNames[planID] = planName
		}

		s, seen := skus[skuID]
		if !seen {
			s = &SKU{ID: skuID, PartNumber: part, DisplayName: display, Free: IsFree(part, display)}
			skus[skuID] = s
			skuLine[skuID] = line
			order = append(order, skuID)
		} else if s.PartNumber != part {
			warns.Add(line, "String_Id", "GUID %s has part number %q here and %q on line %d: kept %q", skuID, part, s.PartNumber, skuLine[skuID], s.PartNumber)
		}
		friendly := ""
		if hasFriendly && friendlyCol < len(rec) {
			friendly = strings.TrimSpace(rec[friendlyCol])
		}
		if !hasPlan(s.Plans, planID) {
			s.Plans = append(s.Plans, ServicePlan{ID: planID, Name: planName, FriendlyName: friendly})
		}
	}
	if err := probs.Err(); err != nil {
		return nil, nil, err
	}
	if len(order) == 0 {
		probs.Add(0, "", "no SKUs in the file")
		return nil, nil, probs.Err()
	}
	out := make([]SKU, len(order))
	for i, id := range order {
		out[i] = *skus[id]
	}
	warnings, _ := warns.Err().(problems.List)
	return out, warnings, nil
}

// readGUID reads a GUID cell. A cell that holds exactly one GUID once stray spaces and
// punctuation are dropped is repaired with a warning; anything else (a letter beyond
// hex, a missing digit) is a problem, since guessing there could merge two SKUs.
func readGUID(raw string, line int, field string, probs, warns *problems.Collector) (string, bool) {
	if id, ok := ids.ParseGUID(CleanID(raw)); ok {
		return id, true
	}
	var b strings.Builder
	stray := true
	for _, r := range raw {
		switch {
		case r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F':
			b.WriteRune(r)
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.Is(unicode.Cf, r):
		default:
			stray = false
		}
	}
	if id, ok := ids.ParseGUID(b.String()); ok && stray {
		warns.Add(line, field, "%q read as %s (stray characters dropped)", raw, id)
		return id, true
	}
	probs.Add(line, field, "%q is not a GUID", raw)
	return "", false
}

func hasPlan(plans []ServicePlan, id string) bool {
	for _, p := range plans {
		if p.ID == id {
			return true
		}
	}
	return false
}

func addCSVError(probs *problems.Collector, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		probs.Add(pe.Line, fmt.Sprintf("column %d", pe.Column), "%v (is the file cut off or badly quoted?)", pe.Err)
		return
	}
	probs.Add(0, "", "%v", err)
}

// fitsLimits reports the cells of a row longer than records.MaxNameLength: names
// and ids, nothing in Microsoft's file comes close.
func fitsLimits(rec, header []string, line int, probs *problems.Collector) bool {
	fits := true
	for i, cell := range rec {
		field := fmt.Sprintf("column %d", i+1)
		if i < len(header) {
			field = strings.TrimPrefix(header[i], "\ufeff")
		}
		fits = records.CheckLength(probs, line, field, cell, records.MaxNameLength) && fits
	}
	return fits
}
