-- +goose Up
-- What billing needs of a contract line besides its price and count:
-- as_purchased bills the seats the partner bought (Partner Center's quantity, else
-- Graph's enabled units) where quantity is NULL; erp prices the line at the price
-- list's ERP price less discount_percent (decimal as text: a NUMERIC column would
-- turn it into a float); timing is advance (a month billed at its start, its changes
-- adjusted the next month) or arrears (billed after it ends). Lines stored before keep their meaning: assigned seats, a fixed or cost-plus
-- price, billed in advance.
ALTER TABLE contract_lines ADD COLUMN as_purchased BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contract_lines ADD COLUMN erp BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contract_lines ADD COLUMN discount_percent TEXT;
ALTER TABLE contract_lines ADD COLUMN timing TEXT NOT NULL DEFAULT 'advance';

-- +goose Down
ALTER TABLE contract_lines DROP COLUMN timing;
ALTER TABLE contract_lines DROP COLUMN discount_percent;
ALTER TABLE contract_lines DROP COLUMN erp;
ALTER TABLE contract_lines DROP COLUMN as_purchased;
