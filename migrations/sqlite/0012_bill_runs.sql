-- +goose Up
-- The monthly billing run: one run per period (the UNIQUE period is what keeps two
-- processes billing one month at once to one run), a draft until approved, then never
-- changed (the triggers refuse it). Lines keep the engine's line as JSON text, byte for
-- byte as written, beside the columns queries need; a correction line points at the
-- approved line it corrects. Amounts are decimal text: a NUMERIC column would make
-- them floats. Totals and the seats not billed are JSON of the run.
CREATE TABLE bill_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    period      TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('draft', 'approved')),
    created_at  DATETIME NOT NULL,
    created_by  TEXT NOT NULL,
    approved_at DATETIME,
    approved_by TEXT,
    line_count  INTEGER NOT NULL DEFAULT 0,
    totals      TEXT NOT NULL DEFAULT '[]',
    not_billed  TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE bill_lines (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id           INTEGER NOT NULL REFERENCES bill_runs (id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    tenant_id        TEXT NOT NULL,
    kind             TEXT NOT NULL,
    sku_id           TEXT NOT NULL,
    subscription_id  TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL,
    amount           TEXT NOT NULL,
    corrects_line_id INTEGER REFERENCES bill_lines (id),
    line             TEXT NOT NULL,
    UNIQUE (run_id, seq)
);
CREATE INDEX bill_lines_tenant ON bill_lines (run_id, tenant_id);
CREATE INDEX bill_lines_corrects ON bill_lines (corrects_line_id);

CREATE TRIGGER bill_runs_frozen_update BEFORE UPDATE ON bill_runs WHEN OLD.status = 'approved'
BEGIN SELECT RAISE(ABORT, 'the billing run is approved and never changes'); END;
CREATE TRIGGER bill_runs_frozen_delete BEFORE DELETE ON bill_runs WHEN OLD.status = 'approved'
BEGIN SELECT RAISE(ABORT, 'the billing run is approved and never changes'); END;
CREATE TRIGGER bill_lines_frozen_update BEFORE UPDATE ON bill_lines
WHEN (SELECT status FROM bill_runs WHERE id = OLD.run_id) = 'approved'
BEGIN SELECT RAISE(ABORT, 'the line belongs to an approved billing run and never changes'); END;
CREATE TRIGGER bill_lines_closed BEFORE INSERT ON bill_lines
WHEN (SELECT status FROM bill_runs WHERE id = NEW.run_id) = 'approved'
BEGIN SELECT RAISE(ABORT, 'the billing run is approved: no line is added to it'); END;
CREATE TRIGGER bill_lines_frozen_delete BEFORE DELETE ON bill_lines
WHEN (SELECT status FROM bill_runs WHERE id = OLD.run_id) = 'approved'
BEGIN SELECT RAISE(ABORT, 'the line belongs to an approved billing run and never changes'); END;

-- +goose Down
DROP TABLE bill_lines;
DROP TABLE bill_runs;
