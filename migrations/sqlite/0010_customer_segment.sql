-- +goose Up
-- The customer's Partner Center price list segment (commercial, education, government,
-- charity): the price impact matches it against the Segment of the price rows. Customers
-- registered before it are commercial, as Partner Center's lists are without a Segment
-- column. The registry import validates the value rather than a CHECK here, so that a
-- segment Microsoft adds needs no migration.
ALTER TABLE customers ADD COLUMN segment TEXT NOT NULL DEFAULT 'commercial';

-- +goose Down
ALTER TABLE customers DROP COLUMN segment;
