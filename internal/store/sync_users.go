package store

import (
	"github.com/seatledger/seatledger/internal/inventory"
)

func sameUser(a, b inventory.User) bool {
	return a.UPN == b.UPN && a.Mail == b.Mail && a.DisplayName == b.DisplayName && a.Enabled == b.Enabled && a.UserType == b.UserType &&
		sameTime(a.Created, b.Created) && a.UsageLocation == b.UsageLocation &&
		sameTime(a.LastSignIn, b.LastSignIn) && sameTime(a.LastNonInteractive, b.LastNonInteractive) &&
		sameTime(a.LastSuccessfulSignIn, b.LastSuccessfulSignIn) && a.MailboxPurpose == b.MailboxPurpose
}

// userPageSize is how many users are compared and written at a time: memory stays
// flat in the size of the tenant.
const userPageSize = 1000

// applyUsers writes changed users and licence assignments with their history, a
// page of users at a time. A user gone from the directory is removed and its
// assignments end. Users whose digest matches the stored one are not compared: on
// most days most tenants have not changed.
func applyUsers(c *changeSet, snap *inventory.Snapshot) error {
	if c.usersUnchanged {
		return nil
	}
	// A tenant read for the first time has nothing to compare with. Skipping the
	// lookups is more than a saving: PostgreSQL plans them while the tables are
	// still empty and keeps scanning them whole as the transaction fills them.
	var stored int64
	if err := c.tx.Model(&userRow{}).Where("tenant_id = ?", c.tenant).Limit(1).Count(&stored).Error; err != nil {
		return err
	}
	seen := make(map[string]struct{}, snap.Users.Len())
	err := snap.Users.Each(userPageSize, func(page []inventory.User) error {
		return applyUserPage(c, page, seen, stored > 0, snap.SignInData, snap.MailboxPurposeData)
	})
	if err != nil || stored == 0 {
		return err
	}
	return endGoneUsers(c, seen)
}

// applyUserPage compares and writes one page of users. Without sign-in data or
// mailbox purposes (Graph refused them this time) the stored ones are kept, not wiped.
func applyUserPage(c *changeSet, page []inventory.User, seen map[string]struct{}, compare, signInData, mailboxData bool) error {
	ids := make([]string, len(page))
	for i, u := range page {
		ids[i] = u.ID
		seen[u.ID] = struct{}{}
	}
	var oldUsers []userRow
	var oldAssignments []assignmentRow
	if compare {
		if err := c.tx.Where("tenant_id = ? AND user_id IN ?", c.tenant, ids).Find(&oldUsers).Error; err != nil {
			return err
		}
		if err := c.tx.Where("tenant_id = ? AND user_id IN ?", c.tenant, ids).Find(&oldAssignments).Error; err != nil {
			return err
		}
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
	)
	for _, u := range page {
		prev, found := users[u.ID]
		if found && !signInData {
			u.LastSignIn, u.LastNonInteractive = inventory.UTC(prev.LastSignIn), inventory.UTC(prev.LastNonInteractive)
			u.LastSuccessfulSignIn = inventory.UTC(prev.LastSuccessfulSignIn)
		}
		if found && !mailboxData && u.MailboxPurpose == "" {
			u.MailboxPurpose = prev.MailboxPurpose
		}
		row := newUserRow(c.tenant, u)
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
	// What is left of the stored assignments of this page's users has ended.
	for k := range assignments {
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
	if err := c.closeHistory(&enabledHistoryRow{}, "user_id", closeEnabled); err != nil {
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

// endGoneUsers removes the stored users the fresh read did not see, and ends their
// assignments and account history.
func endGoneUsers(c *changeSet, seen map[string]struct{}) error {
	var stored []string
	if err := c.tx.Model(&userRow{}).Where("tenant_id = ?", c.tenant).Pluck("user_id", &stored).Error; err != nil {
		return err
	}
	var gone []string
	for _, id := range stored {
		if _, ok := seen[id]; !ok {
			gone = append(gone, id)
		}
	}
	for start := 0; start < len(gone); start += batchSize {
		ids := gone[start:min(start+batchSize, len(gone))]
		for _, model := range []any{&assignmentRow{}, &userRow{}} {
			res := c.tx.Where("tenant_id = ? AND user_id IN ?", c.tenant, ids).Delete(model)
			if res.Error != nil {
				return res.Error
			}
			c.changes += int(res.RowsAffected)
		}
	}
	if err := c.closeHistory(&assignmentHistoryRow{}, "user_id", gone); err != nil {
		return err
	}
	return c.closeHistory(&enabledHistoryRow{}, "user_id", gone)
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
		row := usageRow{TenantID: c.tenant, UPN: u.UPN, DesktopActivated: u.DesktopActivated, LastActivation: inventory.UTC(u.LastActivation),
			ExchangeActivity: inventory.UTC(u.ExchangeActivity), TeamsActivity: inventory.UTC(u.TeamsActivity), MailboxBytes: u.MailboxBytes, HasArchive: u.HasArchive,
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
