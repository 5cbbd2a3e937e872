package search

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
)

// TestStream_SameAsSearchers walks every plan root the stream path takes
// (stream.go) both ways, as streams and through its searchers, and wants
// the same matches in the same order with the same scores to the bit: in
// segments with deleted documents, from decoded postings and from zap's
// (no decoding budget), for words, phrases, identifiers, typos,
// alternatives, exclusions and filters.
func TestStream_SameAsSearchers(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(5, 8))
	ix, src := openPlanDocs(t, r, 500, Options{BatchSize: 40, Shards: 2})
	for round := range 2 {
		for range 40 {
			src.put(planDoc(r, int64(1+r.IntN(600))))
		}
		for range 15 {
			src.remove(int64(1 + r.IntN(600)))
		}
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	waitQuiet(t, ix)
	published := true
	reqs := []Request{}
	for _, q := range []string{"outage", "s3", "us-east-1", "db-3.prod.example.com", "ERR_CONN_RESET",
		"CrashLoopBackOff", `"connection pool"`, `"expired certificate outage"`, "bgp OR dns",
		"-the outage", "latency -dns", "title:outage", "service:checkout", "INC-42", "payments-api-v2",
		"database failover timeout", "10.7.20.43", "zookeeper"} {
		reqs = append(reqs, Request{Q: q, Viewer: Viewer{All: true}}, Request{Q: q, Viewer: Viewer{}})
	}
	reqs = append(reqs,
		Request{Q: "outage", Viewer: Viewer{All: true}, Filters: Filters{Services: []string{"checkout", "dns"}}},
		Request{Q: "disk", Viewer: Viewer{All: true}, Filters: Filters{Severities: []string{"1"}, Tags: []string{"network"}}},
		Request{Q: "memory", Viewer: Viewer{Principals: []string{"user:1"}}, Filters: Filters{Published: &published}},
	)
	for _, budget := range []int{searchDecodeBudget, 0} {
		ix.posts.forget()
		ix.posts.decodeBudget = budget
		streamed, walked := 0, 0
		for _, req := range reqs {
			for _, fuzzy := range []bool{false, true} {
				err := ix.reader(func(idx *shardIndex) error {
					idx = idx.forViewer(ctx, req.Viewer)
					full, _ := ix.searchQueryIn(idx, ParseQuery(req.Q, time.Now()), req, nil, fuzzy, false)
					if !planFastable(full) {
						return nil
					}
					s, w, err := compareShards(t, ix, idx, full, fmt.Sprintf("budget %d, %q fuzzy %v", budget, req.Q, fuzzy))
					streamed, walked = streamed+s, walked+w
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		// Both kinds met (several words under a conjunction are walked).
		if streamed < 50 || walked == 0 {
			t.Errorf("budget %d: %d roots streamed, %d walked: the test lost its cases", budget, streamed, walked)
		}
	}
}

// compareShards plans q on each shard searched in idx and, where the plan
// is streamed, reports how its stream differs from its searchers' walk;
// it returns how many shards' plans were streamed and walked.
func compareShards(t *testing.T, ix *Index, idx *shardIndex, q query.Query, name string) (streamed, walked int, err error) {
	t.Helper()
	for i, p := range idx.searched {
		ps, root, closeIt, err := planIn(p, q, ix.posts)
		if err != nil {
			return streamed, walked, err
		}
		if !streamable(ps, root) {
			walked++
		} else {
			streamed++
			if diff := streamVsSearchers(ps, root); diff != "" {
				t.Errorf("%s, shard %d: %s", name, i, diff)
			}
		}
		closeIt()
	}
	return streamed, walked, nil
}

// streamVsSearchers says how root's stream differs from its searcher's
// walk in ps ("" when it does not).
func streamVsSearchers(ps *planShard, root planNode) string {
	var e1, e2 iterErr
	a := &streamArena{}
	s := rootStream(a, ps, root, &e1)
	var docs []uint32
	var scores []float64
	top := root.searcher(ps, &e2)
	for d, sc := top.next(); d != noDoc; d, sc = top.next() {
		docs, scores = append(docs, uint32(d)), append(scores, sc)
	}
	if e1.err != nil || e2.err != nil {
		return fmt.Sprintf("errors %v and %v", e1.err, e2.err)
	}
	if !slices.Equal(s.docs, docs) {
		return fmt.Sprintf("%d matches streamed, %d walked (first %v, %v)", len(s.docs), len(docs),
			s.docs[:min(5, len(s.docs))], docs[:min(5, len(docs))])
	}
	for i := range docs {
		if math.Float64bits(s.scores[i]) != math.Float64bits(scores[i]) {
			return fmt.Sprintf("document %d scored %v streamed, %v walked", docs[i], s.scores[i], scores[i])
		}
	}
	return ""
}

// TestStreamArena_Reuse: an arena's streams do not overlap within a walk,
// and a reset keeps one chunk of what the walk asked for.
func TestStreamArena_Reuse(t *testing.T) {
	a := &streamArena{}
	var got []stream
	for _, n := range []int{3, 10, 0, 1000, 7} {
		s := a.stream(n)
		if len(s.docs) != 0 || cap(s.docs) != n || cap(s.scores) != n {
			t.Fatalf("stream(%d): len %d, cap %d/%d", n, len(s.docs), cap(s.docs), cap(s.scores))
		}
		for i := range n {
			s.add(uint32(len(got)*10000+i), float64(i))
		}
		got = append(got, s)
	}
	for k, s := range got {
		for i, d := range s.docs {
			if d != uint32(k*10000+i) {
				t.Fatalf("stream %d was overwritten at %d: %d", k, i, d)
			}
		}
	}
	a.reset()
	if cap(a.docs) < 1020 || len(a.docs) != 0 || a.need != 0 {
		t.Fatalf("after reset: len %d cap %d need %d", len(a.docs), cap(a.docs), a.need)
	}
	// A walk asking for more than maxArena gets arrays of its own; the
	// arena keeps at most maxArena.
	if s := a.stream(maxArena + 10); cap(s.docs) != maxArena+10 {
		t.Fatalf("stream(maxArena+10): cap %d", cap(s.docs))
	}
	a.reset()
	if cap(a.docs) > maxArena || cap(a.scores) > maxArena {
		t.Fatalf("after a large walk the arena keeps %d matches, more than %d", cap(a.docs), maxArena)
	}
}

// randomQuery is a random tree of the queries a plan takes: terms (some
// boosted) in a few fields, under conjunctions, disjunctions, sparse
// disjunctions and boolean queries with should, must-not and filter
// clauses, depth levels deep.
func randomQuery(r *rand.Rand, depth int) query.Query {
	fields := []string{FieldTitle, FieldSummary, fieldAll, FieldTimeline}
	term := func() query.Query {
		q := query.NewTermQuery(strings.ToLower(planWords[r.IntN(len(planWords))]))
		q.SetField(fields[r.IntN(len(fields))])
		if r.IntN(3) == 0 {
			q.SetBoost(0.5 + r.Float64()*3)
		}
		return q
	}
	if depth == 0 || r.IntN(3) == 0 {
		return term()
	}
	kids := func() []query.Query {
		out := make([]query.Query, 1+r.IntN(4))
		for i := range out {
			out[i] = randomQuery(r, depth-1)
		}
		return out
	}
	switch r.IntN(4) {
	case 0:
		return query.NewDisjunctionQuery(kids())
	case 1:
		return query.NewConjunctionQuery(kids())
	case 2:
		return &sparseDisjunction{alts: append(kids(), term())}
	}
	b := query.NewBooleanQuery(nil, nil, nil)
	b.Must = randomQuery(r, depth-1)
	if r.IntN(2) == 0 {
		b.Should = query.NewDisjunctionQuery(kids())
	}
	if r.IntN(2) == 0 {
		b.MustNot = query.NewDisjunctionQuery(kids())
	}
	if r.IntN(2) == 0 {
		b.Filter = randomQuery(r, depth-1)
	}
	return b
}

// TestStream_RandomTrees: random query trees (randomQuery), streamed and
// walked through their searchers, match alike to the bit, in segments
// with deleted documents, over decoded postings, zap's, and a mix (a
// small decoding budget). The parsed queries of TestStream_SameAsSearchers
// rarely put a should clause beside a must-not or a filter, or nest
// sparse disjunctions and conjunctions (found by a review).
func TestStream_RandomTrees(t *testing.T) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(12, 12))
	ix, src := openPlanDocs(t, r, 400, Options{BatchSize: 30, Shards: 2})
	for range 60 {
		src.put(planDoc(r, int64(1+r.IntN(450))))
	}
	for range 40 {
		src.remove(int64(1 + r.IntN(450)))
	}
	if _, err := ix.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	waitQuiet(t, ix)
	for _, budget := range []int{searchDecodeBudget, 0, 3000} {
		ix.posts.forget()
		ix.posts.decodeBudget = budget
		streamed := 0
		for range 400 {
			q := randomQuery(r, 3)
			if !planFastable(q) {
				continue
			}
			err := ix.reader(func(idx *shardIndex) error {
				s, _, err := compareShards(t, ix, idx, q, fmt.Sprintf("budget %d", budget))
				streamed += s
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if streamed < 200 {
			t.Errorf("budget %d: only %d roots streamed", budget, streamed)
		}
	}
}
