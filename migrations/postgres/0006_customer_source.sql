-- +goose Up
-- Where each customer was last imported from (FILE:LINE), so that a later import that
-- clashes with it can say which line to look at.
ALTER TABLE customers ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE customers DROP COLUMN source;
