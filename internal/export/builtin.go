package export

import (
	"fmt"
	"slices"
	"strings"
)

// lineColumns are the columns of the default and excel-eu profiles: one row per
// billing line with its numbers and where they came from.
var lineColumns = []Column{
	{"Status", "status"},
	{"Customer", "customer"},
	{"External ref", "external_ref"},
	{"Tenant id", "tenant_id"},
	{"SKU", "sku"},
	{"SKU id", "sku_id"},
	{"Description", "description"},
	{"Kind", "kind"},
	{"Quantity", "quantity"},
	{"Unit", "unit"},
	{"Unit price", "unit_price"},
	{"Amount", "amount"},
	{"Cost", "cost"},
	{"Margin", "margin"},
	{"Currency", "currency"},
	{"Period", "period"},
	{"From", "from"},
	{"To", "to"},
	{"Run id", "run_id"},
	{"Line id", "line_id"},
	{"Contract line", "contract_line"},
	{"Contract ref", "contract_ref"},
	{"Subscription id", "subscription_id"},
	{"Partner Center subscription id", "partner_center_id"},
}

// xeroColumns are Xero's sales-invoice import template (SalesInvoiceTemplate.csv),
// every column in its order with its header as written, asterisks marking what Xero
// requires. Xero groups the rows of an invoice by *InvoiceNumber; columns seatledger
// has nothing for stay blank.
var xeroColumns = []Column{
	{"*ContactName", "customer"},
	{"EmailAddress", "email"},
	{"POAddressLine1", ""},
	{"POAddressLine2", ""},
	{"POAddressLine3", ""},
	{"POAddressLine4", ""},
	{"POCity", ""},
	{"PORegion", ""},
	{"POPostalCode", ""},
	{"POCountry", ""},
	{"*InvoiceNumber", "invoice_number"},
	{"Reference", "reference"},
	{"*InvoiceDate", "invoice_date"},
	{"*DueDate", "due_date"},
	{"InventoryItemCode", ""},
	{"*Description", "invoice_description"},
	{"*Quantity", "invoice_quantity"},
	{"*UnitAmount", "invoice_unit_amount"},
	{"Discount", ""},
	{"*AccountCode", "account_code"},
	{"*TaxType", "tax_type"},
	{"TrackingName1", ""},
	{"TrackingOption1", ""},
	{"TrackingName2", ""},
	{"TrackingOption2", ""},
	{"Currency", "currency"},
	{"BrandingTheme", ""},
}

func ptr[T any](v T) *T { return &v }

// builtinSpecs are the built-in profiles, by name.
var builtinSpecs = map[string]*ProfileSpec{
	// default: comma-separated, decimal point, ISO dates: for scripts and for
	// spreadsheets set to English.
	"default": {Name: "default", Separator: ",", DecimalMark: ".", DateFormat: "yyyy-mm-dd", Quote: "as-needed", BOM: ptr(false), Columns: lineColumns},
	// excel-eu: what Excel opens by double-click in Dutch, German and Italian
	// settings, where the list separator is ";" and the decimal mark ",".
	"excel-eu": {Name: "excel-eu", Separator: ";", DecimalMark: ",", DateFormat: "dd-mm-yyyy", Quote: "as-needed", BOM: ptr(true), Columns: lineColumns},
	// xero: Xero's sales-invoice import, one invoice per customer and currency,
	// dated as Xero's UK, Australian and New Zealand organisations read dates.
	// Account 200 is Sales in Xero's default chart of accounts; 20% (VAT on Income)
	// is the standard rate of a UK organisation: a profile based on xero changes them.
	"xero": {Name: "xero", Separator: ",", DecimalMark: ".", DateFormat: "dd/mm/yyyy", Quote: "as-needed", BOM: ptr(false), Columns: xeroColumns,
		AccountCode: "200", TaxType: "20% (VAT on Income)", InvoicePrefix: "SL-", DueDays: ptr(30)},
}

// BuiltinNames lists the built-in profiles.
func BuiltinNames() []string { return sortedKeys(builtinSpecs) }

// Builtin is the built-in profile of that name.
func Builtin(name string) (Profile, bool) {
	spec := builtinSpecs[name]
	if spec == nil {
		return Profile{}, false
	}
	p, err := parseProfile(*spec, false)
	if err != nil {
		// The built-ins are checked by the package's tests.
		panic(fmt.Sprintf("built-in export profile %s: %v", name, err))
	}
	return p, true
}

// Lookup finds a profile by name among the built-ins and the configured ones.
func Lookup(name string, configured []Profile) (Profile, error) {
	if p, ok := Builtin(name); ok {
		return p, nil
	}
	if i := slices.IndexFunc(configured, func(p Profile) bool { return p.Name == name }); i >= 0 {
		return configured[i], nil
	}
	names := BuiltinNames()
	for _, p := range configured {
		names = append(names, p.Name)
	}
	return Profile{}, fmt.Errorf("export profile %q is not defined (%s)", name, strings.Join(names, ", "))
}
