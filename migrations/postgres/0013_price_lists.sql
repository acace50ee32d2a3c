-- +goose Up
-- The first day of each price list imported, per market and currency. A restated
-- unchanged price continues its stored range, so the prices alone no longer tell which
-- list is a market's newest: an older list imported after it must not retire what the
-- newer one carries, nor reopen what it closed. Before this table every list's first
-- day was stored as some price's valid_from, so the latest of those is the newest list.
CREATE TABLE price_lists (
    market       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    effective    TIMESTAMPTZ NOT NULL,
    -- source is the first file that brought a list of this day.
    source       TEXT NOT NULL DEFAULT '',
    imported_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (market, currency, effective)
);
INSERT INTO price_lists (market, currency, effective, source, imported_at)
SELECT market, currency, MAX(valid_from), '', MAX(imported_at) FROM prices GROUP BY market, currency;

-- +goose Down
DROP TABLE price_lists;
