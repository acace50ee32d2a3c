package store

import (
	"github.com/seatledger/seatledger/internal/inventory"
)

func sameUser(a, b inventory.User) bool {
	return a.UPN == b.UPN && a.DisplayName == b.DisplayName && a.Enabled == b.Enabled && a.UserType == b.UserType &&
		sameTime(a.Created, b.Created) && a.UsageLocation == b.UsageLocation &&
		sameTime(a.LastSignIn, b.LastSignIn) && sameTime(a.LastNonInteractive, b.LastNonInteractive)
}

// applyUsers writes changed users and licence assignments with their history. A user
// gone from the directory is removed and its assignments end.
func applyUsers(c *changeSet, snap *inventory.Snapshot) error {
	var oldUsers []userRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&oldUsers).Error; err != nil {
		return err
	}
	var oldAssignments []assignmentRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&oldAssignments).Error; err != nil {
		return err
	}
	users := make(map[string]userRow, len(oldUsers))
	for _, r := range oldUsers {
		users[r.UserID] = r
	}
	assignments := make(map[assignmentKey]assignmentRow, len(oldAssignments))
	for _, r := range oldAssignments {
		assignments[r.key()] = r
	}

	var (
		newUsers       []userRow
		enabledHistory []enabledHistoryRow
		closeEnabled   []string
		newAssignments []assignmentRow
		assignHistory  []assignmentHistoryRow
		goneUsers      []string
	)
	for _, u := range snap.Users {
		row := userRow{TenantID: c.tenant, UserID: u.ID, UPN: u.UPN, DisplayName: u.DisplayName, AccountEnabled: u.Enabled, UserType: u.UserType,
			CreatedAt: utcPtr(u.Created), UsageLocation: u.UsageLocation, LastSignIn: utcPtr(u.LastSignIn), LastNonInteractive: utcPtr(u.LastNonInteractive)}
		prev, found := users[u.ID]
		delete(users, u.ID)
		switch {
		case !found:
			newUsers = append(newUsers, row)
			enabledHistory = append(enabledHistory, enabledHistoryRow{TenantID: c.tenant, UserID: u.ID, UPN: u.UPN, ValidFrom: c.at, Enabled: u.Enabled})
		case !sameUser(prev.user(), u):
			c.changes++
			if err := c.tx.Save(&row).Error; err != nil {
				return err
			}
			if prev.AccountEnabled != u.Enabled {
				closeEnabled = append(closeEnabled, u.ID)
				enabledHistory = append(enabledHistory, enabledHistoryRow{TenantID: c.tenant, UserID: u.ID, UPN: u.UPN, ValidFrom: c.at, Enabled: u.Enabled})
			}
		}
		for _, a := range u.Assignments {
			arow := assignmentRow{TenantID: c.tenant, UserID: u.ID, SKUID: a.SKUID, GroupID: a.Group, State: a.State, Error: a.Error, DisabledPlans: a.DisabledPlans}
			prevA, had := assignments[arow.key()]
			delete(assignments, arow.key())
			switch {
			case !had:
				newAssignments = append(newAssignments, arow)
				assignHistory = append(assignHistory, assignmentHistoryRow{TenantID: c.tenant, UserID: u.ID, UPN: u.UPN, SKUID: a.SKUID, GroupID: a.Group, ValidFrom: c.at})
			case prevA != arow:
				c.changes++
				if err := c.tx.Save(&arow).Error; err != nil {
					return err
				}
			}
		}
	}
	for id := range users {
		goneUsers = append(goneUsers, id)
	}
	// Assignments that ended: of users still here, one by one; of users gone, all at once.
	gone := make(map[string]bool, len(goneUsers))
	for _, id := range goneUsers {
		gone[id] = true
	}
	for k := range assignments {
		if gone[k.user] {
			continue
		}
		c.changes++
		if err := c.tx.Where("tenant_id = ? AND user_id = ? AND sku_id = ? AND group_id = ?", c.tenant, k.user, k.sku, k.group).Delete(&assignmentRow{}).Error; err != nil {
			return err
		}
		res := c.tx.Model(&assignmentHistoryRow{}).Where("tenant_id = ? AND user_id = ? AND sku_id = ? AND group_id = ? AND valid_to IS NULL", c.tenant, k.user, k.sku, k.group).Update("valid_to", c.at)
		if res.Error != nil {
			return res.Error
		}
		c.changes += int(res.RowsAffected)
	}
	for start := 0; start < len(goneUsers); start += batchSize {
		ids := goneUsers[start:min(start+batchSize, len(goneUsers))]
		for _, model := range []any{&assignmentRow{}, &userRow{}} {
			res := c.tx.Where("tenant_id = ? AND user_id IN ?", c.tenant, ids).Delete(model)
			if res.Error != nil {
				return res.Error
			}
			c.changes += int(res.RowsAffected)
		}
	}
	if err := c.closeHistory(&assignmentHistoryRow{}, "user_id", goneUsers); err != nil {
		return err
	}
	if err := c.closeHistory(&enabledHistoryRow{}, "user_id", append(closeEnabled, goneUsers...)); err != nil {
		return err
	}
	if err := insertAll(c, newUsers); err != nil {
		return err
	}
	if err := insertAll(c, enabledHistory); err != nil {
		return err
	}
	if err := insertAll(c, newAssignments); err != nil {
		return err
	}
	return insertAll(c, assignHistory)
}

// applyUsage replaces the usage signals when this sync read the reports.
func applyUsage(c *changeSet, snap *inventory.Snapshot) error {
	if !snap.UsageRead {
		return nil
	}
	var old []usageRow
	if err := c.tx.Where("tenant_id = ?", c.tenant).Find(&old).Error; err != nil {
		return err
	}
	stored := make(map[string]usageRow, len(old))
	for _, r := range old {
		stored[r.UPN] = r
	}
	var inserts []usageRow
	for _, u := range snap.Usage {
		row := usageRow{TenantID: c.tenant, UPN: u.UPN, DesktopActivated: u.DesktopActivated, LastActivation: utcPtr(u.LastActivation),
			ExchangeActivity: utcPtr(u.ExchangeActivity), TeamsActivity: utcPtr(u.TeamsActivity), MailboxBytes: u.MailboxBytes, HasArchive: u.HasArchive,
			RecipientType: u.RecipientType, AssignedProducts: u.AssignedProducts}
		prev, found := stored[u.UPN]
		delete(stored, u.UPN)
		if !found {
			inserts = append(inserts, row)
			continue
		}
		if sameBool(prev.DesktopActivated, row.DesktopActivated) && sameTime(prev.LastActivation, row.LastActivation) &&
			sameTime(prev.ExchangeActivity, row.ExchangeActivity) && sameTime(prev.TeamsActivity, row.TeamsActivity) && sameInt64(prev.MailboxBytes, row.MailboxBytes) &&
			sameBool(prev.HasArchive, row.HasArchive) && prev.RecipientType == row.RecipientType && prev.AssignedProducts == row.AssignedProducts {
			continue
		}
		c.changes++
		if err := c.tx.Save(&row).Error; err != nil {
			return err
		}
	}
	var gone []string
	for upn := range stored {
		gone = append(gone, upn)
	}
	for start := 0; start < len(gone); start += batchSize {
		res := c.tx.Where("tenant_id = ? AND upn IN ?", c.tenant, gone[start:min(start+batchSize, len(gone))]).Delete(&usageRow{})
		if res.Error != nil {
			return res.Error
		}
		c.changes += int(res.RowsAffected)
	}
	return insertAll(c, inserts)
}
