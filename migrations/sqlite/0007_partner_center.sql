-- +goose Up
-- Partner Center's view of the subscriptions the partner sold each customer: the
-- current state, and its history kept as changes (valid_from inclusive, valid_to
-- exclusive; NULL = still so) of what billing and advice date by: seats, status,
-- the commitment's end and auto-renew.

CREATE TABLE partner_subscriptions (
    tenant_id        TEXT NOT NULL,
    subscription_id  TEXT NOT NULL,
    offer_id         TEXT NOT NULL DEFAULT '',
    product_sku      TEXT NOT NULL DEFAULT '',
    offer_name       TEXT NOT NULL DEFAULT '',
    product_type     TEXT NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT '',
    created_at       DATETIME,
    effective_start  DATETIME,
    commitment_end   DATETIME,
    auto_renew       BOOLEAN NOT NULL,
    term_duration    TEXT NOT NULL DEFAULT '',
    billing_cycle    TEXT NOT NULL DEFAULT '',
    is_trial         BOOLEAN NOT NULL,
    reseller_id      TEXT NOT NULL DEFAULT '',
    refund_until     DATETIME,
    -- refundable is the seats that can be returned, each lot until when (JSON).
    refundable       TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, subscription_id)
);

CREATE TABLE partner_subscription_history (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id        TEXT NOT NULL,
    subscription_id  TEXT NOT NULL,
    valid_from       DATETIME NOT NULL,
    valid_to         DATETIME,
    quantity         INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT '',
    commitment_end   DATETIME,
    auto_renew       BOOLEAN NOT NULL
);
CREATE INDEX partner_subscription_history_key ON partner_subscription_history (tenant_id, subscription_id, valid_from);

-- Why Partner Center could not be read for a tenant at its last sync ('' = it was).
ALTER TABLE tenant_state ADD COLUMN partner_center_note TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_tenant_runs ADD COLUMN partner_center_read BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sync_tenant_runs ADD COLUMN partner_center_error TEXT NOT NULL DEFAULT '';

-- Customers found in Partner Center before finance completed them are 'discovered';
-- those Partner Center no longer lists are 'ended'. Neither is ever deleted.
ALTER TABLE customers ADD COLUMN status TEXT NOT NULL DEFAULT 'active';

-- +goose Down
ALTER TABLE customers DROP COLUMN status;
ALTER TABLE sync_tenant_runs DROP COLUMN partner_center_error;
ALTER TABLE sync_tenant_runs DROP COLUMN partner_center_read;
ALTER TABLE tenant_state DROP COLUMN partner_center_note;
DROP TABLE partner_subscription_history;
DROP TABLE partner_subscriptions;
