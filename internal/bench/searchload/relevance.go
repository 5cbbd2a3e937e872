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

// relevanceResult holds the three rankers' scores, over all the
// post-mortems and over each half (halves[0]: the even-numbered ones,
// halves[1]: the odd), so that a change tuned on one half can be checked
// on the other.
type relevanceResult struct {
	ours, oursText, bm25, pg, random score
	halves                           [2]struct{ ours, oursText, bm25, pg score }
	pgErr                            error
	// perQuery holds each post-mortem's nDCG@5 (NaN when left out) for
	// the paired bootstrap: ours by id, BM25, PostgreSQL (nil when not
	// measured) and random (the mean of its runs).
	perQuery struct{ ours, bm25, pg, random []float64 }
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
	res.perQuery.ours = perQuery(truth, ranked, relevanceK)
	res.oursText = evaluate(truth, byText, relevanceK)
	for h := range res.halves {
		res.halves[h].ours = evaluateHalf(truth, ranked, h)
		res.halves[h].oursText = evaluateHalf(truth, byText, h)
	}

	byBM25 := bm25Neighbours(docs)
	res.bm25 = evaluate(truth, byBM25, relevanceK)
	res.perQuery.bm25 = perQuery(truth, byBM25, relevanceK)
	for h := range res.halves {
		res.halves[h].bm25 = evaluateHalf(truth, byBM25, h)
	}

	var pgRanked [][]int
	if pgURL != "" {
		ranked, err := pgNeighbours(ctx, pgURL, docs)
		if err != nil {
			res.pgErr = err
		} else {
			pgRanked = ranked
			res.pg = evaluate(truth, ranked, relevanceK)
			res.perQuery.pg = perQuery(truth, ranked, relevanceK)
			for h := range res.halves {
				res.halves[h].pg = evaluateHalf(truth, ranked, h)
			}
		}
	}
	if cfg.perQuery {
		printMisses(docs, truth, ranked, pgRanked)
	}

	rng := rand.New(rand.NewPCG(uint64(cfg.seed), 7))
	res.perQuery.random = make([]float64, len(docs))
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
		for q, v := range perQuery(truth, ranked, relevanceK) {
			res.perQuery.random[q] += v / randomRuns // NaN stays NaN: the truth decides, not the run
		}
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

// evaluateHalf scores the rankings of the even-numbered post-mortems
// (half 0) or of the odd-numbered ones (half 1) alone; the others are
// still candidates.
func evaluateHalf(all []labels, ranked [][]int, half int) score {
	return evaluateEvery(all, ranked, relevanceK, half, 2)
}

// queryScore is one post-mortem's nDCG@k and precision@k for the
// neighbours got (evaluate averages them over every post-mortem); ok is
// false when it has no relevant other (evaluate leaves those out).
func queryScore(all []labels, q int, got []int, k int) (v, precision float64, ok bool) {
	ideal := make([]float64, 0, len(all)-1)
	anyRelevant := false
	for j := range all {
		if j != q {
			ideal = append(ideal, gain(all[q], all[j]))
			anyRelevant = anyRelevant || relevant(all[q], all[j])
		}
	}
	gains := make([]float64, 0, k)
	hits := 0
	for _, j := range got[:min(k, len(got))] {
		gains = append(gains, gain(all[q], all[j]))
		if relevant(all[q], all[j]) {
			hits++
		}
	}
	v, ok = ndcg(gains, ideal, k)
	return v, float64(hits) / float64(k), ok && anyRelevant
}

// printMisses writes, for -per-query, the post-mortems whose neighbours
// (ours by id) score worst: their labels, our five with their gains, and
// the best five there were, so that a bad ranking can be read and
// understood. PostgreSQL's nDCG is shown beside ours when measured.
func printMisses(docs []search.Doc, truth []labels, ours, pg [][]int) {
	type miss struct {
		q         int
		ndcg, pgv float64
		hasPG     bool
	}
	var ms []miss
	for q := range docs {
		v, _, ok := queryScore(truth, q, ours[q], relevanceK)
		if !ok {
			continue
		}
		m := miss{q: q, ndcg: v}
		if pg != nil {
			m.pgv, _, _ = queryScore(truth, q, pg[q], relevanceK)
			m.hasPG = true
		}
		ms = append(ms, m)
	}
	slices.SortStableFunc(ms, func(a, b miss) int { return cmpFloat(a.ndcg-a.pgv, b.ndcg-b.pgv) })
	fmt.Printf("\n== relevance: the 30 post-mortems where ours by id does worst against PG ts_rank ==\n")
	label := func(j int) string {
		return fmt.Sprintf("%s %q", docs[j].Key, docs[j].Title)
	}
	for _, m := range ms[:min(30, len(ms))] {
		q := m.q
		fmt.Printf("\n%s  nDCG ours %.2f, PG %.2f\n  cats %v kws %v\n", label(q), m.ndcg, m.pgv,
			truth[q].categories, truth[q].keywords)
		for _, j := range ours[q] {
			c, k := shared(truth[q], truth[j])
			fmt.Printf("  ours %d+%d %s\n", c, k, label(j))
		}
		if pg != nil {
			for _, j := range pg[q] {
				c, k := shared(truth[q], truth[j])
				fmt.Printf("  pg   %d+%d %s\n", c, k, label(j))
			}
		}
		best := make([]int, 0, len(docs)-1)
		for j := range docs {
			if j != q {
				best = append(best, j)
			}
		}
		slices.SortStableFunc(best, func(a, b int) int { return -cmpFloat(gain(truth[q], truth[a]), gain(truth[q], truth[b])) })
		for _, j := range best[:min(relevanceK, len(best))] {
			c, k := shared(truth[q], truth[j])
			fmt.Printf("  best %d+%d %s\n", c, k, label(j))
		}
	}
}

// printHalves writes the scores of the even- and the odd-numbered
// post-mortems apart: a change that helps only one half is tuned to it.
func (r *relevanceResult) printHalves() {
	fmt.Printf("%-34s %12s %12s %12s %12s\n", "by half (even | odd)", "nDCG@5 even", "nDCG@5 odd", "P@5 even", "P@5 odd")
	line := func(name string, get func(h int) score) {
		e, o := get(0), get(1)
		fmt.Printf("%-34s %12.3f %12.3f %12.3f %12.3f\n", name, e.ndcg, o.ndcg, e.precision, o.precision)
	}
	line("ours: Similar by id", func(h int) score { return r.halves[h].ours })
	line("ours: Similar by title+summary text", func(h int) score { return r.halves[h].oursText })
	line("BM25 over all the text (no index)", func(h int) score { return r.halves[h].bm25 })
	if r.pgErr == nil && r.pg.n > 0 {
		line("PG ts_rank (title+summary ORed)", func(h int) score { return r.halves[h].pg })
	}
	if r.pgErr == nil && r.pg.n > 0 {
		// The same input: title and summary as text.
		fmt.Printf("ours by title+summary text / PG ts_rank (same input): nDCG %s, P@5 %s\n",
			fratio(r.oursText.ndcg, r.pg.ndcg), fratio(r.oursText.precision, r.pg.precision))
		for h, name := range []string{"even", "odd"} {
			fmt.Printf("ours by id / PG ts_rank, %s half: nDCG %s, P@5 %s\n", name,
				fratio(r.halves[h].ours.ndcg, r.halves[h].pg.ndcg), fratio(r.halves[h].ours.precision, r.halves[h].pg.precision))
		}
		for h, name := range []string{"even", "odd"} {
			fmt.Printf("BM25 over all the text / PG ts_rank, %s half: nDCG %s, P@5 %s\n", name,
				fratio(r.halves[h].bm25.ndcg, r.halves[h].pg.ndcg), fratio(r.halves[h].bm25.precision, r.halves[h].pg.precision))
		}
	}
	printBootstrap([]bootstrapPair{
		{"ours by id - PG ts_rank", r.perQuery.ours, r.perQuery.pg},
		{"ours by id - random", r.perQuery.ours, r.perQuery.random},
		{"BM25 over all the text - PG ts_rank", r.perQuery.bm25, r.perQuery.pg},
		{"BM25 over all the text - ours by id", r.perQuery.bm25, r.perQuery.ours},
	})
}
