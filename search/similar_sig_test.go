package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/hindsightrca/hindsight/internal/bm25"
)

// sigCorpus is similarCorpus with pairs of incidents about the same
// failure (so each has a best match) and a restricted one.
func sigCorpus() []Doc {
	pairs := []struct{ title, summary, rc string }{
		{"Cassandra compaction storm saturated disks", "Compaction backlog and hinted handoff grew until reads timed out.", "Compaction throughput throttling misconfigured"},
		{"Expired TLS certificate broke the checkout API", "Clients refused the certificate; checkout failed for an hour.", "The certificate renewal cron job failed silently"},
		{"Redis failover lost the session cache", "Sentinel promoted a stale replica and sessions were lost.", "Replication lag unchecked before promotion"},
	}
	var extra []Doc
	id := int64(1)
	for _, p := range pairs {
		for k := range 2 {
			d := Doc{ID: id, Key: fmt.Sprintf("INC-%d", id), Title: p.title, Summary: p.summary, Status: "resolved",
				Visibility: "internal", Services: []string{"svc" + fmt.Sprint(id%3)},
				RootCauses: []RootCause{{Category: "config", Description: p.rc}},
				Sections:   []Section{{Key: "description", Title: "What happened", Body: p.summary + " " + p.rc + strings.Repeat(" again", k)}}}
			if id == 6 {
				d.Visibility, d.RestrictedTo = "restricted", []string{"sec"}
			}
			extra = append(extra, d)
			id++
		}
	}
	return similarCorpus(extra...)
}

// similarAll asks for the incidents similar to each of ids, as viewer v.
func similarAll(t *testing.T, ix *Index, ids []int64, v Viewer) map[int64][]Similar {
	t.Helper()
	out := map[int64][]Similar{}
	for _, id := range ids {
		sims, err := ix.Similar(context.Background(), SimilarRequest{ID: id, Limit: 5, Viewer: v})
		if err != nil {
			t.Fatalf("similar to %d: %v", id, err)
		}
		out[id] = sims
	}
	return out
}

// sameSimilar fails unless a and b list the same incidents with the same
// scores and reasons.
func sameSimilar(t *testing.T, what string, a, b map[int64][]Similar) {
	t.Helper()
	for id, as := range a {
		bs := b[id]
		if similarKeys(as) != similarKeys(bs) {
			t.Errorf("%s, similar to %d: %s against %s", what, id, similarKeys(as), similarKeys(bs))
			continue
		}
		for i := range as {
			if math.Abs(as[i].Score-bs[i].Score) > 1e-6 || math.Abs(as[i].Relative-bs[i].Relative) > 1e-6 ||
				fmt.Sprint(as[i].Reasons) != fmt.Sprint(bs[i].Reasons) {
				t.Errorf("%s, similar to %d, %s: score %.6f/%.6f relative %.6f/%.6f reasons %v / %v", what, id, as[i].Key,
					as[i].Score, bs[i].Score, as[i].Relative, bs[i].Relative, as[i].Reasons, bs[i].Reasons)
			}
		}
	}
}

