package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/search"
	"github.com/jackc/pgx/v5"
)

// The PostgreSQL side searches the way Netflix Dispatch does: a stored
// tsvector (title weighted A; summary, root causes and labels B; RCA and
// actions C; timeline D) with a GIN index, websearch_to_tsquery and
// ts_rank. The ILIKE side scans the same table the way Etsy's Morgue does.

// pgSchema creates the table %[1]s.
const pgSchema = `
DROP TABLE IF EXISTS %[1]s;
CREATE TABLE %[1]s (
	id bigint PRIMARY KEY,
	title text NOT NULL,
	summary text NOT NULL,
	causes text NOT NULL,
	rca text NOT NULL,
	actions text NOT NULL,
	timeline text NOT NULL,
	labels text NOT NULL,
	services text[] NOT NULL,
	tags text[] NOT NULL,
	severity text NOT NULL,
	restricted boolean NOT NULL,
	tsv tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('english', title), 'A') ||
		setweight(to_tsvector('english', summary || ' ' || causes || ' ' || labels), 'B') ||
		setweight(to_tsvector('english', rca || ' ' || actions), 'C') ||
		setweight(to_tsvector('english', timeline), 'D')) STORED
)`

var pgColumns = []string{"id", "title", "summary", "causes", "rca", "actions", "timeline", "labels",
	"services", "tags", "severity", "restricted"}

// pgLoad is what loading a table took.
type pgLoad struct {
	took      time.Duration
	copyTook  time.Duration
	diskBytes int64
	textBytes int64
}

// loadPG creates table and fills it with docs 1..n through COPY, streams
// wide (each with its own connection, so that the tsvectors are computed
// on several cores), then builds the GIN index and analyzes the table.
func loadPG(ctx context.Context, url, table string, n, streams int, doc func(i int) search.Doc) (pgLoad, error) {
	var res pgLoad
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return res, err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, fmt.Sprintf(pgSchema, table)); err != nil {
		return res, fmt.Errorf("create %s: %w", table, err)
	}
	t0 := time.Now()
	streams = max(1, min(streams, n))
	errs := make([]error, streams)
	bytes := make([]int64, streams)
	var wg sync.WaitGroup
	for s := range streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := n*s/streams, n*(s+1)/streams
			c, err := pgx.Connect(ctx, url)
			if err != nil {
				errs[s] = err
				return
			}
			defer c.Close(context.Background())
			i := from
			_, errs[s] = c.CopyFrom(ctx, pgx.Identifier{table}, pgColumns, pgx.CopyFromFunc(func() ([]any, error) {
				if i >= to {
					return nil, nil
				}
				d := doc(i)
				i++
				f := flatten(&d)
				bytes[s] += int64(f.textBytes())
				return []any{f.id, f.title, f.summary, f.causes, f.rca, f.actions, f.timeline, f.labels,
					nonNil(f.services), nonNil(f.tags), f.severity, f.restricted}, nil
			}))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return res, fmt.Errorf("copy into %s: %w", table, err)
		}
	}
	for _, b := range bytes {
		res.textBytes += b
	}
	res.copyTook = time.Since(t0)
	for _, stmt := range []string{
		"CREATE INDEX " + table + "_tsv ON " + table + " USING gin (tsv)",
		"VACUUM ANALYZE " + table,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return res, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	res.took = time.Since(t0)
	if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size($1)", table).Scan(&res.diskBytes); err != nil {
		return res, err
	}
	return res, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pgSearcher runs the query set's queries on one connection.
type pgSearcher struct {
	conn  *pgx.Conn
	table string
}

// rank is the Dispatch-style query: the 20 best by ts_rank.
func (p pgSearcher) rank(ctx context.Context, q string) (int, error) {
	rows, err := p.conn.Query(ctx, `SELECT id FROM `+p.table+`, websearch_to_tsquery('english', $1) q
		WHERE tsv @@ q AND NOT restricted ORDER BY ts_rank(tsv, q) DESC LIMIT 20`, q)
	if err != nil {
		return 0, err
	}
	return countRows(rows)
}

// full adds what our search answers besides the page: the total and the
// service and severity facets, in one round trip.
func (p pgSearcher) full(ctx context.Context, q string) (int, error) {
	where := ` FROM ` + p.table + `, websearch_to_tsquery('english', $1) q`
	cond := ` WHERE tsv @@ q AND NOT restricted`
	b := &pgx.Batch{}
	b.Queue(`SELECT id`+where+cond+` ORDER BY ts_rank(tsv, q) DESC LIMIT 20`, q)
	b.Queue(`SELECT count(*)`+where+cond, q)
	b.Queue(`SELECT s, count(*)`+where+`, unnest(services) s`+cond+` GROUP BY s ORDER BY 2 DESC LIMIT 10`, q)
	b.Queue(`SELECT severity, count(*)`+where+cond+` GROUP BY severity`, q)
	br := p.conn.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return 0, err
	}
	if _, err := countRows(rows); err != nil {
		return 0, err
	}
	var total int
	if err := br.QueryRow().Scan(&total); err != nil {
		return 0, err
	}
	for range 2 {
		rows, err := br.Query()
		if err != nil {
			return 0, err
		}
		if _, err := countRows(rows); err != nil {
			return 0, err
		}
	}
	return total, br.Close()
}

// textColumns are the columns ILIKE looks in.
var textColumns = []string{"title", "summary", "causes", "rca", "actions", "timeline", "labels"}

// ilike is the Morgue-style query: every word or phrase somewhere in the
// text (ILIKE '%term%' over each column), alternatives ORed, exclusions
// negated, the first 20 rows, unranked.
func (p pgSearcher) ilike(ctx context.Context, q string) (int, error) {
	pq := parse(q)
	var args []any
	clause := func(t string) string {
		args = append(args, likePattern(t))
		ph := "$" + strconv.Itoa(len(args))
		parts := make([]string, len(textColumns))
		for i, c := range textColumns {
			parts[i] = c + " ILIKE " + ph
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	conds := []string{"NOT restricted"}
	for _, g := range pq.groups {
		alts := make([]string, len(g))
		for i, t := range g {
			alts[i] = clause(t)
		}
		conds = append(conds, "("+strings.Join(alts, " OR ")+")")
	}
	for _, t := range pq.not {
		conds = append(conds, "NOT "+clause(t))
	}
	rows, err := p.conn.Query(ctx, "SELECT id FROM "+p.table+" WHERE "+strings.Join(conds, " AND ")+" LIMIT 20", args...)
	if err != nil {
		return 0, err
	}
	return countRows(rows)
}

// countRows reads and counts the rows.
func countRows(rows pgx.Rows) (int, error) {
	n := 0
	for rows.Next() {
		n++
	}
	rows.Close()
	return n, rows.Err()
}
