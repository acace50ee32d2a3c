package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/customers"
)

// The Partner Center API of the simulated partner (PartnerTenantID): its customers
// and the subscriptions it sold them, consistent with what Graph serves for the same
// tenants. Partner Center's links are relative to the version root, and its lists
// continue with links.next and an MS-ContinuationToken header.

// customersPageSize is small on purpose: a dozen customers already take two pages.
const customersPageSize = 10

// knownOffers are the offer-matrix rows Microsoft documents (the sample offer
// matrix): Graph skuId to Partner Center ProductId:SkuId and availability.
var knownOffers = map[string]struct{ productSKU, availability string }{
	"3b555118-da6a-4418-894f-7df1e2096870": {"CFQ7TTC0LH18:0001", "CFQ7TTC0K971"}, // O365_BUSINESS_ESSENTIALS
}

// OfferID is the ProductId:SkuId:AvailabilityId Partner Center sells a Graph SKU as:
// the documented one where the sample offer matrix has it, else a stable invented
// one of the same shape.
func OfferID(skuID string) string {
	if o, ok := knownOffers[skuID]; ok {
		return o.productSKU + ":" + o.availability
	}
	return inventedProduct(skuID) + ":0001:" + inventedCode(skuID, "availability")
}

// ProductSKU is the ProductId:SkuId of a Graph SKU, the offer matrix's key.
func ProductSKU(skuID string) string {
	id := OfferID(skuID)
	return id[:strings.LastIndexByte(id, ':')]
}

func inventedProduct(skuID string) string { return inventedCode(skuID, "product") }

// inventedCode is CFQ7TTC0 and four characters drawn from the SKU id.
func inventedCode(skuID, salt string) string {
	const alphabet = "0123456789BCDFGHJKLMNPQRSTVWXZ"
	h := fnv.New64a()
	h.Write([]byte(salt + ":" + skuID))
	n := h.Sum64()
	out := []byte("CFQ7TTC0")
	for range 4 {
		out = append(out, alphabet[n%uint64(len(alphabet))])
		n /= uint64(len(alphabet))
	}
	return string(out)
}

// OfferMatrixCSV is an offer matrix, in Partner Center's columns, holding every
// SKU the world's partner sells (and the offer its price lists add next month,
// NewOfferSKUID), so that `seatledger` can link its Partner Center
// subscriptions to Graph's SKUs.
func (w *World) OfferMatrixCSV() []byte {
	skus := w.offeredSKUs()
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"ProductTitle", "ProductId", "SkuId", "SkuTitle", "ProvisioningId", "ProvisioningString", "MinLicenses", "MaxLicenses"})
	for _, id := range skus {
		sku, _ := w.gen.cat.ByID(id)
		if id == NewOfferSKUID {
			sku.DisplayName, sku.PartNumber = NewOfferTitle, NewOfferPartNumber
		}
		ps := strings.SplitN(ProductSKU(id), ":", 2)
		_ = cw.Write([]string{sku.DisplayName, ps[0], ps[1], sku.DisplayName, id, sku.PartNumber, "1", "300"})
	}
	cw.Flush()
	return buf.Bytes()
}

// partnerCenterID is the subscription's id in Partner Center.
func (s *Subscription) partnerCenterID() string {
	if s.PartnerCenterID != "" {
		return s.PartnerCenterID
	}
	return s.CommerceID
}

// partnerStatus is Partner Center's status for Graph's.
func (s *Subscription) partnerStatus() string {
	switch s.Status {
	case "Warning":
		return "expired"
	case "Suspended", "LockedOut":
		return "suspended"
	case "Deleted":
		return "deleted"
	}
	return "active"
}

// commitmentEnd is the term's last day: the day before Graph's renewal date.
func (s *Subscription) commitmentEnd() time.Time {
	return s.NextLifecycle.Truncate(24*time.Hour).AddDate(0, 0, -1)
}

const pcTime = "2006-01-02T15:04:05.0000000Z"

