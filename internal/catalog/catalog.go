// Package catalog knows Microsoft's licensable products: each SKU with its GUID, part
// number, display name, whether it costs money, and the service plans it bundles. It
// reads Microsoft's published CSV, carries a built-in copy of the common commercial
// SKUs, and decides when one SKU's plans are all included in another's.
package catalog

import (
	"fmt"
	"sort"
	"strings"

	"github.com/seatledger/seatledger/internal/ids"
)

// ServicePlan is one workload inside a SKU (Exchange Online Plan 2, Teams, ...).
type ServicePlan struct {
	ID           string `json:"id" yaml:"id"`
	Name         string `json:"name" yaml:"name"`
	FriendlyName string `json:"friendlyName" yaml:"friendly"`
}

// SKU is a licensable product. ID is the Graph skuId (a lower-case GUID); Microsoft
// reuses display names across GUIDs, so the GUID is the only reliable key.
type SKU struct {
	ID          string        `json:"skuId" yaml:"guid"`
	PartNumber  string        `json:"skuPartNumber" yaml:"part"`
	DisplayName string        `json:"displayName" yaml:"name"`
	Free        bool          `json:"free" yaml:"free,omitempty"`
	Plans       []ServicePlan `json:"servicePlans" yaml:"plans"`
}

// Catalog is an immutable, indexed set of SKUs.
type Catalog struct {
	skus     []SKU
	byID     map[string]int
	byPart   map[string][]int
	editions map[edition][]int
}

// New indexes skus, sorted by part number then GUID so that listings are stable. A SKU
// seatledger's own rules call free is marked free even when it was stored before the
// rule knew it, so that a catalogue imported last year needs no re-import.
func New(skus []SKU) *Catalog {
	sorted := append([]SKU(nil), skus...)
	for i := range sorted {
		sorted[i].Free = sorted[i].Free || IsFree(sorted[i].PartNumber, sorted[i].DisplayName)
	}
	sort.Slice(sorted, func(i, j int) bool {
		a, b := strings.ToLower(sorted[i].PartNumber), strings.ToLower(sorted[j].PartNumber)
		if a != b {
			return a < b
		}
		return sorted[i].ID < sorted[j].ID
	})
	c := &Catalog{skus: sorted, byID: map[string]int{}, byPart: map[string][]int{}}
	for i, s := range sorted {
		c.byID[s.ID] = i
		key := strings.ToLower(s.PartNumber)
		c.byPart[key] = append(c.byPart[key], i)
	}
	c.editions = indexEditions(sorted)
	return c
}

// SKUs returns every SKU in listing order.
func (c *Catalog) SKUs() []SKU { return c.skus }

func (c *Catalog) Len() int { return len(c.skus) }

// ByID returns the SKU with the given GUID.
func (c *Catalog) ByID(id string) (SKU, bool) {
	norm, ok := ids.ParseGUID(id)
	if !ok {
		return SKU{}, false
	}
	i, ok := c.byID[norm]
	if !ok {
		return SKU{}, false
	}
	return c.skus[i], true
}

// Lookup finds a SKU by GUID or by part number (case-insensitive). A part number
// that Microsoft gives to several GUIDs is ambiguous and reported as such.
func (c *Catalog) Lookup(key string) (SKU, error) {
	if _, isGUID := ids.ParseGUID(key); isGUID {
		if s, ok := c.ByID(key); ok {
			return s, nil
		}
		return SKU{}, fmt.Errorf("no SKU with GUID %s in the catalogue", strings.TrimSpace(key))
	}
	matches := c.byPart[strings.ToLower(CleanID(key))]
	switch len(matches) {
	case 0:
		return SKU{}, fmt.Errorf("no SKU with part number %q in the catalogue", key)
	case 1:
		return c.skus[matches[0]], nil
	default:
		guids := make([]string, len(matches))
		for i, m := range matches {
			guids[i] = c.skus[m].ID
		}
		return SKU{}, fmt.Errorf("part number %q names %d SKUs (%s): use the GUID", key, len(matches), strings.Join(guids, ", "))
	}
}
