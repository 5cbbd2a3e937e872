package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// sqliteTime is the store's fixed-width UTC text format.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

// sqliteValue converts a generated value to what the SQLite schema stores.
func sqliteValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(sqliteTime)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format(sqliteTime)
	case *day:
		if x == nil {
			return nil
		}
		return time.Time(*x).Format(time.DateOnly)
	}
	return v
}

// pgValue converts a generated value for COPY.
func pgValue(v any) any {
	switch x := v.(type) {
	case *time.Time:
		if x == nil {
			return nil
		}
		return *x
	case *day:
		if x == nil {
			return nil
		}
		return pgtype.Date{Time: time.Time(*x), Valid: true}
	}
	return v
}

// loadSQLite inserts the tables in one transaction, many rows per INSERT.
// It leaves ANALYZE out, as a data dir that grew by use has no statistics.
func loadSQLite(ctx context.Context, db *sql.DB, ts []table) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for _, t := range ts {
		per := max(1, min(500, 30000/len(t.columns)))
		one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ") + ")"
		head := "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES "
		var full *sql.Stmt
		for start := 0; start < t.n; start += per {
			k := min(per, t.n-start)
			args := make([]any, 0, k*len(t.columns))
			for i := start; i < start+k; i++ {
				for _, v := range t.row(i) {
					args = append(args, sqliteValue(v))
				}
			}
			if k == per {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", k), ", ")); err != nil {
						return fmt.Errorf("%s: %w", t.name, err)
					}
				}
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, head+strings.TrimSuffix(strings.Repeat(one+", ", k), ", "), args...)
			}
			if err != nil {
				return fmt.Errorf("insert into %s: %w", t.name, err)
			}
		}
	}
	return tx.Commit()
}

// loadPostgres copies the tables in, moves the id sequences past the
// copied ids and analyzes the tables.
func loadPostgres(ctx context.Context, url string, ts []table) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, t := range ts {
		i := 0
		_, err := conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, pgx.CopyFromFunc(func() ([]any, error) {
			if i >= t.n {
				return nil, nil
			}
			row := t.row(i)
			i++
			for j, v := range row {
				row[j] = pgValue(v)
			}
			return row, nil
		}))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", t.name, err)
		}
		if t.columns[0] == "id" {
			_, err := conn.Exec(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t.name, t.name))
			if err != nil {
				return fmt.Errorf("sequence of %s: %w", t.name, err)
			}
		}
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE")
	return err
}