func docIDs(docs []Doc) []int64 {
	var ids []int64
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

// The signatures are read per segment and shard: one shard or several,
// one segment or many, the answers are the same.
func TestSimilar_SameOnOneAndManyShards(t *testing.T) {
	docs := sigCorpus()
	ctx := context.Background()
	var answers []map[int64][]Similar
	for _, shards := range []int{1, 3} {
		ix, err := Open(t.TempDir(), Options{Shards: shards, BatchSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if err := ix.Rebuild(ctx, newMemSource(docs...)); err != nil {
			t.Fatal(err)
		}
		for _, v := range []Viewer{{All: true}, {}} {
			answers = append(answers, similarAll(t, ix, docIDs(docs[:len(docs)-1]), v))
		}
	}
	if len(answers[0][1]) == 0 || answers[0][1][0].Key != "INC-2" {
		t.Fatalf("similar to INC-1: %s, want INC-2 first", similarKeys(answers[0][1]))
	}
	sameSimilar(t, "1 shard / 3 shards, administrator", answers[0], answers[2])
	sameSimilar(t, "1 shard / 3 shards, internal viewer", answers[1], answers[3])
}

// An index kept current from the change feed (many small segments,
// updates that delete the old version, deletes) answers as one rebuilt
// from the same incidents.
func TestSimilar_IncrementalAsRebuilt(t *testing.T) {
	ctx := context.Background()
	docs := sigCorpus()
	src := newMemSource()
	inc, err := Open(t.TempDir(), Options{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer inc.Close()
	if err := inc.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	gone := Doc{ID: 99, Key: "INC-99", Title: "Cassandra compaction storm saturated disks", Summary: "Compaction backlog.",
		Visibility: "internal"}
	for i, d := range docs {
		if i%3 == 0 {
			// An older version first, replaced by the change after it.
			old := d
			old.Title, old.Summary, old.Sections, old.RootCauses = "Payroll export late", "Payroll.", nil, nil
			src.put(old)
		}
		src.put(d)
		if i == 4 {
			src.put(gone)
		}
		if _, err := inc.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	src.remove(gone.ID)
	if _, err := inc.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := Open(t.TempDir(), Options{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer rebuilt.Close()
	if err := rebuilt.Rebuild(ctx, newMemSource(docs...)); err != nil {
		t.Fatal(err)
	}
	for _, v := range []Viewer{{All: true}, {}, {Principals: []string{"sec"}}} {
		ids := docIDs(docs)
		if !v.All {
			ids = ids[:len(ids)-1] // INC-6 is restricted
		}
		a, b := similarAll(t, inc, ids, v), similarAll(t, rebuilt, ids, v)
		sameSimilar(t, fmt.Sprintf("incremental / rebuilt, viewer %+v", v), a, b)
		for id, sims := range a {
			if strings.Contains(similarKeys(sims), "INC-99") {
				t.Errorf("similar to %d: %s holds the deleted INC-99", id, similarKeys(sims))
			}
		}
	}
}

// An update replaces the incident's signature: similar incidents follow
// what it now says, and a deleted one is never found again.
func TestSimilar_SignatureFollowsUpdates(t *testing.T) {
	ctx := context.Background()
	docs := sigCorpus()
	src := newMemSource(docs...)
	ix := openBuilt(t, src)
	find := func(id int64) string {
		t.Helper()
		sims, err := ix.Similar(ctx, SimilarRequest{ID: id, Limit: 3, Viewer: Viewer{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		return similarKeys(sims)
	}
	if got := find(1); !strings.HasPrefix(got, "INC-2") {
		t.Fatalf("similar to INC-1: %s, want INC-2 first", got)
	}
	// INC-2 is now about the Redis failover.
	d2 := docs[len(docs)-6+1]
	d4 := docs[len(docs)-6+3]
	d2.Title, d2.Summary, d2.RootCauses, d2.Sections = d4.Title, d4.Summary, d4.RootCauses, d4.Sections
	src.put(d2)
	if _, err := ix.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	if got := find(1); strings.Contains(got, "INC-2") {
		t.Errorf("similar to INC-1 after INC-2 changed: %s", got)
	}
	if got := find(3); !strings.HasPrefix(got, "INC-2") && !strings.HasPrefix(got, "INC-4") {
		t.Errorf("similar to INC-3 after INC-2 changed: %s, want INC-2 or INC-4 first", got)
	}
	if got := find(3); !strings.Contains(got, "INC-2") {
		t.Errorf("similar to INC-3 after INC-2 changed: %s, want INC-2", got)
	}
	src.remove(4)
	if _, err := ix.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	if got := find(3); strings.Contains(got, "INC-4") {
		t.Errorf("similar to INC-3 after INC-4 was deleted: %s", got)
	}
}

// The signature keeps the words an incident says most (its title's and
// root causes' first), their weights as the re-ranking's vector has
// them, and the length of the whole vector.
func TestSignatureOf_KeepsTheTellingWords(t *testing.T) {
	an, err := textAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	var body strings.Builder
	for i := range 3 * sigWords {
		fmt.Fprintf(&body, "filler%c%c ", 'a'+i%26, 'a'+i/26)
	}
	texts := map[string][]string{FieldTitle: {"Zookeeper quorum lost"}, FieldRCA: {body.String()}}
	s := signatureOf(an, texts)
	v := vectorOf(an, texts, rerankWeights)
	if len(s.words) != sigWords {
		t.Fatalf("%d words kept, want %d", len(s.words), sigWords)
	}
	for _, w := range AnalyzeTerms("Zookeeper quorum lost") {
		if s.words[w] != v.weights[w] || s.words[w] == 0 {
			t.Errorf("title word %q: weight %v in the signature, %v in the vector", w, s.words[w], v.weights[w])
		}
	}
	if math.Abs(s.norm-v.norm) > 1e-9 || s.norm <= 0 {
		t.Errorf("norm %v, want the whole vector's %v", s.norm, v.norm)
	}
}

// An index written before signatures (of an older mapping, serving while
// its rebuild runs) has no similar incidents to give: it says it is not
// ready rather than that there are none.
func TestSimilar_IndexWithoutSignaturesIsNotReady(t *testing.T) {
	ix := openBuilt(t, newMemSource())
	unsigned := func(d *Doc) *document.Document {
		doc := ix.docs.build(d)
		kept := doc.Fields[:0]
		for _, f := range doc.Fields {
			if f.Name() != FieldSignature {
				kept = append(kept, f)
			}
		}
		doc.Fields = kept
		return doc
	}
	err := ix.reader(func(idx *shardIndex) error { return idx.batch(unsigned, sigCorpus(), nil, 0) })
	if err != nil {
		t.Fatal(err)
	}
	_, err = ix.Similar(context.Background(), SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}})
	if !errors.Is(err, ErrNotReady) {
		t.Errorf("similar on an index without signatures: %v, want ErrNotReady", err)
	}
}

// A similar incident shows what a search shows of it (read from its
// signature, not its stored document): key, title as written, status,
// severity, start and whether its RCA is published; and the labels it
// shares with the source.
func TestSimilar_ShowsWhatSearchShows(t *testing.T) {
	docs := sigCorpus()
	started := time.Date(2025, 3, 4, 5, 6, 7, 8000, time.FixedZone("x", 3600))
	for i := range docs {
		if docs[i].ID == 2 {
			docs[i].Title = "Cassandra Compaction Storm (EU-West) saturated disks"
			docs[i].Severity, docs[i].Status, docs[i].Published, docs[i].StartedAt = "Sev2", "Resolved", true, &started
			docs[i].Services = []string{"cassandra   RING", "svc1"}
		}
		if docs[i].ID == 1 {
			docs[i].Services = []string{"Cassandra Ring"}
		}
	}
	ix := openBuilt(t, newMemSource(docs...))
	ctx := context.Background()
	sims, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sims) == 0 || sims[0].ID != 2 {
		t.Fatalf("similar to INC-1: %s, want INC-2 first", similarKeys(sims))
	}
	res, err := ix.Search(ctx, Request{Q: "key:inc-2", Viewer: Viewer{All: true}})
	if err != nil || len(res.Items) != 1 {
		t.Fatalf("search INC-2: %+v, %v", res.Items, err)
	}
	got, want := sims[0], res.Items[0]
	if got.Key != want.Key || got.Title != want.Title || got.Status != want.Status || got.Severity != want.Severity ||
		got.Published != want.Published || got.StartedAt == nil || want.StartedAt == nil || !got.StartedAt.Equal(*want.StartedAt) {
		t.Errorf("similar shows %q %q %q %q published %v started %v; search shows %q %q %q %q published %v started %v",
			got.Key, got.Title, got.Status, got.Severity, got.Published, got.StartedAt,
			want.Key, want.Title, want.Status, want.Severity, want.Published, want.StartedAt)
	}
	if vals := reasonValues(got, ReasonService); len(vals) != 1 || vals[0] != "Cassandra Ring" {
		t.Errorf("reasons %+v: want the shared service as the source writes it", got.Reasons)
	}
}

// The scores are bm25.LogTF's of the query over each signature (the walk
// over the lists inlines bm25's Contribution).
func TestSimilar_ScoresAreBM25OfTheSignatures(t *testing.T) {
	ix := openBuilt(t, newMemSource(sigCorpus()...))
	ctx := context.Background()
	sims, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 5, Viewer: Viewer{All: true}})
	if err != nil || len(sims) < 3 {
		t.Fatalf("similar to INC-1: %s, %v", similarKeys(sims), err)
	}
	err = ix.reader(func(idx *shardIndex) error {
		p, err := profileOfIndexed(idx, 1)
		if err != nil {
			return err
		}
		view, err := ix.sigView(idx)
		if err != nil {
			return err
		}
		defer view.close()
		src := vectorOf(ix.builder().an, p.texts, sourceRerankWeights)
		query := ix.similarQuery(view, p, src, sourceLabels(p), &Viewer{All: true})
		var q bm25.Query
		for _, t := range query {
			word := t.Word
			if t.label {
				word = labelKey + t.Word
			}
			q = append(q, bm25.Term{Word: word, Weight: t.Weight})
		}
		for _, s := range sims {
			ref, ok := view.find(s.ID)
			if !ok {
				return fmt.Errorf("%s not in the view", s.Key)
			}
			sg := view.segs[ref.seg].sigs
			d := bm25.Doc{Words: map[string]float64{}, Len: float64(sg.norms[ref.doc])}
			for _, t := range query {
				if t.label {
					if sg.label(t.Word).weight(ref.doc) > 0 {
						d.Words[labelKey+t.Word] = 1
					}
				} else if w := sg.word(t.Word).weight(ref.doc); w > 0 {
					d.Words[t.Word] = w
				}
			}
			want := bm25.LogTF.Score(q, d, bm25.Corpus{Docs: int(view.n), MeanLen: view.meanNorm})
			if s.Published {
				want *= publishedBoost
			}
			if math.Abs(s.Score-want) > 1e-4*want || want == 0 {
				t.Errorf("%s: score %.6f, bm25 %.6f", s.Key, s.Score, want)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A rebuild swaps in a new generation: similar incidents answer from its
// signatures, not the old one's.
func TestSimilar_AfterARebuild(t *testing.T) {
	ctx := context.Background()
	docs := sigCorpus()
	ix := openBuilt(t, newMemSource(docs...))
	sims, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil || len(sims) == 0 || sims[0].Key != "INC-2" {
		t.Fatalf("similar to INC-1: %s, %v; want INC-2 first", similarKeys(sims), err)
	}
	for i := range docs {
		if docs[i].ID == 2 {
			docs[i].Title, docs[i].Summary, docs[i].Sections, docs[i].RootCauses = "Payroll export late", "Payroll.", nil, nil
		}
	}
	if err := ix.Rebuild(ctx, newMemSource(docs...)); err != nil {
		t.Fatal(err)
	}
	// The old generation's signatures are unmapped once collected: what
	// is read now must all be the new one's.
	runtime.GC()
	runtime.GC()
	sims, err = ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil || strings.Contains(similarKeys(sims), "INC-2") {
		t.Errorf("similar to INC-1 after the rebuild: %s, %v; INC-2 no longer says the same", similarKeys(sims), err)
	}
}

// A label's rarity counts the live incidents holding it: an update's old
// version, deleted but not merged away yet, does not count (review P2-1).
func TestSimilar_LabelRarityCountsLiveIncidentsOnly(t *testing.T) {
	ctx := context.Background()
	docs := sigCorpus()
	src := newMemSource(docs...)
	ix, err := Open(t.TempDir(), Options{Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if err := ix.Rebuild(ctx, src); err != nil {
		t.Fatal(err)
	}
	last := docs[len(docs)-5]
	for i := range 6 {
		d := last
		d.Summary = fmt.Sprintf("%s v%d", last.Summary, i)
		src.put(d)
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	src.put(last)
	if _, err := ix.CatchUp(ctx, src); err != nil {
		t.Fatal(err)
	}
	lb := string(labelService) + normalizeKeyword(last.Services[0])
	err = ix.reader(func(idx *shardIndex) error {
		v, err := ix.sigView(idx)
		if err != nil {
			return err
		}
		defer v.close()
		live, all := 0, 0
		for _, s := range v.segs {
			for _, d := range s.sigs.label(lb).docs {
				all++
				if s.live(d) {
					live++
				}
			}
		}
		if got := v.labelFreq(lb, nil); got != live {
			t.Errorf("labelFreq(%s) = %d, live holders %d (of %d, deleted ones included)", lb, got, live, all)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Similar queries run while updates, merges and rebuild swaps replace
// segments and collections unmap the signatures of those gone (review
// P2-2): none fails or reads another's memory, and the cache keeps no
// more than the current segments.
func TestSimilar_ConcurrentWithUpdatesSwapsAndCollections(t *testing.T) {
	ctx := context.Background()
	docs := sigCorpus()
	src := newMemSource(docs...)
	ix := openBuilt(t, src)
	want := map[int64]string{}
	for _, d := range docs {
		want[d.ID] = d.Key
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	failed := make(chan error, 16)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for _, id := range []int64{1, 3, 5} {
					sims, err := ix.Similar(ctx, SimilarRequest{ID: id, Limit: 5, Viewer: Viewer{All: true}})
					if err != nil {
						failed <- err
						return
					}
					for _, s := range sims {
						if want[s.ID] != s.Key || s.Title == "" {
							failed <- fmt.Errorf("similar to %d: id %d shown as %q %q", id, s.ID, s.Key, s.Title)
							return
						}
					}
				}
				if _, err := ix.Similar(ctx, SimilarRequest{Text: "compaction storm disks", Limit: 5}); err != nil {
					failed <- err
					return
				}
			}
		}()
	}
	for i := range 20 {
		d := docs[i%len(docs)]
		d.Summary += fmt.Sprint(" v", i)
		src.put(d)
		if _, err := ix.CatchUp(ctx, src); err != nil {
			t.Fatal(err)
		}
		if i%5 == 4 {
			if err := ix.Rebuild(ctx, src); err != nil {
				t.Fatal(err)
			}
		}
		runtime.GC()
	}
	close(stop)
	wg.Wait()
	close(failed)
	for err := range failed {
		t.Error(err)
	}
	runtime.GC()
	sims, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 5, Viewer: Viewer{All: true}})
	if err != nil || len(sims) == 0 {
		t.Fatalf("similar to INC-1 at the end: %s, %v", similarKeys(sims), err)
	}
	segs := 0
	err = ix.reader(func(idx *shardIndex) error {
		for _, p := range idx.all() {
			r, err := scorchOf(p).Reader()
			if err != nil {
				return err
			}
			segs += len(r.(*scorch.IndexSnapshot).Segments())
			_ = r.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ix.scache.mu.Lock()
	cached := len(ix.scache.segs)
	ix.scache.mu.Unlock()
	if cached > segs {
		t.Errorf("%d segments cached, the index has %d", cached, segs)
	}
}

// An identical twin is as like the incident asked by id as asked with its
// document, category: tags and all (review P2-3: they were labels no
// signature holds, lowering Relative by document).
func TestSimilar_CategoryTagsOfADocAsByID(t *testing.T) {
	ctx := context.Background()
	mk := func(id int64) Doc {
		return Doc{ID: id, Key: fmt.Sprintf("INC-%d", id), Title: "BGP route leak blackholed edge traffic",
			Summary: "Leaked prefixes from the transit provider were accepted.", Status: "resolved", Visibility: "internal",
			Services: []string{"edge"}, Tags: []string{"category:network", "bgp"},
			RootCauses: []RootCause{{Category: "config", Description: "No prefix filters on the transit session."}}}
	}
	ix := openBuilt(t, newMemSource(similarCorpus(mk(1), mk(2))...))
	byID, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	d := mk(1)
	byDoc, err := ix.Similar(ctx, SimilarRequest{ID: 1, Doc: &d, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) == 0 || len(byDoc) == 0 || byID[0].Key != "INC-2" || byDoc[0].Key != "INC-2" {
		t.Fatalf("by id %s, by document %s: want INC-2 first", similarKeys(byID), similarKeys(byDoc))
	}
	if math.Abs(byID[0].Relative-byDoc[0].Relative) > 1e-9 || byID[0].Relative < 0.99 {
		t.Errorf("Relative of the identical twin: by id %.3f, by document %.3f, want both 1", byID[0].Relative, byDoc[0].Relative)
	}
}

// Closing the index lets its signatures go (review P3-3), and a query on
// a generation no longer in use keeps nothing in the cache (P3-1).
func TestSimilar_CloseReleasesSignatures(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(ctx, newMemSource(sigCorpus()...)); err != nil {
		t.Fatal(err)
	}
	var old *shardIndex
	_ = ix.reader(func(idx *shardIndex) error { old = idx; return nil })
	if _, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}}); err != nil {
		t.Fatal(err)
	}
	cached := func() int {
		ix.scache.mu.Lock()
		defer ix.scache.mu.Unlock()
		return len(ix.scache.segs)
	}
	if cached() == 0 {
		t.Fatal("no segment cached after a query")
	}
	owner := scorchOf(old.parts[0])
	if err := ix.Rebuild(ctx, newMemSource(sigCorpus()...)); err != nil {
		t.Fatal(err)
	}
	if ix.scache.current(owner) {
		t.Error("a replaced generation's shard is still current")
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if n := cached(); n != 0 {
		t.Errorf("%d segments cached after Close", n)
	}
}

// A title holding byte 0xFF (invalid UTF-8: zap's doc-values separator)
// cannot forge signature terms — an id, a restriction (review P3-4).
func TestSimilar_InvalidUTF8CannotForgeSignatureTerms(t *testing.T) {
	ctx := context.Background()
	docs := sigCorpus()
	for i := range docs {
		switch docs[i].ID {
		case 2:
			docs[i].Title += " \xff#7"
		case 4:
			docs[i].Title += " \xffr"
		}
	}
	ix := openBuilt(t, newMemSource(docs...))
	for id, twin := range map[int64]string{1: "INC-2", 3: "INC-4"} {
		sims, err := ix.Similar(ctx, SimilarRequest{ID: id, Limit: 5, Viewer: Viewer{}})
		if err != nil {
			t.Fatal(err)
		}
		if len(sims) == 0 || sims[0].Key != twin {
			t.Errorf("similar to INC-%d for an internal viewer: %s, want %s first", id, similarKeys(sims), twin)
		}
	}
}

// Whether incidents hidden from the viewer hold a rare label changes
// nothing of what the viewer is shown (review P3-7), as for a rare word.
func TestSimilar_HiddenHoldersOfALabelChangeNothing(t *testing.T) {
	ctx := context.Background()
	v := Viewer{Principals: []string{"hr"}}
	ask := func(hiddenHoldsIt bool) []Similar {
		docs := sigCorpus()
		for i := range docs {
			if docs[i].ID == 2 {
				docs[i].Services = append(docs[i].Services, "press")
			}
		}
		hidden := Doc{ID: 9, Key: "INC-9", Title: "Frobnicator merger leaked", Visibility: "restricted",
			RestrictedTo: []string{"legal"}, Summary: "The project leaked to the press."}
		if hiddenHoldsIt {
			hidden.Services = []string{"press"}
		}
		docs = append(docs, hidden, Doc{ID: 10, Key: "INC-10", Title: "Payroll export late", Visibility: "restricted",
			RestrictedTo: []string{"hr"}, Summary: "Payroll export late."})
		ix := openBuilt(t, newMemSource(docs...))
		src := Doc{ID: 77, Title: "Cassandra compaction storm saturated disks", Services: []string{"press"}}
		sims, err := ix.Similar(ctx, SimilarRequest{Doc: &src, Limit: 5, Viewer: v})
		if err != nil {
			t.Fatal(err)
		}
		return sims
	}
	a, b := ask(true), ask(false)
	if similarKeys(a) != similarKeys(b) || len(a) == 0 {
		t.Fatalf("hidden incident holds the label: %s; does not: %s", similarKeys(a), similarKeys(b))
	}
	for i := range a {
		if math.Abs(a[i].Score-b[i].Score) > 1e-9 {
			t.Errorf("%s: score %.6f when a hidden incident holds the label, %.6f when not", a[i].Key, a[i].Score, b[i].Score)
		}
	}
}

// The signature made from the written fields' analysis (sigField) is the
// one sigTerms makes by analysing the texts: the same words, weights,
// length and labels, whatever the texts hold (section titles, which the
// RCA field holds and the signature does not count, identifiers, case,
// stop words, invalid UTF-8, the event separator).
func TestSignature_FromTheFieldsAnalysis(t *testing.T) {
	b := newDocBuilder(newMapping())
	var long strings.Builder
	for i := range 3 * sigWords {
		fmt.Fprintf(&long, "word%c%c root cause ", 'a'+i%26, 'a'+i/26)
	}
	docs := []Doc{
		{ID: 1, Key: "INC-1", Title: "Root cause: ERR_CONN_RESET on db-3.prod.example.com",
			Summary: "The root cause was a connectionTimeout in the PaymentsAPI", CustomerImpact: "Checkout failed for 10.0.0.12",
			Sections: []Section{
				{Title: "Root cause", Body: "The root cause was a cause of causes: the Root Cause."},
				{Title: "Impact", Body: ""},
				{Title: "", Body: "Impact impact impacting."},
				{Title: "  ", Body: "  "},
				{Title: "Timeline and timeline", Body: "The timeline: ECONNREFUSED, then CrashLoopBackOff."},
			},
			RootCauses: []RootCause{{Category: "Config", Description: "A config push (java.net.ConnectionTimeout) rolled out"}},
			Actions:    []Action{{Title: "Roll back the config", Description: ""}, {Title: "", Description: "Alert on ERR_CONN_RESET"}},
			Events:     []Event{{ID: 7, Body: "root cause chat that the signature leaves out"}},
			Services:   []string{"Payments API"}, Tags: []string{"category:network", "east"}, Teams: []string{"SRE"}},
		{ID: 2, Key: "INC-2", Title: "İstanbul \u212aelvin don’t don't \xff\xfe broken\x1eevent", Summary: long.String(),
			Sections: []Section{{Title: long.String()[:200], Body: long.String()}}, Visibility: "restricted",
			RestrictedTo: []string{"alice", "sre"}, Published: true},
		{ID: 3, Key: "INC-3"},
		{ID: 4, Key: "INC-4", Title: "the and of", Sections: []Section{{Title: "Summary summary", Body: "summary"}}},
	}
	for i := range docs {
		d := &docs[i]
		want := sigTerms(b.similar, d)
		doc := b.build(d)
		var got []string
		doc.VisitFields(func(f index.Field) {
			f.Analyze()
			if f.Name() == FieldSignature {
				for term := range f.AnalyzedTokenFrequencies() {
					got = append(got, term)
				}
			}
		})
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("incident %d: signature from the fields' analysis\n%q\nwant (from its texts)\n%q", d.ID, got, want)
		}
	}
}

// The index's status tells the memory the signatures take outside the Go
// heap, which comes back when their index is gone.
func TestStatus_SimilarMemory(t *testing.T) {
	ctx := context.Background()
	settle := func() {
		for range 3 {
			runtime.GC()
			time.Sleep(10 * time.Millisecond) // cleanups run on their own goroutine
		}
	}
	settle() // earlier tests' indexes
	before := offHeapBytes.Load()
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(ctx, newMemSource(sigCorpus()...)); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}}); err != nil {
		t.Fatal(err)
	}
	if got := ix.Status().SimilarMemory; got <= before {
		t.Fatalf("status says %d bytes of signatures after a similar query, %d before", got, before)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); offHeapBytes.Load() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes of signatures still held after Close, %d before", offHeapBytes.Load(), before)
		}
		settle()
	}
}
