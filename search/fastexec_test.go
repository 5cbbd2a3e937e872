package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
)

// planWords are the words plan test incidents are written with: some
// common, some rare, some sharing a stem, some identifiers.
var planWords = strings.Fields(`outage outages database databases failover timeout timeouts
	latency dns bgp route leak leaks certificate expired disk full power loss memory
	connection pool pooling load balancer checkout payment replication lag deadlock
	config change rollback retry storm cascading kubernetes pod crash rate limit api
	gateway http 502 us-east-1 db-3.prod.example.com ERR_CONN_RESET CrashLoopBackOff
	the a of on was were during after zookeeper ZooKeeper primary replica
	zonea zoneb zonec zoned zonee zonef zoneg zoneh zonei zonej zonek zonel`)

// planText is n words drawn with a skew towards the first ones.
func planText(r *rand.Rand, n int) string {
	ws := make([]string, n)
	for i := range ws {
		k := int(float64(len(planWords)) * r.Float64() * r.Float64())
		ws[i] = planWords[k]
	}
	return strings.Join(ws, " ")
}

// openPlanDocs opens an index (closed with the test) built from n
// planDocs drawn from r, and returns it with its source.
func openPlanDocs(t *testing.T, r *rand.Rand, n int64, opts Options) (*Index, *memSource) {
	t.Helper()
	ix, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	src := newMemSource()
	for id := int64(1); id <= n; id++ {
		src.put(planDoc(r, id))
	}
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return ix, src
}

// openSnapshot opens a snapshot of shard p, closed when the test ends.
func openSnapshot(t *testing.T, p bleve.Index) *scorch.IndexSnapshot {
	t.Helper()
	adv, err := p.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rd.Close() })
	snap, ok := rd.(*scorch.IndexSnapshot)
	if !ok {
		t.Fatalf("a shard's reader is a %T, not a scorch snapshot", rd)
	}
	return snap
}

