package catalog

import "strings"

// Tiers of the same workload carry different plan ids, so "SKU A includes everything
// of SKU B" needs to know which plan outranks which. Each chain is ordered from the
// lowest tier to the highest; a plan is covered by itself or by any plan after it.
var tierChains = [][]string{
	{"EXCHANGE_S_DESKLESS", "EXCHANGE_S_STANDARD", "EXCHANGE_S_ENTERPRISE"},
	{"SHAREPOINTDESKLESS", "SHAREPOINTSTANDARD", "SHAREPOINTENTERPRISE"},
	{"OFFICEMOBILE_SUBSCRIPTION", "OFFICE_BUSINESS", "OFFICESUBSCRIPTION"},
	{"FORMS_PLAN_K", "FORMS_PLAN_E1", "FORMS_PLAN_E3", "FORMS_PLAN_E5"},
	{"STREAM_O365_K", "STREAM_O365_SMB", "STREAM_O365_E1", "STREAM_O365_E3", "STREAM_O365_E5"},
	{"POWERAPPS_O365_S1", "POWERAPPS_O365_P1", "POWERAPPS_O365_P2", "POWERAPPS_O365_P3"},
	{"FLOW_O365_S1", "FLOW_O365_P1", "FLOW_O365_P2", "FLOW_O365_P3"},
	{"PROJECT_O365_F3", "PROJECT_O365_P1", "PROJECT_O365_P2", "PROJECT_O365_P3"},
	{"DYN365_CDS_O365_F1", "DYN365_CDS_O365_P1", "DYN365_CDS_O365_P2", "DYN365_CDS_O365_P3"},
	{"CDS_O365_F1", "CDS_O365_P1", "CDS_O365_P2", "CDS_O365_P3"},
	{"POWER_VIRTUAL_AGENTS_O365_F1", "POWER_VIRTUAL_AGENTS_O365_P1", "POWER_VIRTUAL_AGENTS_O365_P2", "POWER_VIRTUAL_AGENTS_O365_P3"},
	{"KAIZALA_O365_P1", "KAIZALA_O365_P2", "KAIZALA_O365_P3", "KAIZALA_STANDALONE"},
	{"WHITEBOARD_FIRSTLINE1", "WHITEBOARD_PLAN1", "WHITEBOARD_PLAN2", "WHITEBOARD_PLAN3"},
	{"MYANALYTICS_P2", "MYANALYTICS_P3"},
	{"RMS_S_BASIC", "RMS_S_ENTERPRISE"},
	{"RMS_S_PREMIUM", "RMS_S_PREMIUM2"},
	{"AAD_PREMIUM", "AAD_PREMIUM_P2"},
	{"ATP_ENTERPRISE", "THREAT_INTELLIGENCE"},
	{"MDE_LITE", "WINDEFATP"},
	{"ADALLOM_S_DISCOVERY", "ADALLOM_S_STANDALONE"},
	{"MIP_S_CLP1", "MIP_S_CLP2"},
}

// Plans that come with nearly every SKU, and no-cost extras Microsoft adds to some
// suites and not yet to others, say nothing about what a SKU is for; keeping them
// would make no SKU contain any other.
var ignoredPlans = map[string]bool{
	"EXCHANGE_S_FOUNDATION":             true,
	"INTUNE_O365":                       true,
	"BING_CHAT_ENTERPRISE":              true,
	"M365_LIGHTHOUSE_CUSTOMER_PLAN1":    true,
	"M365_LIGHTHOUSE_PARTNER_PLAN1":     true,
	"MESH_AVATARS_FOR_TEAMS":            true,
	"MESH_AVATARS_ADDITIONAL_FOR_TEAMS": true,
	"MESH_IMMERSIVE_FOR_TEAMS":          true,
	"NUCLEUS":                           true,
}

var ignoredPlanPrefixes = []string{"BPOS_S_TODO_"}

var dominators = buildDominators()

func buildDominators() map[string]map[string]bool {
	d := map[string]map[string]bool{}
	for _, chain := range tierChains {
		for i, lower := range chain {
			if d[lower] == nil {
				d[lower] = map[string]bool{}
			}
			for _, higher := range chain[i+1:] {
				d[lower][higher] = true
			}
		}
	}
	return d
}

// Ignored tells whether a service plan says nothing about what a SKU is for: too
// common, a no-cost extra, or retired.
func Ignored(plan ServicePlan) bool {
	if strings.HasPrefix(strings.ToUpper(plan.FriendlyName), "RETIRED") {
		return true
	}
	name := strings.ToUpper(plan.Name)
	if ignoredPlans[name] {
		return true
	}
	for _, p := range ignoredPlanPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Contains reports whether every service plan of b that matters is included in a,
// either as the same plan or as a higher tier of it. A SKU never contains itself, and
// a SKU with no plan that matters is contained in nothing.
func Contains(a, b SKU) bool {
	if a.ID == b.ID {
		return false
	}
	counted := 0
	for _, p := range b.Plans {
		if !Ignored(p) {
			counted++
		}
	}
	return counted > 0 && len(Uncovered(b, a)) == 0
}

// Uncovered lists the plans of a that matter and that b includes neither as the same
// plan nor as a higher tier: what a offers over b.
func Uncovered(a, b SKU) []ServicePlan {
	haveID := make(map[string]bool, len(b.Plans))
	haveName := make(map[string]bool, len(b.Plans))
	for _, p := range b.Plans {
		haveID[p.ID] = true
		haveName[strings.ToUpper(p.Name)] = true
	}
	var out []ServicePlan
	for _, p := range a.Plans {
		if Ignored(p) {
			continue
		}
		name := strings.ToUpper(p.Name)
		if haveID[p.ID] || haveName[name] {
			continue
		}
		covered := false
		for higher := range dominators[name] {
			if haveName[higher] {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// ContainedIn lists the SKUs of the catalogue whose plans include every plan of the
// given SKU that matters: holding the given SKU next to one of them is redundant.
func (c *Catalog) ContainedIn(sku SKU) []SKU {
	var out []SKU
	for _, a := range c.skus {
		if Contains(a, sku) {
			out = append(out, a)
		}
	}
	return out
}
