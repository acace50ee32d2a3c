-- +goose Up
-- Bearer tokens of the HTTP API. Only the SHA-256 of a token is kept: the token
-- itself is shown once, when it is made. A revoked token stays listed so that the
-- audit log's "token:NAME" entries keep naming something.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    role         TEXT NOT NULL CHECK (role IN ('viewer', 'finance', 'consultant', 'admin')),
    hash         TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    created_by   TEXT NOT NULL,
    revoked_at   TIMESTAMPTZ,
    last_used_at TIMESTAMPTZ
);

-- The API pages findings by fingerprint (keyset), often within one customer.
CREATE INDEX findings_tenant_fingerprint ON findings (tenant_id, fingerprint);

-- +goose Down
DROP INDEX findings_tenant_fingerprint;
DROP TABLE api_tokens;
