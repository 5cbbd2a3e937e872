package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hindsightrca/hindsight/search"
	_ "modernc.org/sqlite" // the engine under the store's gorm driver (libtnb/sqlite); FTS5 is compiled in
)

// The SQLite side is an FTS5 table (Porter stemming over unicode61, as
// close to English analysis as FTS5 comes) holding the same columns as the
// PostgreSQL table, ranked by bm25 with column weights like ours, with a
// snippet for each hit and the total.

const fts5Schema = `CREATE VIRTUAL TABLE incidents USING fts5(
	title, summary, causes, rca, actions, timeline, labels, restricted UNINDEXED,
	tokenize = 'porter unicode61')`

// fts5Search asks for the 20 best with a snippet, then the total; weights
// follow the column order (title, summary, causes, rca, actions, timeline,
// labels).
const (
	fts5Search = `SELECT rowid, snippet(incidents, -1, '<mark>', '</mark>', '…', 12)
		FROM incidents WHERE incidents MATCH ? AND restricted = 0
		ORDER BY bm25(incidents, 3.0, 2.0, 3.0, 1.0, 1.0, 0.4, 2.0) LIMIT 20`
	fts5Count = `SELECT count(*) FROM incidents WHERE incidents MATCH ? AND restricted = 0`
)

// sqliteResult is what FTS5 did on one corpus.
type sqliteResult struct {
	load      time.Duration
	diskBytes int64
	search    *latencies
}

// runSQLite loads docs 1..n into an FTS5 table in a fresh file (one
// transaction, as a bulk import would), then runs the query set.
func runSQLite(ctx context.Context, cfg config, n int, doc func(i int) search.Doc, qs []string) (*sqliteResult, error) {
	dir, err := os.MkdirTemp(cfg.tmp, "sqlite-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "fts.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(off)&_pragma=synchronous(off)&_pragma=cache_size(-262144)&_pragma=mmap_size(2147483648)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	res := &sqliteResult{}
	t0 := time.Now()
	if _, err := db.ExecContext(ctx, fts5Schema); err != nil {
		return nil, fmt.Errorf("fts5: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO incidents (rowid, title, summary, causes, rca, actions, timeline, labels, restricted)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	for i := range n {
		d := doc(i)
		f := flatten(&d)
		r := 0
		if f.restricted {
			r = 1
		}
		if _, err := ins.ExecContext(ctx, f.id, f.title, f.summary, f.causes, f.rca, f.actions, f.timeline, f.labels, r); err != nil {
			return nil, fmt.Errorf("fts5 insert: %w", err)
		}
	}
	ins.Close()
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	// Merge the index's segments, as one would after a bulk load.
	if _, err := db.ExecContext(ctx, `INSERT INTO incidents(incidents) VALUES ('optimize')`); err != nil {
		return nil, fmt.Errorf("fts5 optimize: %w", err)
	}
	res.load = time.Since(t0)
	res.diskBytes = dirSize(dir)

	res.search = measure(ctx, qs, cfg.sqlRuns, cfg.budget, func(ctx context.Context, q string) (int, error) {
		m := fts5Query(q)
		rows, err := db.QueryContext(ctx, fts5Search, m)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			var id int64
			var snip string
			if err := rows.Scan(&id, &snip); err != nil {
				rows.Close()
				return 0, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
		var total int
		err = db.QueryRowContext(ctx, fts5Count, m).Scan(&total)
		return total, err
	})
	return res, nil
}
