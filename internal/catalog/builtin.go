package catalog

import (
	_ "embed"
	"fmt"
	"sync"

	"gopkg.in/yaml.v3"
)

// builtin.yaml holds the common commercial SKUs with their service plans, taken from
// Microsoft's catalogue CSV, so that a fresh install works before anyone imports the
// full file. TestBuiltinMatchesMicrosoftCatalogue keeps it true to the CSV and
// regenerates it with -update.
//
//go:embed builtin.yaml
var builtinYAML []byte

// BuiltinPartNumbers are the SKUs the built-in catalogue carries.
var BuiltinPartNumbers = []string{
	// Business plans, with and without Teams.
	"O365_BUSINESS_ESSENTIALS", "O365_BUSINESS_PREMIUM", "SPB",
	"Microsoft_365_Business_Basic_(no Teams)", "MICROSOFT_365_BUSINESS_STANDARD_NO_TEAMS", "Microsoft_365_ Business_ Premium_(no Teams)",
	"Microsoft_365_Business_Basic_EEA_(no_Teams)", "Microsoft_365_Business_Standard_EEA_(no_Teams)", "Office_365_w/o_Teams_Bundle_Business_Standard",
	"Office_365_w/o_Teams_Bundle_Business_Premium",
	// Apps.
	"O365_BUSINESS", "OFFICESUBSCRIPTION",
	// Office 365 and Microsoft 365 enterprise and frontline suites, with and without Teams.
	"STANDARDPACK", "ENTERPRISEPACK", "ENTERPRISEPREMIUM",
	"Office_365_E1_(no_Teams)", "Office_365_E3_(no_Teams)", "Office_365_w/o_Teams_Bundle_E1", "O365_w/o_Teams_Bundle_E3", "Office_365_w/o_Teams_Bundle_E5",
	"SPE_E3", "SPE_E5", "SPE_E5_NOPSTNCONF", "Microsoft_365_E3_(no_Teams)", "Microsoft_365_E5_(no_Teams)", "O365_w/o Teams Bundle_M3", "O365_w/o_Teams_Bundle_M5",
	"M365_F1_COMM", "SPE_F1", "Microsoft_365_F1_EEA_(no_Teams)", "Microsoft_365_F3_EEA_(no_Teams)",
	// Exchange.
	"EXCHANGESTANDARD", "EXCHANGEENTERPRISE", "EXCHANGEDESKLESS", "EXCHANGEARCHIVE_ADDON",
	// Identity, device management and security.
	"AAD_PREMIUM", "AAD_PREMIUM_P2", "EMS", "EMSPREMIUM", "INTUNE_A",
	"ATP_ENTERPRISE", "THREAT_INTELLIGENCE", "WIN_DEF_ATP", "DEFENDER_ENDPOINT_P1",
	// Teams.
	"Microsoft_Teams_Enterprise_New", "Teams_Ess", "MCOEV", "MCOMEETADV",
	// Add-ons.
	"POWER_BI_PRO", "VISIOONLINE_PLAN1", "VISIOCLIENT", "PROJECT_P1", "PROJECTPROFESSIONAL", "PROJECTPREMIUM",
	"Microsoft_365_Copilot",
	// Free and viral SKUs.
	"FLOW_FREE", "POWER_BI_STANDARD", "TEAMS_EXPLORATORY", "WINDOWS_STORE", "PHONESYSTEM_VIRTUALUSER",
	"POWERAPPS_VIRAL", "POWERAPPS_DEV", "CCIBOTS_PRIVPREV_VIRAL", "STREAM", "TEAMS_FREE", "RIGHTSMANAGEMENT_ADHOC",
	"MS_TEAMS_IW", "Dynamics_365_Sales_Premium_Viral_Trial",
}

var (
	builtinOnce sync.Once
	builtin     *Catalog
	builtinErr  error
)

// Builtin returns the built-in catalogue.
func Builtin() (*Catalog, error) {
	builtinOnce.Do(func() {
		var skus []SKU
		if err := yaml.Unmarshal(builtinYAML, &skus); err != nil {
			builtinErr = fmt.Errorf("read built-in catalogue: %w", err)
			return
		}
		builtin = New(skus)
	})
	return builtin, builtinErr
}
