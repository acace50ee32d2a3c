package sandbox

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Graph's billed invoice reconciliation export, as the partner's app meets it: a POST
// of the invoice id answered 202 with the operation to poll, the operation running
// once and then completed with a manifest, and the line items in gzip'd JSON-lines
// blobs on a storage host, read with the manifest's SAS token and no bearer token.

// InvoiceID is the number of Microsoft's invoice for the month holding month, as the
// reconciliation lines carry it in InvoiceNumber and the billed export asks for it.
func (w *World) InvoiceID(month time.Time) string { return invoiceID(month) }

func invoiceID(month time.Time) string { return "G" + month.Format("200601") + "0001" }

// invoiceMonth is the month of the world whose invoice is id: from the month the
// world starts in to the month it has reached.
func (w *World) invoiceMonth(id string) (time.Time, bool) {
	m := time.Date(w.Start.Year(), w.Start.Month(), 1, 0, 0, 0, 0, time.UTC)
	for now := w.Now(); !m.After(now); m = m.AddDate(0, 1, 0) {
		if invoiceID(m) == id {
			return m, true
		}
	}
	return time.Time{}, false
}

// billingExports are the export operations the server was asked for.
type billingExports struct {
	mu  sync.Mutex
	ops map[string]*billingExport
	// fail are the invoice ids whose next export fails.
	fail map[string]bool
}

type billingExport struct {
	id, invoiceID, sig string
	created            time.Time
	polls              int
	failed             bool
	blobs              [][]byte
}

// FailBilledExport makes the next export of the invoice id fail once it has run, as
// Graph reports an export it could not complete.
func (s *Server) FailBilledExport(invoiceID string) {
	s.exports.mu.Lock()
	defer s.exports.mu.Unlock()
	if s.exports.fail == nil {
		s.exports.fail = map[string]bool{}
	}
	s.exports.fail[invoiceID] = true
}

// partnerGraph authenticates a Graph request made in the partner's own tenant, the
// only one where PartnerBilling.Read.All reads the partner's invoices.
func (s *Server) partnerGraph(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.stats.Requests.Add(1)
		auth := r.Header.Get("Authorization")
		parts := strings.Split(strings.TrimPrefix(auth, "Bearer "), ".")
		if !strings.HasPrefix(auth, "Bearer ") || len(parts) != 3 || parts[0] != "sandbox" || strings.HasPrefix(parts[2], "pc") {
			graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
			return
		}
		if parts[1] != PartnerTenantID {
			graphError(w, http.StatusForbidden, "Forbidden", "Partner billing data is read in the partner's own tenant with PartnerBilling.Read.All.")
			return
		}
		h(w, r)
	}
}

func (s *Server) exportRetryAfter() string {
	if s.opts.ExportRetryAfter != "" {
		return s.opts.ExportRetryAfter
	}
	return "1"
}

// billedExport starts the export of one invoice's line items.
func (s *Server) billedExport(w http.ResponseWriter, r *http.Request) {
	var req struct {
		InvoiceID    string `json:"invoiceId"`
		AttributeSet string `json:"attributeSet"`
	}
	body, ok := requestBody(w, r, 64<<10)
	if !ok {
		return
	}
	if err := json.NewDecoder(body).Decode(&req); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "The request body is not JSON: "+err.Error())
		return
	}
	if req.InvoiceID == "" {
		graphError(w, http.StatusBadRequest, "BadRequest", "invoiceId is required.")
		return
	}
	if req.AttributeSet != "" && req.AttributeSet != "full" && req.AttributeSet != "basic" {
		graphError(w, http.StatusBadRequest, "BadRequest", "attributeSet must be full or basic.")
		return
	}
	s.mu.RLock()
	month, ok := s.world.invoiceMonth(req.InvoiceID)
	var data []byte
	if ok {
		lines, first, _ := s.world.invoiceLines(month)
		data = invoiceJSONLines(writeInvoice(lines, first))
	}
	s.mu.RUnlock()
	if !ok {
		graphError(w, http.StatusNotFound, "NotFound", "Invoice "+req.InvoiceID+" was not found for this partner.")
		return
	}
	blobs, err := gzipHalves(data)
	if err != nil {
		graphError(w, http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	op := &billingExport{id: guid(rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))), invoiceID: req.InvoiceID, sig: fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()),
		created: time.Now().UTC(), blobs: blobs}
	s.exports.mu.Lock()
	if s.exports.ops == nil {
		s.exports.ops = map[string]*billingExport{}
	}
	op.failed = s.exports.fail[req.InvoiceID]
	delete(s.exports.fail, req.InvoiceID)
	s.exports.ops[op.id] = op
	s.exports.mu.Unlock()
	w.Header().Set("Location", s.GraphBaseURL()+"/reports/partners/billing/operations/"+op.id)
	w.Header().Set("Retry-After", s.exportRetryAfter())
	w.WriteHeader(http.StatusAccepted)
}

