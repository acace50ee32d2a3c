-- +goose Up
CREATE TABLE customers (
    id              BIGSERIAL PRIMARY KEY,
    tenant_id       UUID        NOT NULL UNIQUE,
    name            TEXT        NOT NULL,
    primary_domain  TEXT        NOT NULL DEFAULT '',
    currency        CHAR(3)     NOT NULL,
    locale          TEXT        NOT NULL,
    market          CHAR(2)     NOT NULL,
    external_ref    TEXT        NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE customer_contacts (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    email        TEXT NOT NULL,
    locale       TEXT NOT NULL,
    UNIQUE (customer_id, email)
);

CREATE TABLE skus (
    sku_id        UUID PRIMARY KEY,
    part_number   TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    free          BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX skus_part_number ON skus (part_number);

CREATE TABLE service_plans (
    plan_id  UUID PRIMARY KEY,
    name     TEXT NOT NULL
);

CREATE TABLE sku_service_plans (
    sku_id   UUID NOT NULL REFERENCES skus(sku_id) ON DELETE CASCADE,
    plan_id  UUID NOT NULL REFERENCES service_plans(plan_id),
    -- Microsoft words a plan differently from SKU to SKU (and marks it retired in
    -- some), so the friendly name belongs to the SKU's use of the plan.
    friendly_name  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (sku_id, plan_id)
);

CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       TIMESTAMPTZ NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    subject  TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sku_service_plans;
DROP TABLE service_plans;
DROP TABLE skus;
DROP TABLE customer_contacts;
DROP TABLE customers;
