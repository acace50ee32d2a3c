package catalog

import (
	"regexp"
	"strings"
)

// Microsoft's catalogue does not say which SKUs cost nothing. These are the free SKUs
// that show large pools in tenants; counting them as waste would drown the real
// findings. Viral trials (self-service sign-ups: POWERAPPS_VIRAL,
// DYN365_ENTERPRISE_VIRAL_TRIAL, "Dynamics 365 Guides vTrial", ...) are found by name
// below, so that the ones Microsoft adds next need no entry here.
var freePartNumbers = map[string]bool{
	"FLOW_FREE":                      true,
	"POWER_BI_STANDARD":              true,
	"POWER_BI_STANDARD_FACULTY":      true,
	"POWER_BI_STANDARD_STUDENT":      true,
	"TEAMS_EXPLORATORY":              true,
	"TEAMS_FREE":                     true,
	"WINDOWS_STORE":                  true,
	"PHONESYSTEM_VIRTUALUSER":        true,
	"POWERAPPS_VIRAL":                true,
	"POWERAPPS_DEV":                  true,
	"POWERAPPS_INDIVIDUAL_USER":      true,
	"CCIBOTS_PRIVPREV_VIRAL":         true,
	"STREAM":                         true,
	"RIGHTSMANAGEMENT_ADHOC":         true,
	"MICROSOFT_BUSINESS_CENTER":      true,
	"SMB_APPS":                       true,
	"PROJECT_MADEIRA_PREVIEW_IW_SKU": true,
	"MCOPSTNC":                       true,
	"MS_TEAMS_IW":                    true, // "Microsoft Teams Trial", the self-service one
}

var freeName = regexp.MustCompile(`(?i)\bfree\b|\bviral\b|\bvtrial\b`)

// IsFree tells whether a SKU costs nothing, from its part number and display name.
func IsFree(partNumber, displayName string) bool {
	part := strings.ToUpper(CleanID(partNumber))
	return freePartNumbers[part] || freeName.MatchString(displayName) ||
		strings.Contains(part, "VIRAL") || strings.Contains(part, "VTRIAL")
}