// partnerSubscription is a subscription as Partner Center serves it.
func (s *Subscription) partnerSubscription(customer, name string, now time.Time) map[string]any {
	sku := strings.SplitN(OfferID(s.SKUID), ":", 3)
	term := s.Term
	if s.Trial || term == "" {
		term = "P1M"
	}
	end := s.commitmentEnd()
	lots := s.refundable(now)
	var options []map[string]any
	var details []map[string]any
	total := 0
	for i, l := range lots {
		kind := "Partial"
		if i == 0 && l.At.Equal(s.termStart().Add(7*24*time.Hour)) {
			kind = "Full"
		}
		options = append(options, map[string]any{"type": kind, "expiresAt": l.At.UTC().Format(pcTime)})
		details = append(details, map[string]any{"quantity": l.Seats, "allowedUntilDateTime": l.At.UTC().Format(pcTime)})
		total += l.Seats
	}
	if options == nil {
		options, details = []map[string]any{}, []map[string]any{}
	}
	self := "/customers/" + customer + "/subscriptions/" + s.partnerCenterID()
	return map[string]any{
		"id": s.partnerCenterID(), "offerId": OfferID(s.SKUID), "offerName": name, "friendlyName": name,
		"productType": map[string]any{"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"},
		"quantity":    s.Seats, "unitType": "Licenses", "hasPurchasableAddons": false,
		"creationDate":       s.Created.UTC().Format(pcTime),
		"effectiveStartDate": s.termStart().UTC().Format(pcTime),
		"commitmentEndDate":  end.Format(pcTime), "commitmentEndDateTime": end.Add(24*time.Hour - time.Second).Format("2006-01-02T15:04:05Z"),
		"status": s.partnerStatus(), "autoRenewEnabled": !s.AutoRenewOff && !s.Trial, "isTrial": s.Trial,
		"billingType": "license", "billingCycle": s.billingCycle(), "termDuration": term, "renewalTermDuration": "",
		"refundOptions": options, "isMicrosoftProduct": true, "partnerId": s.ResellerID, "attentionNeeded": false, "actionTaken": false,
		"contractType": "subscription", "publisherName": "Microsoft Corporation",
		"refundableQuantity": map[string]any{"totalQuantity": total, "details": details},
		"orderId":            strings.ReplaceAll(s.partnerCenterID(), "-", "")[:12],
		"links": map[string]any{
			"product": map[string]any{"uri": "/products/" + sku[0] + "?country=NL", "method": "GET", "headers": []any{}},
			"self":    map[string]any{"uri": self, "method": "GET", "headers": []any{}},
		},
		"attributes": map[string]any{"objectType": "Subscription"},
	}
}

// partnerCenter authenticates a Partner Center request: a token for the partner's own
// tenant, asked for Partner Center's scope, and the request and correlation ids
// Partner Center wants.
func (s *Server) partnerCenter(h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.stats.PartnerCenterRequests.Add(1)
		parts := strings.Split(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "), ".")
		if len(parts) != 3 || parts[0] != "sandbox" || parts[1] != PartnerTenantID || !strings.HasPrefix(parts[2], "pc") {
			pcError(w, http.StatusUnauthorized, 900419, "Unauthorized: a token for the partner tenant and Partner Center's scope is required")
			return
		}
		req, corr := r.Header.Get("MS-RequestId"), r.Header.Get("MS-CorrelationId")
		if req == "" || corr == "" {
			pcError(w, http.StatusBadRequest, 400011, "MS-RequestId and MS-CorrelationId are required")
			return
		}
		s.failMu.Lock()
		s.pcLog = append(s.pcLog, PartnerCenterRequest{Path: r.URL.Path, RequestID: req, CorrelationID: corr, Continuation: r.Header.Get("MS-ContinuationToken")})
		throttled := s.pcThrottle > 0
		if throttled {
			s.pcThrottle--
		}
		s.failMu.Unlock()
		if throttled {
			w.Header().Set("Retry-After", s.pcRetryAfter)
			pcError(w, http.StatusTooManyRequests, 429, "Rate limit is exceeded")
			return
		}
		s.mu.RLock()
		defer s.mu.RUnlock()
		h(w, r)
	}
}

// PartnerCenterRequest is one request the Partner Center API received.
type PartnerCenterRequest struct {
	Path, RequestID, CorrelationID, Continuation string
}

// PartnerCenterRequests lists the Partner Center requests received so far.
func (s *Server) PartnerCenterRequests() []PartnerCenterRequest {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return append([]PartnerCenterRequest(nil), s.pcLog...)
}

