-- +goose Up
-- Contract lines per customer, Partner Center offers, the findings of the advice rules with their lifecycle,
-- and the exclusions that keep findings away.

CREATE TABLE contract_lines (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       UUID NOT NULL,
    reference       TEXT NOT NULL DEFAULT '',
    sku_id          UUID NOT NULL,
    part_number     TEXT NOT NULL,
    term            TEXT NOT NULL,
    billing_plan    TEXT NOT NULL,
    quantity        INTEGER,              -- NULL bills as many seats as are assigned
    unit_price      NUMERIC(20, 6),       -- per seat per month; NULL when priced by markup
    markup_percent  NUMERIC(12, 4),
    billing_policy  TEXT NOT NULL,
    billing_day     INTEGER NOT NULL DEFAULT 0,
    start_date      TIMESTAMPTZ NOT NULL,
    end_date        TIMESTAMPTZ,          -- inclusive
    notice_days     INTEGER NOT NULL,
    source_line     INTEGER NOT NULL DEFAULT 0,
    imported_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX contract_lines_tenant ON contract_lines (tenant_id, sku_id);

CREATE TABLE findings (
    fingerprint     TEXT PRIMARY KEY,
    tenant_id       UUID NOT NULL,
    kind            TEXT NOT NULL,
    skus            TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    seats           INTEGER NOT NULL,
    evidence        TEXT NOT NULL,
    action          TEXT NOT NULL,
    act_by          TIMESTAMPTZ,
    monthly_saving  NUMERIC(20, 2),
    currency        TEXT NOT NULL DEFAULT '',
    saving_note     TEXT NOT NULL DEFAULT '',
    -- open, acknowledged or suppressed: a person's decision, kept across runs.
    status          TEXT NOT NULL,
    status_reason   TEXT NOT NULL DEFAULT '',
    status_by       TEXT NOT NULL DEFAULT '',
    status_at       TIMESTAMPTZ,
    first_seen      TIMESTAMPTZ NOT NULL,
    last_seen       TIMESTAMPTZ NOT NULL,
    -- set when the condition is gone; cleared if it comes back.
    resolved_at     TIMESTAMPTZ
);
CREATE INDEX findings_tenant ON findings (tenant_id, kind);

CREATE TABLE advice_exclusions (
    id          BIGSERIAL PRIMARY KEY,
    tenant_id   TEXT NOT NULL DEFAULT '',
    sku_id      TEXT NOT NULL DEFAULT '',
    upn         TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Partner Center catalogue items (ProductId:SkuId) and the Graph SKU each provisions,
-- from the offer matrix.
CREATE TABLE partner_center_offers (
    product_id    TEXT NOT NULL,
    sku           TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    graph_sku_id  TEXT NOT NULL,
    part_number   TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, sku)
);

-- +goose Down
DROP TABLE partner_center_offers;
DROP TABLE advice_exclusions;
DROP TABLE findings;
DROP TABLE contract_lines;
