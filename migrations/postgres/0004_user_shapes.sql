-- +goose Up
-- Graph's other names for a user and its activity: the mail address (a page can come
-- without userPrincipalName), the last successful sign-in (the other two move on failed
-- attempts too), and the mailbox purpose asked of disabled accounts holding an Exchange
-- licence (a shared mailbox may need it). The tenant notes whether Graph answered that.

ALTER TABLE directory_users ADD COLUMN mail TEXT NOT NULL DEFAULT '';
ALTER TABLE directory_users ADD COLUMN last_successful_sign_in TIMESTAMPTZ;
ALTER TABLE directory_users ADD COLUMN mailbox_purpose TEXT NOT NULL DEFAULT '';
CREATE INDEX directory_users_mail ON directory_users (tenant_id, mail);

-- Tenants synced before this migration were not asked: unknown until the next sync.
ALTER TABLE tenant_state ADD COLUMN mailbox_purpose_data BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tenant_state ADD COLUMN mailbox_note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tenant_state DROP COLUMN mailbox_note;
ALTER TABLE tenant_state DROP COLUMN mailbox_purpose_data;
DROP INDEX directory_users_mail;
ALTER TABLE directory_users DROP COLUMN mailbox_purpose;
ALTER TABLE directory_users DROP COLUMN last_successful_sign_in;
ALTER TABLE directory_users DROP COLUMN mail;
