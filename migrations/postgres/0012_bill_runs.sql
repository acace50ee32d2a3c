-- +goose Up
-- The monthly billing run: one run per period (the UNIQUE period is what keeps two
-- processes billing one month at once to one run), a draft until approved, then never
-- changed (the triggers refuse it). Lines keep the engine's line as JSON text, byte for
-- byte as written (jsonb would reorder it), beside the columns queries need; a
-- correction line points at the approved line it corrects. Totals and the seats not
-- billed are JSON of the run.
CREATE TABLE bill_runs (
    id          BIGSERIAL PRIMARY KEY,
    period      TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
    created_at  TIMESTAMPTZ NOT NULL,
    created_by  TEXT NOT NULL,
    approved_at TIMESTAMPTZ,
    approved_by TEXT,
    line_count  INTEGER NOT NULL DEFAULT 0,
    totals      TEXT NOT NULL DEFAULT '[]',
    not_billed  TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE bill_lines (
    id               BIGSERIAL PRIMARY KEY,
    run_id           BIGINT NOT NULL REFERENCES bill_runs (id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    tenant_id        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    sku_id           TEXT NOT NULL,
    subscription_id  TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    amount           NUMERIC(18, 4) NOT NULL,
    corrects_line_id BIGINT REFERENCES bill_lines (id),
    line             TEXT NOT NULL,
    UNIQUE (run_id, seq)
);
CREATE INDEX bill_lines_tenant ON bill_lines (run_id, tenant_id);
CREATE INDEX bill_lines_corrects ON bill_lines (corrects_line_id);

-- +goose StatementBegin
CREATE FUNCTION bill_runs_frozen() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'billing run % is approved and never changes', OLD.period;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION bill_lines_frozen() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM bill_runs WHERE id = OLD.run_id AND status = 'approved') THEN
        RAISE EXCEPTION 'line % belongs to an approved billing run and never changes', OLD.id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
-- +goose StatementBegin
-- Checked once per statement against the rows it added, so that a run's COPY of
-- thousands of lines pays for one lookup, not one per line.
CREATE FUNCTION bill_lines_closed() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added JOIN bill_runs r ON r.id = added.run_id WHERE r.status = 'approved') THEN
        RAISE EXCEPTION 'the billing run is approved: no line is added to it';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER bill_lines_closed AFTER INSERT ON bill_lines REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION bill_lines_closed();
CREATE TRIGGER bill_runs_frozen BEFORE UPDATE OR DELETE ON bill_runs FOR EACH ROW EXECUTE FUNCTION bill_runs_frozen();
CREATE TRIGGER bill_lines_frozen BEFORE UPDATE OR DELETE ON bill_lines FOR EACH ROW EXECUTE FUNCTION bill_lines_frozen();

-- +goose Down
DROP TABLE bill_lines;
DROP TABLE bill_runs;
DROP FUNCTION bill_lines_frozen();
DROP FUNCTION bill_lines_closed();
DROP FUNCTION bill_runs_frozen();
