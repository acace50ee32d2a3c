package export

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/seatledger/seatledger/internal/billing"
	"github.com/seatledger/seatledger/internal/csvout"
)

// writeCSV writes a header and one row per line, in UTF-8 with CRLF line ends
// (RFC 4180, as Excel and Xero write CSV).
func writeCSV(w io.Writer, run Run, p Profile) error {
	if p.dateLayout == "" || len(p.Columns) == 0 {
		return fmt.Errorf("profile %q was not made by ParseProfile or Builtin", p.Name)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	if p.BOM {
		bw.WriteString("\uFEFF")
	}
	cw := cellWriter{w: bw, p: &p}
	for i, c := range p.Columns {
		cw.cell(i, c.Header)
	}
	cw.end()
	invoices := invoiceNumbers(run.totals())
	for i := range run.Lines {
		l := &run.Lines[i]
		places, _ := billing.MinorUnit(l.Currency) // checked by Run.check
		x := lineView{run: &run, profile: &p, index: i, line: l, customer: run.customer(l), places: places,
			invoice: invoices[invoiceKey{l.TenantID, l.Currency}]}
		for j, c := range p.Columns {
			f := fields[c.Field]
			switch f.kind {
			case text:
				// Names come from outside (tenants, contracts): never a formula.
				cw.cell(j, csvout.Cell(f.value(&x)))
			case number:
				cw.cell(j, strings.Replace(f.value(&x), ".", string(p.DecimalMark), 1))
			case date:
				cw.cell(j, f.day(&x).Format(p.dateLayout))
			}
		}
		cw.end()
	}
	return bw.Flush()
}

// invoiceKey is one invoice: a customer's lines in one currency.
type invoiceKey struct{ tenant, currency string }

// invoiceNumbers numbers the run's invoices from 1 in the order of its totals
// (customer name, tenant, currency), so that re-exporting a run numbers alike.
func invoiceNumbers(totals []billing.Total) map[invoiceKey]int {
	n := make(map[invoiceKey]int, len(totals))
	for _, t := range totals {
		k := invoiceKey{t.TenantID, t.Currency}
		if n[k] == 0 {
			n[k] = len(n) + 1
		}
	}
	return n
}

// cellWriter writes the cells of a row, quoting as the profile says. Errors stay
// in the bufio.Writer and come out of its Flush.
type cellWriter struct {
	w *bufio.Writer
	p *Profile
}

func (c cellWriter) cell(i int, v string) {
	if i > 0 {
		c.w.WriteRune(c.p.Separator)
	}
	if !c.p.QuoteAll && !strings.ContainsAny(v, "\"\r\n"+string(c.p.Separator)) {
		c.w.WriteString(v)
		return
	}
	c.w.WriteByte('"')
	c.w.WriteString(strings.ReplaceAll(v, `"`, `""`))
	c.w.WriteByte('"')
}

func (c cellWriter) end() { c.w.WriteString("\r\n") }