// billingOperation answers an export operation: running at the first poll, then
// completed with its manifest, or failed with Graph's error.
func (s *Server) billingOperation(w http.ResponseWriter, r *http.Request) {
	s.exports.mu.Lock()
	op := s.exports.ops[r.PathValue("id")]
	polls := 0
	if op != nil {
		op.polls++
		polls = op.polls
	}
	s.exports.mu.Unlock()
	if op == nil {
		graphError(w, http.StatusNotFound, "NotFound", "Operation "+r.PathValue("id")+" was not found.")
		return
	}
	const odataType = "#microsoft.graph.partners.billing."
	stamp := func(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }
	body := map[string]any{"@odata.context": s.GraphBaseURL() + "/$metadata#reports/partners/billing/operations/$entity",
		"id": op.id, "createdDateTime": stamp(op.created), "lastActionDateTime": stamp(time.Now().UTC())}
	switch {
	case polls == 1:
		body["@odata.type"], body["status"] = odataType+"runningOperation", "running"
		w.Header().Set("Retry-After", s.exportRetryAfter())
	case op.failed:
		body["@odata.type"], body["status"] = odataType+"failedOperation", "failed"
		body["error"] = map[string]any{"code": "ExportFailed", "message": "The export of invoice " + op.invoiceID + " could not be completed; try again later."}
	default:
		body["@odata.type"], body["status"] = odataType+"exportSuccessOperation", "completed"
		blobs := make([]map[string]any, len(op.blobs))
		for i := range op.blobs {
			blobs[i] = map[string]any{"name": blobName(i), "partitionValue": "default"}
		}
		body["resourceLocation"] = map[string]any{"@odata.type": odataType + "manifest", "id": op.id, "schemaVersion": "2",
			"dataFormat": "compressedJSONLines", "createdDateTime": stamp(op.created), "eTag": op.sig[:12], "partnerTenantId": PartnerTenantID,
			"rootDirectory": cmp.Or(s.opts.BlobBase, s.srv.URL) + "/blobs/billed/" + op.id, "partitionType": "default", "blobCount": len(op.blobs), "blobs": blobs,
			"sasToken": "sv=2023-11-03&sr=c&sp=rl&se=" + op.created.Add(time.Hour).Format("2006-01-02T15:04:05Z") + "&sig=" + op.sig}
	}
	writeJSON(w, http.StatusOK, body)
}

func blobName(i int) string { return fmt.Sprintf("part-%05d-billed.json.gz", i) }

// billingBlob serves one blob as a storage account does: with the SAS token's
// signature, and never with a bearer token, which storage refuses alongside a SAS.
func (s *Server) billingBlob(w http.ResponseWriter, r *http.Request) {
	s.stats.Downloads.Add(1)
	s.exports.mu.Lock()
	op := s.exports.ops[r.PathValue("op")]
	s.exports.mu.Unlock()
	storageError := func(status int, code string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code></Error>`, code)
	}
	if r.Header.Get("Authorization") != "" {
		storageError(http.StatusBadRequest, "InvalidAuthenticationInfo")
		return
	}
	if op == nil || r.URL.Query().Get("sig") != op.sig || r.URL.Query().Get("sp") != "rl" {
		storageError(http.StatusForbidden, "AuthenticationFailed")
		return
	}
	for i, b := range op.blobs {
		if blobName(i) == r.PathValue("name") {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(b)
			return
		}
	}
	storageError(http.StatusNotFound, "BlobNotFound")
}

// invoiceJSONLines turns the reconciliation CSV into Graph's JSON lines: one object
// per line item, keys in camelCase, quantities and prices as numbers.
func invoiceJSONLines(csvData []byte) []byte {
	rows, err := csv.NewReader(bytes.NewReader(csvData)).ReadAll()
	if err != nil || len(rows) == 0 {
		return nil
	}
	keys := make([]string, len(rows[0]))
	for i, h := range rows[0] {
		keys[i] = camel(h)
	}
	numeric := map[string]bool{"unitPrice": true, "effectiveUnitPrice": true, "quantity": true, "billableQuantity": true, "subtotal": true,
		"taxTotal": true, "total": true, "pcToBCExchangeRate": true}
	var buf bytes.Buffer
	for _, row := range rows[1:] {
		buf.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(keys[i])
			buf.Write(k)
			buf.WriteByte(':')
			if numeric[keys[i]] && v != "" {
				buf.WriteString(v)
				continue
			}
			q, _ := json.Marshal(v)
			buf.Write(q)
		}
		buf.WriteString("}\n")
	}
	return buf.Bytes()
}

// camel is a CSV column's name as Graph's JSON writes it: PartnerId → partnerId,
// PCToBCExchangeRate → pcToBCExchangeRate.
func camel(h string) string {
	if strings.HasPrefix(h, "PCTo") {
		return "pc" + h[2:]
	}
	r := []rune(h)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// gzipHalves splits JSON lines into two blobs at a line end and gzips each.
func gzipHalves(data []byte) ([][]byte, error) {
	cut := bytes.IndexByte(data[len(data)/2:], '\n') + len(data)/2 + 1
	if cut <= len(data)/2 {
		cut = len(data)
	}
	var out [][]byte
	for _, part := range [][]byte{data[:cut], data[cut:]} {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write(part); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		out = append(out, buf.Bytes())
	}
	return out, nil
}
