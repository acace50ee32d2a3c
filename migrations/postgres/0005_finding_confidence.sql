-- +goose Up
-- What a finding rests on: whose money its saving is, how sure it is and what it
-- lacks, and the user it is about (a user read without a UPN is still named).
ALTER TABLE findings ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN saving_for TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN confidence TEXT NOT NULL DEFAULT 'high';
-- What is missing, one item per line.
ALTER TABLE findings ADD COLUMN missing TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE findings DROP COLUMN missing;
ALTER TABLE findings DROP COLUMN confidence;
ALTER TABLE findings DROP COLUMN saving_for;
ALTER TABLE findings DROP COLUMN user_id;
