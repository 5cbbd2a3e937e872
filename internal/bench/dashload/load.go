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
	// The rollup triggers of migration 00018 would update the same few
	// rollup rows once per copied row, inside one COPY: every update
	// leaves a dead version behind, and the copy crawls (~100 rows/s at
	// 300k actions). They are off while copying; the rollups are then
	// computed once, as the migration computes them.
	for _, sql := range rollupTriggers("DISABLE") {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("disable rollup triggers: %w", err)
		}
	}
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
	for _, sql := range append(rollupTriggers("ENABLE"), rollupBackfill()...) {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("rollups: %w", err)
		}
	}
	_, err = conn.Exec(ctx, "VACUUM ANALYZE")
	return err
}

// rollupTriggers are the statements that turn the rollup triggers on or
// off (verb ENABLE or DISABLE).
func rollupTriggers(verb string) []string {
	return []string{
		"ALTER TABLE corrective_actions " + verb + " TRIGGER corrective_actions_rollup_trigger",
		"ALTER TABLE incident_labels " + verb + " TRIGGER incident_labels_rollup_trigger",
	}
}

// rollupBackfill computes the rollups from the copied rows: the statements
// of migration 00018 (postgres), after emptying them.
func rollupBackfill() []string {
	return []string{
		"TRUNCATE action_rollups, action_service_rollups, action_close_day_counts",
		`INSERT INTO action_rollups (team, owner, priority, status, actions, done_completed, with_due, on_time)
SELECT lower(team), lower(owner), priority, status, count(*),
    count(*) FILTER (WHERE status = 'done' AND completed_at IS NOT NULL),
    count(*) FILTER (WHERE status = 'done' AND completed_at IS NOT NULL AND due_date IS NOT NULL),
    count(*) FILTER (WHERE status = 'done' AND completed_at IS NOT NULL AND due_date >= (completed_at AT TIME ZONE 'UTC')::date)
FROM corrective_actions WHERE status IN ('done', 'wont_do') GROUP BY 1, 2, 3, 4`,
		`INSERT INTO action_service_rollups (service, status, actions)
SELECT l.value, a.status, count(*) FROM corrective_actions a
JOIN incident_labels l ON l.incident_id = a.incident_id AND l.kind = 'service'
WHERE a.status IN ('done', 'wont_do') GROUP BY 1, 2`,
		`INSERT INTO action_close_day_counts (days, actions)
SELECT floor(extract(epoch FROM completed_at - created_at) / 86400)::integer, count(*)
FROM corrective_actions WHERE status = 'done' AND completed_at IS NOT NULL GROUP BY 1`,
	}
}
