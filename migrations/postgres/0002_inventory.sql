-- +goose Up
-- Current state of each customer tenant, as the last successful sync read it, and its
-- history kept as changes (valid_from inclusive, valid_to exclusive; NULL = still so).

CREATE TABLE tenant_state (
    tenant_id     UUID PRIMARY KEY,
    sign_in_data  BOOLEAN NOT NULL,
    sign_in_note  TEXT NOT NULL DEFAULT '',
    usage_note    TEXT NOT NULL DEFAULT '',
    -- users_digest identifies the users and licences last stored (inventory.UserSet.Digest).
    users_digest  TEXT NOT NULL DEFAULT '',
    usage_report_date  TIMESTAMPTZ
);

CREATE TABLE licence_pools (
    tenant_id          UUID NOT NULL,
    sku_id             UUID NOT NULL,
    part_number        TEXT NOT NULL,
    applies_to         TEXT NOT NULL DEFAULT '',
    capability_status  TEXT NOT NULL DEFAULT '',
    enabled            INTEGER NOT NULL,
    warning            INTEGER NOT NULL,
    suspended          INTEGER NOT NULL,
    locked_out         INTEGER NOT NULL,
    consumed           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, sku_id)
);

CREATE TABLE licence_pool_history (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   UUID NOT NULL,
    sku_id      UUID NOT NULL,
    valid_from  TIMESTAMPTZ NOT NULL,
    valid_to    TIMESTAMPTZ,
    enabled     INTEGER NOT NULL,
    warning     INTEGER NOT NULL,
    suspended   INTEGER NOT NULL,
    locked_out  INTEGER NOT NULL,
    consumed    INTEGER NOT NULL
);
CREATE INDEX licence_pool_history_key ON licence_pool_history (tenant_id, sku_id, valid_from);

CREATE TABLE subscriptions (
    tenant_id          UUID NOT NULL,
    subscription_id    UUID NOT NULL,
    commerce_id        TEXT NOT NULL DEFAULT '',
    sku_id             UUID NOT NULL,
    part_number        TEXT NOT NULL,
    status             TEXT NOT NULL,
    total_licenses     INTEGER NOT NULL,
    is_trial           BOOLEAN NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    next_lifecycle_at  TIMESTAMPTZ,
    owner_tenant_id    TEXT NOT NULL DEFAULT '',
    owner_type         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, subscription_id)
);

CREATE TABLE subscription_history (
    id               BIGSERIAL PRIMARY KEY,
    tenant_id        UUID NOT NULL,
    subscription_id  UUID NOT NULL,
    sku_id           UUID NOT NULL,
    valid_from       TIMESTAMPTZ NOT NULL,
    valid_to         TIMESTAMPTZ,
    status           TEXT NOT NULL,
    total_licenses   INTEGER NOT NULL
);
CREATE INDEX subscription_history_key ON subscription_history (tenant_id, subscription_id, valid_from);

CREATE TABLE directory_users (
    tenant_id             UUID NOT NULL,
    user_id               UUID NOT NULL,
    upn                   TEXT NOT NULL,
    display_name          TEXT NOT NULL DEFAULT '',
    account_enabled       BOOLEAN NOT NULL,
    user_type             TEXT NOT NULL DEFAULT '',
    created_at            TIMESTAMPTZ,
    usage_location        TEXT NOT NULL DEFAULT '',
    last_sign_in          TIMESTAMPTZ,
    last_non_interactive  TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX directory_users_upn ON directory_users (tenant_id, upn);

CREATE TABLE user_enabled_history (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   UUID NOT NULL,
    user_id     UUID NOT NULL,
    upn         TEXT NOT NULL,
    valid_from  TIMESTAMPTZ NOT NULL,
    valid_to    TIMESTAMPTZ,
    enabled     BOOLEAN NOT NULL
);
CREATE INDEX user_enabled_history_key ON user_enabled_history (tenant_id, user_id, valid_from);

CREATE TABLE licence_assignments (
    tenant_id       UUID NOT NULL,
    user_id         UUID NOT NULL,
    sku_id          UUID NOT NULL,
    group_id        TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    error           TEXT NOT NULL DEFAULT '',
    disabled_plans  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, user_id, sku_id, group_id)
);

CREATE TABLE assignment_history (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   UUID NOT NULL,
    user_id     UUID NOT NULL,
    upn         TEXT NOT NULL,
    sku_id      UUID NOT NULL,
    group_id    TEXT NOT NULL DEFAULT '',
    valid_from  TIMESTAMPTZ NOT NULL,
    valid_to    TIMESTAMPTZ
);
CREATE INDEX assignment_history_key ON assignment_history (tenant_id, user_id, valid_from);

CREATE TABLE usage_signals (
    tenant_id          UUID NOT NULL,
    upn                TEXT NOT NULL,
    desktop_activated  BOOLEAN,
    last_activation    TIMESTAMPTZ,
    exchange_activity  TIMESTAMPTZ,
    teams_activity     TIMESTAMPTZ,
    mailbox_bytes      BIGINT,
    has_archive        BOOLEAN,
    recipient_type     TEXT NOT NULL DEFAULT '',
    assigned_products  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, upn)
);

CREATE TABLE sync_runs (
    id              BIGSERIAL PRIMARY KEY,
    started_at      TIMESTAMPTZ NOT NULL,
    finished_at     TIMESTAMPTZ,
    status          TEXT NOT NULL,
    tenants         INTEGER NOT NULL DEFAULT 0,
    tenants_ok      INTEGER NOT NULL DEFAULT 0,
    tenants_failed  INTEGER NOT NULL DEFAULT 0,
    users_read      INTEGER NOT NULL DEFAULT 0,
    changes         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE sync_tenant_runs (
    id                  BIGSERIAL PRIMARY KEY,
    run_id              BIGINT NOT NULL REFERENCES sync_runs(id) ON DELETE CASCADE,
    tenant_id           UUID NOT NULL,
    started_at          TIMESTAMPTZ NOT NULL,
    finished_at         TIMESTAMPTZ NOT NULL,
    status              TEXT NOT NULL,
    error               TEXT NOT NULL DEFAULT '',
    users_read          INTEGER NOT NULL DEFAULT 0,
    skus_read           INTEGER NOT NULL DEFAULT 0,
    subscriptions_read  INTEGER NOT NULL DEFAULT 0,
    requests            INTEGER NOT NULL DEFAULT 0,
    changes             INTEGER NOT NULL DEFAULT 0,
    sign_in_data        BOOLEAN NOT NULL DEFAULT FALSE,
    usage_read          BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sync_tenant_runs_tenant ON sync_tenant_runs (tenant_id, started_at);

-- +goose Down
DROP TABLE sync_tenant_runs;
DROP TABLE sync_runs;
DROP TABLE usage_signals;
DROP TABLE assignment_history;
DROP TABLE licence_assignments;
DROP TABLE user_enabled_history;
DROP TABLE directory_users;
DROP TABLE subscription_history;
DROP TABLE subscriptions;
DROP TABLE licence_pool_history;
DROP TABLE licence_pools;
DROP TABLE tenant_state;
