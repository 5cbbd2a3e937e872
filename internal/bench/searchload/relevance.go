package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hindsightrca/hindsight/internal/bench/pmcorpus"
	"github.com/hindsightrca/hindsight/search"
	"github.com/jackc/pgx/v5"
)

// relevanceK is how many neighbours each post-mortem is asked for.
const relevanceK = 5

// randomRuns is how many random rankings the baseline averages.
const randomRuns = 20

// relevanceResult holds the three rankers' scores.
type relevanceResult struct {
	ours, oursText, pg, random score
	pgErr                      error
}

// pmDoc is a post-mortem as an incident: its title, summary, body as one
// RCA section and product as service — not its keywords or categories,
// which are what the rankings are scored by.
func pmDoc(i int, pm *pmcorpus.PostMortem) search.Doc {
	created := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
	d := search.Doc{
		ID: int64(i + 1), Key: fmt.Sprintf("PM-%d", i+1), Title: pm.Title, Summary: pm.Summary,
		Severity: "SEV2", Status: "resolved", Visibility: "internal", Published: true,
		Sections:  []search.Section{{Key: "post_mortem", Title: "Post-mortem", Body: pm.Body, Audience: "internal"}},
		CreatedAt: created, UpdatedAt: created,
	}
	if p := strings.Join(strings.Fields(strings.ToLower(pm.Product)), "-"); p != "" {
		d.Services = []string{p}
	}
	return d
}

// runRelevance ranks the post-mortems' neighbours with ours, PostgreSQL
// ts_rank (when pgURL is set) and at random, and scores the rankings.
func runRelevance(ctx context.Context, cfg config, pms []pmcorpus.PostMortem, pgURL string) (*relevanceResult, error) {
	docs := make([]search.Doc, len(pms))
	truth := make([]labels, len(pms))
	for i := range pms {
		docs[i] = pmDoc(i, &pms[i])
		truth[i] = labelsOf(&pms[i])
	}
	res := &relevanceResult{}

	ranked, byText, err := oursNeighbours(ctx, cfg, docs)
	if err != nil {
		return nil, err
	}
	res.ours = evaluate(truth, ranked, relevanceK)
	res.oursText = evaluate(truth, byText, relevanceK)

	if pgURL != "" {
		ranked, err := pgNeighbours(ctx, pgURL, docs)
		if err != nil {
			res.pgErr = err
		} else {
			res.pg = evaluate(truth, ranked, relevanceK)
		}
	}

	rng := rand.New(rand.NewPCG(uint64(cfg.seed), 7))
	for range randomRuns {
		ranked := make([][]int, len(docs))
		for q := range docs {
			perm := rng.Perm(len(docs))
			for _, j := range perm {
				if j != q {
					ranked[q] = append(ranked[q], j)
					if len(ranked[q]) == relevanceK {
						break
					}
				}
			}
		}
		s := evaluate(truth, ranked, relevanceK)
		res.random.ndcg += s.ndcg / randomRuns
		res.random.precision += s.precision / randomRuns
		res.random.n = s.n
	}
	return res, nil
}

// oursNeighbours indexes the post-mortems and asks Similar for each, by
// id (the check) and by the text PostgreSQL is given, its title and
// summary (a diagnostic: the same input as the ts_rank baseline).
func oursNeighbours(ctx context.Context, cfg config, docs []search.Doc) (byID, byText [][]int, err error) {
	dir, err := os.MkdirTemp(cfg.tmp, "relevance-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	ix, err := search.Open(filepath.Join(dir, "index"), search.Options{Logger: quietLogger()})
	if err != nil {
		return nil, nil, err
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, sliceSource(docs)); err != nil {
		return nil, nil, err
	}
	byID, byText = make([][]int, len(docs)), make([][]int, len(docs))
	for q := range docs {
		for k, req := range []search.SimilarRequest{
			{ID: docs[q].ID, Limit: relevanceK},
			{Text: docs[q].Title + "\n" + docs[q].Summary, Limit: relevanceK + 1},
		} {
			req.Viewer = search.Viewer{All: true}
			out, err := ix.Similar(ctx, req)
			if err != nil {
				return nil, nil, fmt.Errorf("similar %s: %w", docs[q].Key, err)
			}
			ranked := &byID[q]
			if k == 1 {
				ranked = &byText[q]
			}
			for _, s := range out {
				if j := int(s.ID - 1); j >= 0 && j < len(docs) && j != q && len(*ranked) < relevanceK {
					*ranked = append(*ranked, j)
				}
			}
		}
	}
	return byID, byText, nil
}

// pgNeighbours loads the post-mortems into a table and ranks, for each,
// the others by ts_rank against its title and summary words ORed.
func pgNeighbours(ctx context.Context, url string, docs []search.Doc) ([][]int, error) {
	const table = "relevance_pms"
	if _, err := loadPG(ctx, url, table, len(docs), 1, func(i int) search.Doc { return docs[i] }); err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	defer conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+table)
	ranked := make([][]int, len(docs))
	for q := range docs {
		words := orWords(docs[q].Title + " " + docs[q].Summary)
		if words == "" {
			continue
		}
		rows, err := conn.Query(ctx, `SELECT id FROM `+table+`, to_tsquery('english', $1) q
			WHERE tsv @@ q AND id <> $2 ORDER BY ts_rank(tsv, q) DESC, id LIMIT $3`, words, docs[q].ID, relevanceK)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ranked[q] = append(ranked[q], int(id-1))
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return ranked, nil
}

// orWords turns text into a to_tsquery of its words ORed: "a | b | c",
// each word once, only letters and digits (so that nothing in it is
// tsquery syntax).
func orWords(text string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len(w) > 1 && !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	return strings.Join(words, " | ")
}
