-- +goose Up
-- The operating-system account that ran the command, beside the actor it named
-- (--actor is free text). Rows written before this column say ''.
ALTER TABLE audit_log ADD COLUMN os_user TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN os_user;
