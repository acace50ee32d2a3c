// Package migrations holds the SQL schema of seatledger, one folder per database
// dialect. The dialects differ only where the databases do: money is NUMERIC in
// PostgreSQL and TEXT in SQLite, because SQLite's NUMERIC affinity turns decimals
// into floats.
package migrations

import "embed"

//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
