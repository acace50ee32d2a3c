-- +goose Up
-- The notices owed to customers: an outbox. Each notice is rendered once when it is
-- created and kept as rendered (what is previewed is what is sent). dedupe_key names
-- the kind, the customer, the language and the change a notice is about, so that
-- detecting the same change twice makes one notice; message_id is derived from it,
-- so a notice resent after a crash carries the same Message-ID. A notice being sent
-- is claimed until claimed_until: a process that dies after the server accepted it
-- leaves it claimed, and only that notice is sent again once the claim runs out.
CREATE TABLE notices (
    id              BIGSERIAL PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    customer        TEXT NOT NULL,
    locale          TEXT NOT NULL,
    language        TEXT NOT NULL,
    recipients      TEXT NOT NULL,
    reaches_on      TIMESTAMPTZ,
    due_on          TIMESTAMPTZ NOT NULL,
    days_late       INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'held', 'cancelled', 'sending', 'sent', 'failed')),
    reason          TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    message_id      TEXT NOT NULL UNIQUE,
    letter          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    claimed_by      TEXT NOT NULL DEFAULT '',
    claimed_until   TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT '',
    proof           TEXT NOT NULL DEFAULT '',
    transport       TEXT NOT NULL DEFAULT '',
    sent_at         TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX notices_status_due ON notices (status, due_on);
CREATE INDEX notices_tenant ON notices (tenant_id, kind);

-- Announcements of changed terms the partner entered, kept as entered (JSON), so
-- that notices created later from them say the same.
CREATE TABLE announcements (
    id         BIGSERIAL PRIMARY KEY,
    key        TEXT NOT NULL UNIQUE,
    effective  TIMESTAMPTZ NOT NULL,
    body       TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE announcements;
DROP TABLE notices;
