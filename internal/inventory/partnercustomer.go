package inventory

// PartnerCustomer is one customer in the partner's Partner Center customer list (GET
// /v1/customers). Its id is the customer's Entra tenant id.
type PartnerCustomer struct {
	TenantID    string `json:"tenantId"`
	CompanyName string `json:"companyName"`
	Domain      string `json:"domain"`
	// Relationship is Partner Center's relationshipToPartner: reseller, advisor, ...
	Relationship string `json:"relationship,omitempty"`
}
