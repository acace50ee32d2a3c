package sandbox

import (
	"cmp"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const graphTime = "2006-01-02T15:04:05Z"

func (s *Server) subscribedSkus(w http.ResponseWriter, r *http.Request, t *Tenant) {
	var value []map[string]any
	for _, p := range t.Pools() {
		sku, _ := s.world.gen.cat.ByID(p.SKUID)
		plans := make([]map[string]any, 0, len(sku.Plans))
		for _, pl := range sku.Plans {
			plans = append(plans, map[string]any{"servicePlanId": pl.ID, "servicePlanName": pl.Name, "provisioningStatus": "Success", "appliesTo": "User"})
		}
		status := "Enabled"
		switch {
		case p.Enabled == 0 && p.Warning > 0:
			status = "Warning"
		case p.Enabled == 0 && p.Suspended > 0:
			status = "Suspended"
		}
		appliesTo := "User"
		if p.AppliesTo != "" {
			appliesTo = p.AppliesTo
		}
		value = append(value, map[string]any{
			"id":               t.ID + "_" + p.SKUID,
			"accountId":        t.ID,
			"accountName":      t.Name,
			"skuId":            p.SKUID,
			"skuPartNumber":    p.PartNumber,
			"appliesTo":        appliesTo,
			"capabilityStatus": status,
			"consumedUnits":    p.Consumed,
			"prepaidUnits":     map[string]any{"enabled": p.Enabled, "warning": p.Warning, "suspended": p.Suspended, "lockedOut": p.LockedOut},
			"servicePlans":     plans,
			"subscriptionIds":  p.SubscriptionIDs,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscribedSkus", "value": value})
}

func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request, t *Tenant) {
	value := make([]map[string]any, 0, len(t.Subscriptions))
	for _, sub := range t.Subscriptions {
		value = append(value, map[string]any{
			"id":                     sub.ID,
			"commerceSubscriptionId": sub.CommerceID,
			"skuId":                  sub.SKUID,
			"skuPartNumber":          sub.PartNumber,
			"status":                 sub.Status,
			"totalLicenses":          sub.Seats,
			"isTrial":                sub.Trial,
			"createdDateTime":        sub.Created.UTC().Format(graphTime),
			"nextLifecycleDateTime":  sub.NextLifecycle.UTC().Format(graphTime),
			"ownerId":                sub.OwnerTenantID,
			"ownerTenantId":          sub.OwnerTenantID,
			"ownerType":              "Company",
			"serviceStatus":          []any{},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directory/subscriptions", "value": value})
}

// users serves one page of users with the selected properties, as Graph does: $top
// from 1 to 999 (default 100; at most 120 with signInActivity), and an absolute
// @odata.nextLink while more remain.
func (s *Server) users(w http.ResponseWriter, r *http.Request, t *Tenant) {
	q := r.URL.Query()
	sel := map[string]bool{}
	for _, f := range strings.Split(q.Get("$select"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			sel[f] = true
		}
	}
	if len(sel) == 0 {
		for _, f := range []string{"id", "userPrincipalName", "displayName", "businessPhones", "mail"} {
			sel[f] = true
		}
	}
	if sel["signInActivity"] && !t.HasSignInData {
		graphError(w, http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
			"Neither tenant is B2C or tenant doesn't have premium license")
		return
	}
	top := 100
	if v := q.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Invalid page size specified: '"+v+"'. Must be between 1 and 999 inclusive.")
			return
		}
		top = n
	}
	if sel["signInActivity"] {
		top = min(top, 120)
	}
	skip, _ := strconv.Atoi(q.Get("$skiptoken"))
	end := min(skip+top, len(t.Users))
	buf := make([]byte, 0, 64<<10)
	buf = append(buf, `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users","value":[`...)
	for i := skip; i < end; i++ {
		if i > skip {
			buf = append(buf, ',')
		}
		u := t.Users[i]
		if i == 0 && s.opts.ControlCharsInNames {
			served := *u
			served.DisplayName = ControlCharName(u.DisplayName)
			u = &served
		}
		buf = appendUser(buf, u, sel, t.ZeroDateNever)
	}
	buf = append(buf, ']')
	if end < len(t.Users) {
		next := url.Values{}
		next.Set("$top", strconv.Itoa(top))
		next.Set("$select", q.Get("$select"))
		next.Set("$skiptoken", strconv.Itoa(end))
		buf = append(buf, `,"@odata.nextLink":`...)
		buf = appendString(buf, cmp.Or(s.opts.NextLinkBase, s.srv.URL)+"/v1.0/users?"+next.Encode())
	}
	buf = append(buf, '}')
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal")
	_, _ = w.Write(buf)
}

// ControlCharName is the display name served for name under
// ServerOptions.ControlCharsInNames.
func ControlCharName(name string) string {
	return "\x1b[2J\u202e" + name + "\x00\u009b1m\t(NUL)"
}

// appendUser writes a user's selected properties. It is hand-written because the
// simulated cloud shares the machine with the client in benchmarks. zeroNever writes
// a sign-in that never happened as 0001-01-01T00:00:00Z, as Graph does in places.
func appendUser(b []byte, u *User, sel map[string]bool, zeroNever bool) []byte {
	b = append(b, '{')
	first := true
	field := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	if sel["id"] {
		field("id")
		b = appendString(b, u.ID)
	}
	if sel["userPrincipalName"] && !u.OmitUPN {
		field("userPrincipalName")
		b = appendString(b, u.UPN)
	}
	if sel["mail"] {
		field("mail")
		if u.Mail == "" {
			b = append(b, "null"...)
		} else {
			b = appendString(b, u.Mail)
		}
	}
	if sel["displayName"] {
		field("displayName")
		b = appendString(b, u.DisplayName)
	}
	if sel["accountEnabled"] {
		field("accountEnabled")
		b = strconv.AppendBool(b, u.Enabled)
	}
	if sel["userType"] {
		field("userType")
		b = appendString(b, u.UserType)
	}
	if sel["createdDateTime"] {
		field("createdDateTime")
		b = appendString(b, u.Created.UTC().Format(graphTime))
	}
	if sel["usageLocation"] {
		field("usageLocation")
		if u.UsageLocation == "" {
			b = append(b, "null"...)
		} else {
			b = appendString(b, u.UsageLocation)
		}
	}
	if sel["assignedLicenses"] {
		field("assignedLicenses")
		b = append(b, '[')
		seen := map[string]bool{}
		for _, l := range u.Licenses {
			if seen[l.SKUID] {
				continue
			}
			if len(seen) > 0 {
				b = append(b, ',')
			}
			seen[l.SKUID] = true
			b = append(b, `{"disabledPlans":`...)
			b = appendStrings(b, l.DisabledPlans)
			b = append(b, `,"skuId":`...)
			b = appendString(b, l.SKUID)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if sel["licenseAssignmentStates"] {
		field("licenseAssignmentStates")
		b = append(b, '[')
		for i, l := range u.Licenses {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"skuId":`...)
			b = appendString(b, l.SKUID)
			b = append(b, `,"disabledPlans":`...)
			b = appendStrings(b, l.DisabledPlans)
			b = append(b, `,"assignedByGroup":`...)
			if l.ViaGroup == "" {
				b = append(b, "null"...)
			} else {
				b = appendString(b, l.ViaGroup)
			}
			b = append(b, `,"state":`...)
			b = appendString(b, l.State)
			b = append(b, `,"error":`...)
			if l.Error == "" {
				b = appendString(b, "None")
			} else {
				b = appendString(b, l.Error)
			}
			b = append(b, `,"lastUpdatedDateTime":`...)
			b = appendString(b, u.Created.UTC().Format(graphTime))
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if sel["signInActivity"] {
		field("signInActivity")
		b = append(b, `{"lastSignInDateTime":`...)
		b = appendSignIn(b, u.LastSignIn, zeroNever)
		b = append(b, `,"lastSignInRequestId":null,"lastNonInteractiveSignInDateTime":`...)
		b = appendSignIn(b, u.LastNonInteractive, zeroNever)
		b = append(b, `,"lastSuccessfulSignInDateTime":`...)
		b = appendSignIn(b, u.successfulSignIn(), zeroNever)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendSignIn(b []byte, t *time.Time, zeroNever bool) []byte {
	if t == nil && zeroNever {
		return appendString(b, "0001-01-01T00:00:00Z")
	}
	return appendTime(b, t)
}

func appendTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return appendString(b, t.UTC().Format(graphTime))
}

// appendString writes s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, fmt.Sprintf(`\u%04x`, c)...)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// reportSettings answers flat as live Graph does, nested under "value" as Microsoft
// documents it, or 403 for an app without ReportSettings.Read.All.
func (s *Server) reportSettings(w http.ResponseWriter, r *http.Request, t *Tenant) {
	const odataContext = "https://graph.microsoft.com/v1.0/$metadata#admin/reportSettings/$entity"
	switch {
	case t.ReportSettingsRefused:
		graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	case t.NestedReportSettings:
		writeJSON(w, http.StatusOK, map[string]any{"@odata.context": odataContext,
			"value": map[string]any{"@odata.type": "#microsoft.graph.adminReportSettings", "displayConcealedNames": t.ConcealedNames}})
	default:
		writeJSON(w, http.StatusOK, map[string]any{"@odata.context": odataContext, "displayConcealedNames": t.ConcealedNames})
	}
}

// mailboxSettings answers /users/{id}/mailboxSettings with the userPurpose of the
// user's mailbox; a guest has no mailbox here.
func (s *Server) mailboxSettings(w http.ResponseWriter, r *http.Request, t *Tenant) {
	s.stats.MailboxSettings.Add(1)
	if t.MailboxSettingsRefused {
		graphError(w, http.StatusForbidden, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
		return
	}
	id := strings.ToLower(r.PathValue("id"))
	for _, u := range t.Users {
		if u.ID != id && !strings.EqualFold(u.UPN, id) {
			continue
		}
		if u.UserType == "Guest" {
			break
		}
		purpose := "user"
		if u.SharedMailbox {
			purpose = "shared"
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('" + u.ID + "')/mailboxSettings(userPurpose)",
			"userPurpose":    purpose,
		})
		return
	}
	graphError(w, http.StatusNotFound, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.")
}

var reports = map[string]bool{"getM365AppUserDetail": true, "getOffice365ActiveUserDetail": true, "getMailboxUsageDetail": true}

// report answers like Graph: a 302 to a short-lived download of the CSV.
func (s *Server) report(w http.ResponseWriter, r *http.Request, t *Tenant) {
	name, _, _ := strings.Cut(r.PathValue("report"), "(")
	if !reports[name] {
		graphError(w, http.StatusNotFound, "UnknownError", "Unknown report "+name)
		return
	}
	http.Redirect(w, r, cmp.Or(s.opts.ReportBase, s.srv.URL)+"/download/"+t.ID+"/"+name, http.StatusFound)
}

func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.stats.Downloads.Add(1)
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := s.world.Tenant(r.PathValue("tenant"))
	if t == nil {
		http.NotFound(w, r)
		return
	}
	now := s.world.Now()
	refresh := now.AddDate(0, 0, -2).Format("2006-01-02")
	upn := func(u *User) string {
		if !t.ConcealedNames {
			return u.UPN
		}
		h := sha256.Sum256([]byte(u.UPN))
		return strings.ToUpper(hex.EncodeToString(h[:16]))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	// Graph's report CSVs start with a byte-order mark.
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	yes := func(b bool) string {
		if b {
			return "Yes"
		}
		return "No"
	}
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2006-01-02")
	}
	switch r.PathValue("report") {
	case "getM365AppUserDetail":
		_ = cw.Write([]string{"Report Refresh Date", "User Principal Name", "Last Activation Date", "Last Activity Date", "Report Period", "Windows", "Mac", "Mobile", "Web", "Outlook", "Word", "Excel", "PowerPoint", "OneNote", "Teams"})
		for _, u := range t.Users {
			if u.UserType != "Member" || u.SharedMailbox {
				continue
			}
			act := ""
			if u.DesktopActivated {
				act = u.Created.AddDate(0, 0, 1).Format("2006-01-02")
			}
			_ = cw.Write([]string{refresh, upn(u), act, date(u.LastSignIn), "30", yes(u.DesktopActivated), "No", "Yes", "Yes", "Yes", yes(u.DesktopActivated), yes(u.DesktopActivated), "No", "No", "Yes"})
		}
	case "getOffice365ActiveUserDetail":
		_ = cw.Write([]string{"Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date", "Has Exchange License", "Has OneDrive License", "Has SharePoint License", "Has Skype For Business License", "Has Yammer License", "Has Teams License", "Exchange Last Activity Date", "OneDrive Last Activity Date", "SharePoint Last Activity Date", "Skype For Business Last Activity Date", "Yammer Last Activity Date", "Teams Last Activity Date", "Assigned Products", "Report Period"})
		for _, u := range t.Users {
			products := make([]string, 0, len(u.Licenses))
			for _, l := range u.Licenses {
				if sku, ok := s.world.gen.cat.ByID(l.SKUID); ok {
					products = append(products, strings.ToUpper(sku.DisplayName))
				}
			}
			licensed := yes(len(u.Licenses) > 0)
			_ = cw.Write([]string{refresh, upn(u), u.DisplayName, "False", "", licensed, licensed, licensed, "No", "No", licensed,
				date(u.LastSignIn), date(u.LastSignIn), "", "", "", date(u.LastSignIn), strings.Join(products, "+"), "30"})
		}
	case "getMailboxUsageDetail":
		_ = cw.Write([]string{"Report Refresh Date", "User Principal Name", "Display Name", "Is Deleted", "Deleted Date", "Created Date", "Last Activity Date", "Item Count", "Storage Used (Byte)", "Issue Warning Quota (Byte)", "Prohibit Send Quota (Byte)", "Prohibit Send/Receive Quota (Byte)", "Deleted Item Count", "Deleted Item Size (Byte)", "Deleted Item Quota (Byte)", "Has Archive", "Recipient Type", "Report Period"})
		for _, u := range t.Users {
			if u.UserType != "Member" {
				continue
			}
			kind := "User"
			if u.SharedMailbox {
				kind = "Shared"
			}
			_ = cw.Write([]string{refresh, upn(u), u.DisplayName, "False", "", u.Created.Format("2006-01-02"), date(u.LastSignIn), "1200",
				strconv.FormatInt(u.MailboxBytes, 10), "52613349376", "52613349376", "53687091200", "10", "1024", "32212254720", yes(u.HasArchive), kind, "30"})
		}
	default:
		http.NotFound(w, r)
		return
	}
	cw.Flush()
}

func appendStrings(b []byte, list []string) []byte {
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}
