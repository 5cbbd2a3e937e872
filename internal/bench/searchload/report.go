package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/bench/memwatch"
)

// column is one backend in a size's table.
type column struct {
	name string
	lat  *latencies
}

// print writes the size's table: one column per backend, figures and the
// ratio to ours side by side.
func (r *sizeReport) print() {
	cols := []column{{"ours (bleve)", r.ours.search}}
	if r.pgRank != nil {
		cols = append(cols, column{"PG ts_rank", r.pgRank}, column{"PG rank+cnt+facets", r.pgFull})
	}
	if r.ilk != nil {
		cols = append(cols, column{"PG ILIKE", r.ilk})
	}
	if r.sqlite != nil {
		cols = append(cols, column{"SQLite FTS5", r.sqlite.search})
	}
	row := func(label string, cell func(c column) string) {
		fmt.Printf("%-34s", label)
		for _, c := range cols {
			fmt.Printf(" %19s", cell(c))
		}
		fmt.Println()
	}
	row("", func(c column) string { return c.name })
	row("build (incidents/s)", func(c column) string {
		switch c.name {
		case "ours (bleve)":
			return rate(r.n, r.ours.rebuild)
		case "PG ts_rank":
			return rate(r.n, r.pgLoad.took)
		case "SQLite FTS5":
			return rate(r.n, r.sqlite.load)
		}
		return "(same table)"
	})
	row("build time", func(c column) string {
		switch c.name {
		case "ours (bleve)":
			return r.ours.rebuild.Round(100 * time.Millisecond).String()
		case "PG ts_rank":
			return r.pgLoad.took.Round(100*time.Millisecond).String() + fmt.Sprintf(" (COPY %s)", r.pgLoad.copyTook.Round(time.Second))
		case "SQLite FTS5":
			return r.sqlite.load.Round(100 * time.Millisecond).String()
		}
		return ""
	})
	row("on disk (MB)", func(c column) string {
		switch c.name {
		case "ours (bleve)":
			return fmt.Sprintf("%.0f", memwatch.MB(uint64(r.ours.diskBytes)))
		case "PG ts_rank":
			return fmt.Sprintf("%.0f", memwatch.MB(uint64(r.pgLoad.diskBytes)))
		case "SQLite FTS5":
			return fmt.Sprintf("%.0f", memwatch.MB(uint64(r.sqlite.diskBytes)))
		}
		return ""
	})
	row("search p50 (ms)", func(c column) string { return ms(c.lat.p(50)) })
	row("search p90 (ms)", func(c column) string { return ms(c.lat.p(90)) })
	row("search p99 (ms)", func(c column) string { return ms(c.lat.p(99)) })
	ours50, ours99 := r.ours.search.p(50), r.ours.search.p(99)
	row("p50 / ours p50", func(c column) string { return ratio(c.lat.p(50), ours50) })
	row("p99 / ours p99", func(c column) string { return ratio(c.lat.p(99), ours99) })
	row("queries with no result", func(c column) string {
		return fmt.Sprintf("%d/%d", c.lat.zero, r.queries-c.lat.skipped-c.lat.failed)
	})
	row(fmt.Sprintf("once >2s / skipped (%s budget)", r.budget), func(c column) string {
		return fmt.Sprintf("%d / %d", c.lat.capped, c.lat.skipped)
	})
	row("queries failed", func(c column) string { return fmt.Sprint(c.lat.failed) })
	fmt.Printf("ours, first run of each query (postings cache cold for its terms): p50 %s ms, p99 %s ms over %d queries\n",
		ms(r.ours.search.pFirst(50)), ms(r.ours.search.pFirst(99)), len(r.ours.search.firsts))
	warm := fmt.Sprintf("searches timed after its background warm-up (%s)", r.ours.warm.Round(10*time.Millisecond))
	if r.ours.warmTimedOut {
		warm = fmt.Sprintf("searches timed while it still warmed up (the wait gave up after %s)", r.ours.warm.Round(time.Second))
	}
	fmt.Printf("ours: rebuild peak RSS %.0f MB (heap %.0f MB); %s;\n",
		memwatch.MB(r.ours.rebuildRSS), memwatch.MB(r.ours.rebuildHeap), warm)
	fmt.Printf("      similar incidents (by id, %d random) p50 %s ms, p99 %s ms, %d with none;\n", len(r.ours.similar.samples),
		ms(r.ours.similar.p(50)), ms(r.ours.similar.p(99)), r.ours.similar.zero)
	fmt.Printf("      peak RSS while serving %.0f MB (heap %.0f MB); at the end %.0f MB anonymous + %.0f MB of mapped index files\n",
		memwatch.MB(r.ours.servingRSS), memwatch.MB(r.ours.servingHeap), memwatch.MB(r.ours.anon), memwatch.MB(r.ours.file))
	if r.pgLoad != nil {
		fmt.Printf("postgres: %.0f MB of text loaded; PostgreSQL runs in its own processes, so its memory is not in these RSS figures\n",
			memwatch.MB(uint64(r.pgLoad.textBytes)))
	}
	for _, n := range r.notes {
		fmt.Println("note:", n)
	}
	if r.perQuery {
		r.printPerQuery(cols)
	}
}