// ThrottlePartnerCenter answers the next n Partner Center requests with 429 and the
// given Retry-After.
func (s *Server) ThrottlePartnerCenter(n int, retryAfter string) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	s.pcThrottle, s.pcRetryAfter = n, retryAfter
}

// FailPartnerCenter makes Partner Center answer 500 for one customer's subscriptions
// until turned off.
func (s *Server) FailPartnerCenter(customer string, fail bool) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	s.pcFailing[customer] = fail
}

// AddCustomer signs up a new customer tenant: Graph and Partner Center serve it
// from now on. It is the world's next tenant, as Generate would have made it.
func (s *Server) AddCustomer() *Tenant {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.world.AddTenant()
}

// AddTenant adds the world's next tenant.
func (w *World) AddTenant() *Tenant {
	t := w.gen.tenant(len(w.Tenants), w.Now())
	w.Tenants = append(w.Tenants, t)
	w.byID[t.ID] = t
	return t
}

func (s *Server) pcCustomers(w http.ResponseWriter, r *http.Request) {
	var listed []*Tenant
	for _, t := range s.world.Tenants {
		if !t.EndedInPartnerCenter {
			listed = append(listed, t)
		}
	}
	offset := 0
	if tok := r.Header.Get("MS-ContinuationToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, convErr := strconv.Atoi(string(b))
		if err != nil || convErr != nil || n < 0 || n > len(listed) {
			pcError(w, http.StatusBadRequest, 400, "invalid continuation token")
			return
		}
		offset = n
	}
	size := customersPageSize
	if v, err := strconv.Atoi(r.URL.Query().Get("size")); err == nil && v > 0 {
		size = min(v, customersPageSize)
	}
	end := min(offset+size, len(listed))
	items := make([]map[string]any, 0, end-offset)
	for _, t := range listed[offset:end] {
		items = append(items, map[string]any{
			"id": t.ID,
			"companyProfile": map[string]any{"tenantId": t.ID, "domain": t.Domain, "companyName": t.Name,
				"attributes": map[string]any{"objectType": "CustomerCompanyProfile"}},
			"relationshipToPartner": "reseller", "allowDelegatedAccess": true,
			"links":      map[string]any{"self": map[string]any{"uri": "/customers/" + t.ID, "method": "GET", "headers": []any{}}},
			"attributes": map[string]any{"objectType": "Customer"},
		})
	}
	links := map[string]any{"self": map[string]any{"uri": "/customers?size=" + strconv.Itoa(size), "method": "GET", "headers": []any{}}}
	body := map[string]any{"totalCount": len(items), "items": items, "links": links, "attributes": map[string]any{"objectType": "Collection"}}
	if end < len(listed) {
		token := base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end)))
		links["next"] = map[string]any{"uri": "/customers?size=" + strconv.Itoa(size) + "&seekOperation=Next", "method": "GET",
			"headers": []any{map[string]any{"key": "MS-ContinuationToken", "value": token}}}
		body["continuationToken"] = token
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) pcSubscriptions(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("customer"))
	s.failMu.Lock()
	failing := s.pcFailing[id]
	s.failMu.Unlock()
	if failing {
		s.stats.Faults.Add(1)
		pcError(w, http.StatusInternalServerError, 500, "An internal error occurred")
		return
	}
	t := s.world.Tenant(id)
	if t == nil || t.EndedInPartnerCenter {
		pcError(w, http.StatusNotFound, 600008, "The requested customer was not found")
		return
	}
	now := s.world.Now()
	items := []map[string]any{}
	for _, sub := range t.Subscriptions {
		if sub.OwnerTenantID == PartnerTenantID {
			sku, _ := s.world.gen.cat.ByID(sub.SKUID)
			items = append(items, sub.partnerSubscription(t.ID, sku.DisplayName, now))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": len(items), "items": items,
		"links":      map[string]any{"self": map[string]any{"uri": "/customers/" + t.ID + "/subscriptions", "method": "GET", "headers": []any{}}},
		"attributes": map[string]any{"objectType": "Collection"}})
}

func pcError(w http.ResponseWriter, status, code int, description string) {
	writeJSON(w, status, map[string]any{"code": code, "description": description, "errorName": http.StatusText(status),
		"attributes": map[string]any{"objectType": "Error"}})
}

// Customers is the partner's customer registry for the world as it is now.
func (s *Server) Customers() []customers.Customer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.world.Customers()
}