// planDoc is a random incident: every text field, labels, some restricted.
func planDoc(r *rand.Rand, id int64) Doc {
	when := time.Date(2019+r.IntN(5), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
	services := []string{"payments-api-v2", "Amazon S3", "checkout", "dns", "edge proxy"}
	tags := []string{"us-east-1", "database", "network", "latency", "customer facing"}
	d := Doc{ID: id, Key: "INC-" + strconv.FormatInt(id, 10), Title: planText(r, 2+r.IntN(5)),
		Summary: planText(r, r.IntN(12)), Severity: "SEV" + strconv.Itoa(1+r.IntN(3)),
		Status: []string{"resolved", "open"}[r.IntN(2)], Visibility: "internal",
		Services: []string{services[r.IntN(len(services))]}, Tags: []string{tags[r.IntN(len(tags))]},
		StartedAt: &when}
	if r.IntN(3) == 0 {
		d.Tags = append(d.Tags, tags[r.IntN(len(tags))])
	}
	for range r.IntN(3) {
		d.RootCauses = append(d.RootCauses, RootCause{Category: "cat" + strconv.Itoa(r.IntN(3)), Description: planText(r, 3+r.IntN(6))})
	}
	for range r.IntN(3) {
		d.Actions = append(d.Actions, Action{Title: planText(r, 3), Description: planText(r, r.IntN(8))})
	}
	if r.IntN(2) == 0 {
		d.Sections = []Section{{Key: "impact", Title: "Impact", Body: planText(r, 5+r.IntN(20))}}
	}
	for k := range r.IntN(8) {
		d.Events = append(d.Events, Event{ID: id*100 + int64(k), Body: planText(r, 3+r.IntN(15))})
	}
	if r.IntN(9) == 0 {
		d.Visibility, d.RestrictedTo = "restricted", []string{"user:" + strconv.Itoa(r.IntN(3))}
	}
	return d
}

// TestSearch_PlannedSameAsBleve checks that a search run as a plan answers
// exactly as bleve's searchers do — the same total, facets, hits and
// scores to the last bit — on indexes of one and several shards whose
// segments hold updated and deleted incidents, for every kind of query and
// filter the builder makes, and for viewers who may see some restricted
// incidents or none.
func TestSearch_PlannedSameAsBleve(t *testing.T) {
	for _, shards := range []int{1, 3} {
		t.Run("shards="+strconv.Itoa(shards), func(t *testing.T) { testPlannedSameAsBleve(t, shards) })
	}
}

func testPlannedSameAsBleve(t *testing.T, shards int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, uint64(shards)))
	ix, src := openPlanDocs(t, r, 600, Options{BatchSize: 40, Shards: shards})
	// Updates and deletions, in several batches: segments with deleted
	// documents.
	for round := range 3 {
		for range 50 {
			src.put(planDoc(r, int64(1+r.IntN(700))))
		}
		for range 10 {
			src.remove(int64(1 + r.IntN(700)))
		}
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}

	published := true
	queries := []string{"outage", "outages", "database failover timeout", `"connection pool"`, `"route leak"`,
		`"expired certificate outage"`, "us-east-1", "us-east-1 power", "db-3.prod.example.com", "ERR_CONN_RESET",
		"CrashLoopBackOff", "zookeeper", "ZooKeeper primary", "bgp OR dns", "dns OR bgp latency", "-the outage",
		"latency -dns -\"load balancer\"", "title:outage", `timeline:"power loss"`, "cause:disk full", "summary:latency",
		"service:checkout outage", "tag:database", "INC-42", "payments", "gateway api", "http 502 checkout",
		"a the of", "nosuchword", "outage nosuchword", "s3", "amazon", "edge",
		// Typos: searched again with near terms (zonex has more than a
		// slice disjunction takes, and is left to bleve).
		"certficate", "databse failover", "replicaton lag", "zonex", "kuberentes"}
	requests := []Request{}
	for _, q := range queries {
		requests = append(requests, Request{Q: q, Viewer: Viewer{All: true}})
	}
	requests = append(requests,
		Request{Q: "outage", Viewer: Viewer{}},
		Request{Q: "database timeout", Viewer: Viewer{Principals: []string{"user:1"}}},
		Request{Q: "latency", Viewer: Viewer{Principals: []string{"user:9"}}},
		Request{Q: "outage", Viewer: Viewer{All: true}, Filters: Filters{Services: []string{"checkout", "dns"}}},
		Request{Q: "disk", Viewer: Viewer{All: true}, Filters: Filters{Severities: []string{"1"}, Tags: []string{"network"}}},
		Request{Q: "replication lag", Viewer: Viewer{Principals: []string{"user:2"}}, Filters: Filters{Statuses: []string{"open"}}},
		Request{Q: "memory", Viewer: Viewer{All: true}, Filters: Filters{Published: &published}},
		Request{Q: "outage", Viewer: Viewer{All: true}, Limit: 7},
	)

	// The background merges of the writes above are done before the
	// comparisons start: a merge between the two searches of a comparison
	// would change the word statistics of one and not the other.
	waitQuiet(t, ix)
	// Every search runs as a plan but these: lists by date (no words to
	// rank by: stop words only, a filter only), and the typo search of a
	// word with more near terms than a plan takes.
	byBleve := map[string]bool{"a the of": true, "tag:database": true, "zonex": true}
	for _, req := range requests {
		name := fmt.Sprintf("%q %+v %+v", req.Q, req.Viewer, req.Filters)
		if diff := plannedVsBleve(t, ix, req, name, !byBleve[req.Q]); diff != "" {
			t.Errorf("%s: %s", name, diff)
		}
	}
	// A typo is searched twice (as typed, then with near terms), both
	// times as a plan.
	before := ix.plans.Load()
	res, err := ix.Search(ctx, Request{Q: "certficate", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fuzzy || res.Total == 0 || ix.plans.Load()-before != 2 {
		t.Errorf("certficate: fuzzy %v, total %d, %d plans; want a fuzzy match from two plans", res.Fuzzy, res.Total, ix.plans.Load()-before)
	}
}

// plannedVsBleve runs req (and its next pages) as a plan and through bleve
// and says how the answers differ ("" when they do not). The two searches
// of a page must search the same snapshot (the index is left alone and
// quiet: waitQuiet). On the plan's side, every search of a page runs as a
// plan when planned (ix.plans counts as many as ix.runs), and some do not
// otherwise; on bleve's, none does.
func plannedVsBleve(t *testing.T, ix *Index, req Request, name string, planned bool) string {
	t.Helper()
	ctx := context.Background()
	for page := 0; page < 3; page++ {
		epochs, _ := shardEpochs(t, ix)
		plans, runs := ix.plans.Load(), ix.runs.Load()
		a, err := ix.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		plans, runs = ix.plans.Load()-plans, ix.runs.Load()-runs
		if runs == 0 || (plans == runs) != planned {
			t.Errorf("%s, page %d: %d of %d searches ran as a plan (want all: %v)", name, page, plans, runs, planned)
		}
		plans = ix.plans.Load()
		ix.bleveOnly = true
		b, err := ix.Search(ctx, req)
		ix.bleveOnly = false
		if err != nil {
			t.Fatal(err)
		}
		if n := ix.plans.Load() - plans; n != 0 {
			t.Errorf("%s, page %d: %d searches ran as a plan with bleveOnly", name, page, n)
		}
		if now, _ := shardEpochs(t, ix); !slices.Equal(now, epochs) {
			t.Fatalf("%s, page %d: the index changed between the two searches (root epochs %v, then %v)", name, page, epochs, now)
		}
		if a.Total != b.Total {
			return fmt.Sprintf("page %d: total %d, bleve %d", page, a.Total, b.Total)
		}
		if fmt.Sprint(a.Facets) != fmt.Sprint(b.Facets) {
			return fmt.Sprintf("page %d: facets\n%v\nbleve\n%v", page, a.Facets, b.Facets)
		}
		if len(a.Items) != len(b.Items) {
			return fmt.Sprintf("page %d: %d hits, bleve %d", page, len(a.Items), len(b.Items))
		}
		for i := range a.Items {
			x, y := a.Items[i], b.Items[i]
			if x.ID != y.ID || x.Score != y.Score || fmt.Sprint(x.Highlights) != fmt.Sprint(y.Highlights) {
				return fmt.Sprintf("page %d hit %d: %d %v, bleve %d %v", page, i, x.ID, x.Score, y.ID, y.Score)
			}
		}
		if a.NextCursor != b.NextCursor || a.Fuzzy != b.Fuzzy || a.AnyWord != b.AnyWord {
			return fmt.Sprintf("page %d: cursor %q fuzzy %v any %v, bleve %q %v %v", page,
				a.NextCursor, a.Fuzzy, a.AnyWord, b.NextCursor, b.Fuzzy, b.AnyWord)
		}
		if a.NextCursor == "" {
			break
		}
		// (Without its mark, a cursor's incident is scored again, by
		// the plan on one side and bleve on the other: snapmark.go.)
		req.Cursor = unmarked(t, a.NextCursor)
	}
	return ""
}

// TestSearch_PlannedPagesReachEveryHit checks that paging through a
// planned search by relevance lists every match once: a page continues
// after its cursor's incident as the plan's walk scores it (review Q P1-2:
// bleve's boolean searcher scores a document reached by a jump without its
// should clause's part, and pages anchored so skipped the hits between).
func TestSearch_PlannedPagesReachEveryHit(t *testing.T) {
	ctx := context.Background()
	for _, shards := range []int{1, 3} {
		r := rand.New(rand.NewPCG(11, uint64(shards)))
		ix, _ := openPlanDocs(t, r, 400, Options{BatchSize: 50, Shards: shards})
		for _, q := range []string{"outage", "database", "checkout OR http", "dns OR bgp", "memory", "database failover timeout"} {
			req := Request{Q: q, Limit: 7, Viewer: Viewer{All: true}}
			seen := map[int64]bool{}
			var total uint64
			for page := 0; ; page++ {
				res, err := ix.Search(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				total = res.Total
				for _, h := range res.Items {
					if seen[h.ID] {
						t.Errorf("%d shards, %q: page %d repeats %d", shards, q, page, h.ID)
					}
					seen[h.ID] = true
				}
				if res.NextCursor == "" || page > 200 {
					break
				}
				req.Cursor = unmarked(t, res.NextCursor) // (scored again: snapmark.go)
			}
			if uint64(len(seen)) != total {
				t.Errorf("%d shards, %q: %d of %d hits reached", shards, q, len(seen), total)
			}
		}
		ix.Close()
	}
}

// TestPlanFastable checks which queries are planned and which are left to
// bleve.
func TestPlanFastable(t *testing.T) {
	term := func(f, v string) query.Query { return termIn(f, v, 1) }
	many := make([]query.Query, disjunctionSliceMax+1)
	for i := range many {
		many[i] = term(fieldAll, "w"+strconv.Itoa(i))
	}
	fq := bleve.NewFuzzyQuery("outage")
	fq.SetField(fieldAll)
	withFilter := bleve.NewBooleanQuery()
	withFilter.AddMust(term(fieldAll, "outag"))
	withFilter.AddFilter(term(FieldServices, "dns"))
	filterOnly := bleve.NewBooleanQuery()
	filterOnly.AddMust(bleve.NewMatchAllQuery())
	filterOnly.AddFilter(term(FieldServices, "dns"))
	dates := bleve.NewBooleanQuery()
	dates.AddMust(term(fieldAll, "outag"))
	dates.AddFilter(bleve.NewDateRangeQuery(time.Now().AddDate(-1, 0, 0), time.Now()))
	cases := []struct {
		name string
		q    query.Query
		want bool
	}{
		{"term", term(fieldAll, "outag"), true},
		{"term without a field", bleve.NewTermQuery("outag"), false},
		{"sparse", newSparseDisjunction(term(fieldAll, "a"), term(FieldKey, "a")), true},
		{"conjunction", bleve.NewConjunctionQuery(term(fieldAll, "a"), term(fieldAll, "b")), true},
		{"disjunction", bleve.NewDisjunctionQuery(term(fieldAll, "a"), term(fieldAll, "b")), true},
		{"disjunction past the slice searcher", bleve.NewDisjunctionQuery(many...), false},
		{"boolean with a filter", withFilter, true},
		{"fuzzy", fq, false},
		{"fuzzy with the search's automata", &cachedFuzzy{FuzzyQuery: fq, cache: newFuzzyCache()}, true},
		{"sparse holding a fuzzy query", newSparseDisjunction(term(fieldAll, "a"), fq), false},
		{"match all", filterOnly, false},
		{"date range", dates, false},
		{"empty conjunction", bleve.NewConjunctionQuery(), false},
	}
	for _, c := range cases {
		if got := planFastable(c.q); got != c.want {
			t.Errorf("%s: planFastable %v, want %v", c.name, got, c.want)
		}
	}
}
