-- +goose Up
-- Partner Center's New Commerce prices, effective-dated per key: valid_from is the
-- first day in force, valid_to the last (inclusive; NULL = open). unit_price is for
-- the whole term. Money is TEXT: exact, never a float.
CREATE TABLE prices (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id     TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    term_duration  TEXT NOT NULL,
    billing_plan   TEXT NOT NULL,
    market         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    segment        TEXT NOT NULL,
    tier_min       INTEGER NOT NULL DEFAULT 0,
    tier_max       INTEGER NOT NULL DEFAULT 0,
    product_title  TEXT NOT NULL DEFAULT '',
    sku_title      TEXT NOT NULL DEFAULT '',
    unit_price     TEXT NOT NULL,
    erp_price      TEXT,
    valid_from     DATETIME NOT NULL,
    valid_to       DATETIME,
    -- source is the file and line the price was read from.
    source         TEXT NOT NULL DEFAULT '',
    imported_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX prices_key ON prices (market, currency, product_id, sku_id, term_duration, billing_plan, segment, tier_min, valid_from);

-- What each import changed against the prices in force before it.
CREATE TABLE price_changes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL,
    product_id     TEXT NOT NULL,
    sku_id         TEXT NOT NULL,
    term_duration  TEXT NOT NULL,
    billing_plan   TEXT NOT NULL,
    market         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    segment        TEXT NOT NULL,
    tier_min       INTEGER NOT NULL DEFAULT 0,
    old_price      TEXT,
    new_price      TEXT,
    effective      DATETIME NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    recorded_at    DATETIME NOT NULL
);
CREATE INDEX price_changes_effective ON price_changes (effective);

-- +goose Down
DROP TABLE price_changes;
DROP TABLE prices;
