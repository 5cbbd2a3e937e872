// Package migrations holds the numbered goose SQL migrations of the Hindsight
// schema, one folder per dialect. The two folders describe the same tables and
// columns (a test checks it); only the column types differ:
//
//   - timestamps are TIMESTAMPTZ in PostgreSQL and TEXT in SQLite, where the
//     store writes them as fixed-width UTC strings "2006-01-02T15:04:05.000000Z"
//     so that text order is time order;
//   - calendar dates (corrective_actions.due_date) are DATE and TEXT "YYYY-MM-DD";
//   - booleans are BOOLEAN and INTEGER 0/1;
//   - label arrays are JSONB and TEXT holding a JSON array of strings;
//   - opaque JSON documents (event metadata, revision sections) are TEXT in both.
//
// Migrations never change once released: add a new numbered file instead.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

// Postgres holds the PostgreSQL migrations under postgres/.
//
//go:embed postgres/*.sql
var Postgres embed.FS

// SQLite holds the SQLite migrations under sqlite/.
//
//go:embed sqlite/*.sql
var SQLite embed.FS

// FS returns the migrations of a dialect ("postgres" or "sqlite") with the
// SQL files at its root, as goose.NewProvider expects.
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "postgres":
		return fs.Sub(Postgres, "postgres")
	case "sqlite":
		return fs.Sub(SQLite, "sqlite")
	default:
		return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
}