// printPerQuery writes each query's result count and median time on each
// backend (ours and SQLite count every match; PostgreSQL ts_rank and ILIKE
// return at most a page of 20, the "+cnt" column the total).
func (r *sizeReport) printPerQuery(cols []column) {
	fmt.Printf("\nper query: results / median ms\n%-34s", "query")
	for _, c := range cols {
		fmt.Printf(" %19s", c.name)
	}
	fmt.Println()
	for qi, q := range r.qs {
		fmt.Printf("%-34.34s", q)
		for _, c := range cols {
			cell := "-"
			if qi < len(c.lat.per) && c.lat.per[qi].ran {
				cell = fmt.Sprintf("%d / %s", c.lat.per[qi].results, ms(c.lat.per[qi].median))
			}
			fmt.Printf(" %19s", cell)
		}
		fmt.Println()
	}
}

// rate renders n per d as a rate.
func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", float64(n)/d.Seconds())
}

// ratio renders a/b as "12.3x".
func ratio(a, b time.Duration) string {
	if a == 0 || b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fx", float64(a)/float64(b))
}

// print writes the relevance table.
func (r *relevanceResult) print(n int) {
	fmt.Printf("\n== relevance: %d most similar of each of the %d real post-mortems ==\n", relevanceK, n)
	fmt.Println(relevanceRule + "; nDCG with linear gains, ideal = the best 5 gains over all others")
	fmt.Printf("scored over the %d post-mortems that have at least one relevant other\n", r.ours.n)
	fmt.Printf("%-34s %12s %12s %14s %14s\n", "", "nDCG@5", "P@5", "ours/ranker nDCG", "ours/ranker P@5")
	line := func(name string, s score) {
		fmt.Printf("%-34s %12.3f %12.3f %14s %14s\n", name, s.ndcg, s.precision, fratio(r.ours.ndcg, s.ndcg), fratio(r.ours.precision, s.precision))
	}
	line("ours: Similar by id", r.ours)
	line("ours: Similar by title+summary text", r.oursText)
	line("BM25 over all the text (no index)", r.bm25)
	if r.pgErr != nil {
		fmt.Println("postgres ts_rank: failed:", r.pgErr)
	} else if r.pg.n > 0 {
		line("PG ts_rank (title+summary ORed)", r.pg)
	}
	line(fmt.Sprintf("random (mean of %d)", randomRuns), r.random)
	r.printHalves()
}

func fratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// printTargets compares the largest corpus's figures with the issue's
// targets (set for 100k incidents on 2 cores).
func printTargets(r *sizeReport, rel *relevanceResult) {
	if r == nil {
		return
	}
	fmt.Printf("\n== targets (issue 7: at 100,000 incidents on 2 cores; measured at %d) ==\n", r.n)
	check := func(ok bool, what, got string) {
		mark := "PASS"
		if !ok {
			mark = "MISS"
		}
		fmt.Printf("%-5s %-52s %s\n", mark, what, got)
	}
	o := r.ours
	p50, p99 := o.search.p(50), o.search.p(99)
	check(p50 > 0 && p50 <= 5*time.Millisecond, "search p50 <= 5 ms (facets + highlights)", ms(p50)+" ms")
	check(p99 > 0 && p99 <= 30*time.Millisecond, "search p99 <= 30 ms", ms(p99)+" ms")
	if r.pgRank != nil {
		pg := r.pgRank.p(50)
		check(p50 > 0 && pg >= 20*p50, "search p50 >= 20x faster than PostgreSQL ts_rank", ratio(pg, p50)+" (PG "+ms(pg)+" ms)")
	} else {
		fmt.Println("----  search p50 >= 20x faster than PostgreSQL ts_rank   (PostgreSQL not measured)")
	}
	s50, s99 := o.similar.p(50), o.similar.p(99)
	check(s50 > 0 && s50 <= 20*time.Millisecond, "similar p50 <= 20 ms", ms(s50)+" ms")
	check(s99 > 0 && s99 <= 60*time.Millisecond, "similar p99 <= 60 ms", ms(s99)+" ms")
	rr := float64(r.n) / o.rebuild.Seconds()
	check(rr >= 1000, "full rebuild >= 1,000 incidents/s", fmt.Sprintf("%.0f/s", rr))
	check(o.servingRSS > 0 && o.servingRSS <= 400<<20, "RSS while serving <= 400 MB", fmt.Sprintf("%.0f MB", memwatch.MB(o.servingRSS)))
	if rel != nil {
		// "Beat both by a clear margin": ours ahead of each other ranker
		// beyond what chance explains, on the whole set and on each half
		// (see clearlyAbove).
		ok, why := clearlyAbove(rel.perQuery.ours, rel.perQuery.random)
		check(ok, "relevance: nDCG@5 clearly above random", fratio(rel.ours.ndcg, rel.random.ndcg)+", "+why)
		if rel.pgErr == nil && rel.pg.n > 0 {
			ok, why := clearlyAbove(rel.perQuery.ours, rel.perQuery.pg)
			check(ok, "relevance: nDCG@5 clearly above PostgreSQL ts_rank", fratio(rel.ours.ndcg, rel.pg.ndcg)+", "+why)
		}
	}
	fmt.Println(strings.Repeat("-", 20), "figures are printed, never asserted: the machine is shared and noisy")
}
