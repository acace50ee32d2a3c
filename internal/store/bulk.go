package store

import (
	"strconv"
	"strings"
)

// bulkRow is a row written by insertAll: its table, columns and values in order.
type bulkRow interface {
	TableName() string
	columns() []string
	values() []any
}

// maxBindVars stays under both databases' limits on parameters per statement
// (PostgreSQL 65,535; SQLite 32,766).
const maxBindVars = 30000

// insertAll writes new rows: with COPY where the transaction offers it, otherwise
// with multi-row INSERT statements sent straight to the transaction. A first sync
// writes hundreds of thousands of rows; gorm's per-row reflection cost more than
// the database did.
func insertAll[R bulkRow](c *changeSet, rows []R) error {
	if len(rows) == 0 {
		return nil
	}
	cols := rows[0].columns()
	if c.copyRows != nil {
		// Values are produced row by row as COPY sends them, never all at once.
		if err := c.copyRows(rows[0].TableName(), cols, len(rows), func(i int) []any { return rows[i].values() }); err != nil {
			return err
		}
		c.changes += len(rows)
		return nil
	}
	perStatement := max(1, min(1000, maxBindVars/len(cols)))
	head := "INSERT INTO " + rows[0].TableName() + " (" + strings.Join(cols, ", ") + ") VALUES "
	var sql strings.Builder
	args := make([]any, 0, perStatement*len(cols))
	for start := 0; start < len(rows); start += perStatement {
		batch := rows[start:min(start+perStatement, len(rows))]
		sql.Reset()
		sql.WriteString(head)
		args = args[:0]
		for i, r := range batch {
			if i > 0 {
				sql.WriteByte(',')
			}
			sql.WriteByte('(')
			for j, v := range r.values() {
				if j > 0 {
					sql.WriteByte(',')
				}
				args = append(args, v)
				if c.dialect == Postgres {
					sql.WriteByte('$')
					sql.WriteString(strconv.Itoa(len(args)))
				} else {
					sql.WriteByte('?')
				}
			}
			sql.WriteByte(')')
		}
		if _, err := c.tx.Statement.ConnPool.ExecContext(c.tx.Statement.Context, sql.String(), args...); err != nil {
			return err
		}
	}
	c.changes += len(rows)
	return nil
}
