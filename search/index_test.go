package search

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// memSource is a Source over documents in memory, with a change feed.
type memSource struct {
	mu      sync.Mutex
	docs    map[int64]Doc
	changes []incident.Change
}

func newMemSource(docs ...Doc) *memSource {
	s := &memSource{docs: map[int64]Doc{}}
	for _, d := range docs {
		s.put(d)
	}
	return s
}

// put stores d and appends a change for it.
func (s *memSource) put(d Doc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[d.ID] = d
	s.changes = append(s.changes, incident.Change{Seq: int64(len(s.changes) + 1), ObjectType: incident.ObjectIncident,
		ObjectID: d.ID, IncidentID: d.ID, Op: incident.OpUpsert})
}

// remove deletes an incident and appends a change for it.
func (s *memSource) remove(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.docs, id)
	s.changes = append(s.changes, incident.Change{Seq: int64(len(s.changes) + 1), ObjectType: incident.ObjectIncident,
		ObjectID: id, IncidentID: id, Op: incident.OpDelete})
}

func (s *memSource) LastSeq(context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.changes)), nil
}

func (s *memSource) Changes(_ context.Context, after int64, limit int) ([]incident.Change, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if after >= int64(len(s.changes)) {
		return nil, nil
	}
	out := s.changes[after:]
	if len(out) > limit {
		out = out[:limit]
	}
	return append([]incident.Change(nil), out...), nil
}

func (s *memSource) IDs(_ context.Context, after int64, limit int) ([]int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []int64
	for id := range s.docs {
		if id > after {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

func (s *memSource) Docs(_ context.Context, ids []int64) (map[int64]Doc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]Doc{}
	for _, id := range ids {
		if d, ok := s.docs[id]; ok {
			out[id] = d
		}
	}
	return out, nil
}

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return &t
}

// fixtures are a few incidents written like real ones.
func fixtures() []Doc {
	return []Doc{
		{ID: 1, Key: "INC-1", Title: "BGP route leak takes down the edge network", Severity: "SEV1", Status: "resolved",
			Services: []string{"edge", "dns"}, Tags: []string{"network", "bgp"}, Visibility: "internal",
			Summary:    "A misconfigured BGP session at our transit provider leaked routes; traffic to the edge was blackholed.",
			RootCauses: []RootCause{{Category: "network", Description: "Route filters were missing on the transit session."}},
			Actions:    []Action{{Title: "Add prefix filters to every BGP session", Status: "done"}},
			Sections:   []Section{{Key: "description", Title: "What happened", Body: "Routers at edge-1.fra.example.net accepted leaked prefixes."}},
			Events: []Event{
				{ID: 101, Body: "PagerDuty: edge-1.fra.example.net packet loss 80%"},
				{ID: 102, Body: "we see ERR_CONN_RESET from the load balancers at 10.0.3.17"},
			},
			StartedAt: at("2021-03-04T10:00:00Z"), Published: true},
		{ID: 2, Key: "INC-2", Title: "Leap second makes Cassandra nodes spin", Severity: "SEV2", Status: "resolved",
			Services: []string{"cassandra"}, Tags: []string{"time"}, Visibility: "internal",
			Summary:    "The leap second inserted at midnight caused a livelock in the kernel's hrtimer code; CPU went to 100%.",
			RootCauses: []RootCause{{Category: "time", Description: "Kernel bug in leap second handling."}},
			Actions:    []Action{{Title: "Smear leap seconds through NTP", Status: "open"}},
			StartedAt:  at("2012-06-30T23:59:59Z")},
		{ID: 3, Key: "INC-3", Title: "S3 outage after a mistyped command", Severity: "SEV1", Status: "resolved",
			Services: []string{"s3"}, Tags: []string{"aws", "config"}, Visibility: "internal",
			Summary:    "An engineer removed more capacity than intended from the index subsystem while debugging billing.",
			RootCauses: []RootCause{{Category: "process", Description: "The playbook allowed removing too much capacity at once."}},
			Events:     []Event{{ID: 301, Body: "connectionTimeoutException in BillingClient"}},
			StartedAt:  at("2017-02-28T17:37:00Z")},
		{ID: 4, Key: "INC-4", Title: "AWS config drift breaks deploys", Severity: "SEV3", Status: "resolved",
			Services: []string{"deploy"}, Tags: []string{"aws", "config"}, Visibility: "internal",
			Summary:   "A manual change in the AWS console drifted from the terraform state.",
			StartedAt: at("2019-05-01T08:00:00Z")},
		{ID: 5, Key: "INC-5", Title: "Secret BGP incident at the bank", Severity: "SEV1", Status: "open",
			Services: []string{"edge"}, Visibility: "restricted", RestrictedTo: []string{"security-team"},
			Summary:   "BGP hijack of our prefixes by a third party.",
			StartedAt: at("2022-01-01T00:00:00Z")},
	}
}

// openBuilt opens an index in a temp dir and builds it from src.
func openBuilt(t *testing.T, src Source) *Index {
	t.Helper()
	ix, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	return ix
}

func keys(r Result) []string {
	var out []string
	for _, h := range r.Items {
		out = append(out, h.Key)
	}
	return out
}

func TestSearch_Basics(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	ctx := context.Background()
	viewer := Viewer{} // internal incidents only
	cases := []struct {
		q    string
		want []string // in order when more than one
	}{
		{"bgp", []string{"INC-1"}},
		{`"leap second"`, []string{"INC-2"}},
		{"aws", []string{"INC-3", "INC-4"}},
		{"aws -config", nil},
		{"-aws config", nil},
		{"service:s3", []string{"INC-3"}},
		{"err_conn_reset", []string{"INC-1"}},
		{"conn_reset", []string{"INC-1"}},
		{"10.0.3.17", []string{"INC-1"}},
		{"edge-1.fra.example.net", []string{"INC-1"}},
		{"fra", []string{"INC-1"}},
		{`"connection timeout"`, []string{"INC-3"}},
		{"connectionTimeoutException", []string{"INC-3"}},
		{"bgp OR cassandra", []string{"INC-1", "INC-2"}},
		{"leaked filters", []string{"INC-1"}},
		{"INC-2", []string{"INC-2"}},
		{"before:2015", []string{"INC-2"}},
		{"after:2019 aws", []string{"INC-4"}},
	}
	for _, c := range cases {
		r, err := ix.Search(ctx, Request{Q: c.q, Viewer: viewer})
		if err != nil {
			t.Fatalf("%s: %v", c.q, err)
		}
		got := keys(r)
		sort.Strings(got)
		want := append([]string(nil), c.want...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: got %v, want %v", c.q, keys(r), c.want)
		}
		if int(r.Total) != len(c.want) {
			t.Errorf("%s: total %d, want %d", c.q, r.Total, len(c.want))
		}
	}
}

func TestSearch_HighlightsFacetsAndEvents(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	r, err := ix.Search(context.Background(), Request{Q: "bgp", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 2 {
		t.Fatalf("total %d, want 2 (a viewer who sees all sees the restricted one)", r.Total)
	}
	h := r.Items[0]
	if h.Key != "INC-1" {
		t.Fatalf("first %s, want INC-1 (its title and root cause say bgp)", h.Key)
	}
	if got := h.Highlights[FieldTitle]; len(got) != 1 || !strings.Contains(got[0], "<mark>BGP</mark>") {
		t.Errorf("title highlight %q", got)
	}
	if got := h.Highlights[FieldActions]; len(got) != 1 || !strings.Contains(got[0], "<mark>BGP</mark> session") {
		t.Errorf("actions highlight %q", got)
	}
	if got := h.Highlights[FieldTags]; len(got) != 1 || got[0] != "<mark>bgp</mark>" {
		t.Errorf("tag highlight %q", got)
	}
	facets := map[string]int{}
	for _, c := range r.Facets[FacetService] {
		facets[c.Value] = c.Count
	}
	if facets["edge"] != 2 || facets["dns"] != 1 {
		t.Errorf("service facet %v", r.Facets[FacetService])
	}
	if y := r.Facets[FacetYear]; len(y) != 2 || y[0].Value != "2022" {
		t.Errorf("year facet %v, want newest first", y)
	}

	r, err = ix.Search(context.Background(), Request{Q: "err_conn_reset", Viewer: Viewer{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Items) != 1 || len(r.Items[0].Events) != 1 || r.Items[0].Events[0].ID != 102 {
		t.Fatalf("events %+v, want the event 102", r.Items)
	}
	if f := r.Items[0].Events[0].Fragment; !strings.Contains(f, "<mark>ERR_CONN_RESET</mark>") {
		t.Errorf("event fragment %q", f)
	}
}

func TestSearch_EscapesHighlights(t *testing.T) {
	d := Doc{ID: 9, Key: "INC-9", Title: `<script>alert("x")</script> payments down`, Visibility: "internal",
		Events: []Event{{ID: 1, Body: `<img src=x onerror=alert(1)> payments 502`}}}
	ix := openBuilt(t, newMemSource(d))
	r, err := ix.Search(context.Background(), Request{Q: "payments"})
	if err != nil || len(r.Items) != 1 {
		t.Fatalf("%v %+v", err, r)
	}
	for field, frags := range r.Items[0].Highlights {
		for _, f := range frags {
			if strings.Contains(f, "<script") || strings.Contains(f, "<img") {
				t.Errorf("%s fragment not escaped: %q", field, f)
			}
		}
	}
	if !strings.Contains(r.Items[0].Highlights[FieldTitle][0], "&lt;script&gt;") {
		t.Errorf("title fragment %q", r.Items[0].Highlights[FieldTitle])
	}
}

func TestSearch_Visibility(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	ctx := context.Background()
	for _, c := range []struct {
		v    Viewer
		want uint64
	}{
		{Viewer{}, 1},
		{Viewer{Principals: []string{"alice"}}, 1},
		{Viewer{Principals: []string{"alice", "Security-Team"}}, 2},
		{Viewer{All: true}, 2},
	} {
		r, err := ix.Search(ctx, Request{Q: "bgp", Viewer: c.v})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != c.want {
			t.Errorf("%+v: total %d, want %d", c.v, r.Total, c.want)
		}
		n := 0
		for _, f := range r.Facets[FacetService] {
			if f.Value == "edge" {
				n = f.Count
			}
		}
		if uint64(n) != c.want {
			t.Errorf("%+v: edge facet %d, want %d (facets must not count hidden incidents)", c.v, n, c.want)
		}
		sims, err := ix.Similar(ctx, SimilarRequest{ID: 1, Viewer: c.v, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sims {
			if s.Key == "INC-5" && c.want == 1 {
				t.Errorf("%+v: similar shows the restricted INC-5", c.v)
			}
		}
	}
}

func TestSearch_FuzzyFallback(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	r, err := ix.Search(context.Background(), Request{Q: "cassandar"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Fuzzy || len(r.Items) == 0 || r.Items[0].Key != "INC-2" {
		t.Fatalf("fuzzy %v items %v, want INC-2 by fuzzy matching", r.Fuzzy, keys(r))
	}
	r, err = ix.Search(context.Background(), Request{Q: "cassandra"})
	if err != nil || r.Fuzzy {
		t.Fatalf("exact match must not be fuzzy: %v %v", err, r.Fuzzy)
	}
}

func TestSearch_CursorPaging(t *testing.T) {
	var docs []Doc
	for i := int64(1); i <= 57; i++ {
		docs = append(docs, Doc{ID: i, Key: "INC-" + itoa(i), Title: "database failover number " + itoa(i),
			Visibility: "internal", StartedAt: at("2020-01-01T00:00:00Z")})
	}
	ix := openBuilt(t, newMemSource(docs...))
	for _, sortBy := range []string{SortRelevance, SortNewest, SortOldest} {
		seen := map[string]bool{}
		cur := ""
		pages := 0
		for {
			r, err := ix.Search(context.Background(), Request{Q: "failover", Sort: sortBy, Limit: 10, Cursor: cur})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != 57 {
				t.Fatalf("total %d", r.Total)
			}
			for _, h := range r.Items {
				if seen[h.Key] {
					t.Fatalf("%s: %s twice", sortBy, h.Key)
				}
				seen[h.Key] = true
			}
			pages++
			if r.NextCursor == "" {
				break
			}
			cur = r.NextCursor
		}
		if len(seen) != 57 || pages != 6 {
			t.Errorf("%s: %d incidents over %d pages, want 57 over 6", sortBy, len(seen), pages)
		}
	}
	if _, err := ix.Search(context.Background(), Request{Q: "failover", Cursor: "garbage"}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("bad cursor: %v", err)
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestIndex_FollowsChangesAndStoresSeq(t *testing.T) {
	src := newMemSource(fixtures()...)
	dir := t.TempDir()
	ix, err := Open(dir, Options{PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ix.Run(ctx, src) }()
	waitFor(t, func() bool {
		r, err := ix.Search(context.Background(), Request{Q: "cassandra"})
		return err == nil && r.Total == 1
	})
	src.put(Doc{ID: 6, Key: "INC-6", Title: "Kafka consumer lag", Visibility: "internal"})
	waitFor(t, func() bool {
		r, err := ix.Search(context.Background(), Request{Q: "kafka"})
		return err == nil && r.Total == 1
	})
	src.remove(2)
	waitFor(t, func() bool {
		r, err := ix.Search(context.Background(), Request{Q: "cassandra"})
		return err == nil && r.Total == 0
	})
	cancel()
	<-done
	seq := ix.Seq()
	if seq != 7 {
		t.Fatalf("seq %d, want 7", seq)
	}
	ix.Close()

	// Reopened, it resumes from the stored sequence without rebuilding.
	ix, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Seq() != 7 || !ix.Status().Ready || ix.Status().Stale {
		t.Fatalf("reopened: %+v", ix.Status())
	}
	// A second process cannot open it.
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
}

func TestIndex_RebuildsOnVersionMismatchWhileOldAnswers(t *testing.T) {
	src := newMemSource(fixtures()...)
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	// Pretend an older version wrote it (only the version key: the index
	// has the current shape; TestIndex_OldGenerationAnswersInItsShape
	// searches a generation of the old shape).
	ix.mu.RLock()
	err = ix.cur.setInternal(keyVersion, []byte("0"))
	ix.mu.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	oldGen := ix.gen
	ix.Close()

	ix = reopenStale(t, dir)
	r, err := ix.Search(context.Background(), Request{Q: "bgp"})
	if err != nil || r.Total != 1 {
		t.Fatalf("old index must answer: %v %d", err, r.Total)
	}
	if _, err := ix.CatchUp(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if !ix.needsRebuild(context.Background(), src) {
		t.Fatal("a stale index must be rebuilt")
	}
	if err := ix.Rebuild(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	if st := ix.Status(); st.Stale || ix.gen == oldGen {
		t.Fatalf("after rebuild %+v gen %s", st, ix.gen)
	}
	if _, err := os.Stat(filepath.Join(dir, oldGen)); !os.IsNotExist(err) {
		t.Errorf("old generation kept: %v", err)
	}
}

func TestIndex_DeletedIndexIsRebuilt(t *testing.T) {
	src := newMemSource(fixtures()...)
	dir := t.TempDir()
	ix, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Search(context.Background(), Request{Q: "bgp"}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("empty index: %v, want ErrNotReady", err)
	}
	if !ix.needsRebuild(context.Background(), src) {
		t.Fatal("no index: must build")
	}
	if err := ix.step(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	r, err := ix.Search(context.Background(), Request{Q: "bgp"})
	if err != nil || r.Total != 1 {
		t.Fatalf("%v %d", err, r.Total)
	}
	// The index seeing changes the database has not means another database.
	if err := ix.step(context.Background(), newMemSource()); err != nil {
		t.Fatal(err)
	}
	r, err = ix.Search(context.Background(), Request{Q: "bgp"})
	if err != nil || r.Total != 0 {
		t.Fatalf("after switching databases: %v %d", err, r.Total)
	}
	ix.Close()
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSimilar_ReasonsAndSelfExcluded(t *testing.T) {
	docs := fixtures()
	docs = append(docs, Doc{ID: 7, Key: "INC-7", Title: "BGP leak from a transit provider blackholes traffic",
		Services: []string{"edge"}, Tags: []string{"bgp"}, Visibility: "internal",
		RootCauses: []RootCause{{Category: "network", Description: "No prefix filters on the transit session."}},
		Summary:    "Leaked routes from the transit provider were accepted."})
	ix := openBuilt(t, newMemSource(docs...))
	sims, err := ix.Similar(context.Background(), SimilarRequest{ID: 7, Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(sims) == 0 || sims[0].Key != "INC-1" {
		t.Fatalf("similar %+v, want INC-1 first", sims)
	}
	for _, s := range sims {
		if s.ID == 7 {
			t.Fatal("the incident itself is listed")
		}
	}
	kinds := map[string][]string{}
	for _, r := range sims[0].Reasons {
		kinds[r.Kind] = r.Values
	}
	if !contains(kinds[ReasonTerms], "transit") || !contains(kinds[ReasonService], "edge") ||
		!contains(kinds[ReasonCategory], "network") || !contains(kinds[ReasonTag], "bgp") {
		t.Errorf("reasons %+v", sims[0].Reasons)
	}
	if sims[0].Relative <= 0 || sims[0].Relative > 1 {
		t.Errorf("relative %v", sims[0].Relative)
	}

	sims, err = ix.Similar(context.Background(), SimilarRequest{Text: "FIRING: kernel hrtimer livelock after leap second on cassandra-3", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(sims) == 0 || sims[0].Key != "INC-2" {
		t.Fatalf("text similar %+v, want INC-2", sims)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestSuggest(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	got, err := ix.Suggest(context.Background(), "ca", 10, Viewer{})
	if err != nil {
		t.Fatal(err)
	}
	var service, title bool
	for _, s := range got {
		service = service || (s.Kind == "service" && s.Value == "cassandra" && s.Count == 1)
		title = title || (s.Kind == "title" && s.Key == "INC-2")
	}
	if !service || !title {
		t.Errorf("suggestions %+v", got)
	}
	// A service only a restricted incident has is not suggested to others.
	ix2 := openBuilt(t, newMemSource(Doc{ID: 1, Key: "INC-1", Title: "x", Services: []string{"vault"},
		Visibility: "restricted", RestrictedTo: []string{"sec"}}))
	got, err = ix2.Suggest(context.Background(), "va", 10, Viewer{})
	if err != nil || len(got) != 0 {
		t.Errorf("restricted suggestion leaked: %+v %v", got, err)
	}
}

func TestIndex_DirectoryRemovedWhileRunning(t *testing.T) {
	src := newMemSource(fixtures()...)
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Open(dir, Options{PollInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); ix.Run(ctx, src) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return ix.Status().Ready })
	// The directory vanishes at once (as a rename makes it), then goes.
	if err := os.Rename(dir, dir+".gone"); err != nil {
		t.Fatal(err)
	}
	_ = os.RemoveAll(dir + ".gone") // the old index may still write there; the temp dir's cleanup finishes it
	waitFor(t, func() bool {
		_, err := os.Stat(filepath.Join(dir, currentFile))
		return err == nil
	})
	src.put(Doc{ID: 8, Key: "INC-8", Title: "Memcached evictions", Visibility: "internal"})
	waitFor(t, func() bool {
		r, err := ix.Search(context.Background(), Request{Q: "memcached"})
		return err == nil && r.Total == 1
	})
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("the new directory is not locked: %v", err)
	}
}

func TestSearch_DatesAndUndated(t *testing.T) {
	var docs []Doc
	base := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	for i := int64(1); i <= 23; i++ {
		st := base.Add(time.Duration(i)*time.Hour + time.Duration(i)*123456789) // fractions of a second
		d := Doc{ID: i, Key: "INC-" + itoa(i), Title: "payment errors " + itoa(i), Visibility: "internal",
			CreatedAt: time.Now()}
		if i%5 != 0 {
			d.StartedAt = &st
		}
		docs = append(docs, d)
	}
	ix := openBuilt(t, newMemSource(docs...))
	for _, sortBy := range []string{SortNewest, SortOldest} {
		var got []Hit
		cur := ""
		for pages := 0; pages < 10; pages++ {
			r, err := ix.Search(context.Background(), Request{Q: "payment", Sort: sortBy, Limit: 5, Cursor: cur})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, r.Items...)
			if r.NextCursor == "" {
				break
			}
			cur = r.NextCursor
		}
		if len(got) != 23 {
			t.Fatalf("%s: %d hits over the pages, want 23", sortBy, len(got))
		}
		seen := map[string]bool{}
		for i, h := range got {
			if seen[h.Key] {
				t.Fatalf("%s: %s twice", sortBy, h.Key)
			}
			seen[h.Key] = true
			if i < 19 && h.StartedAt == nil || i >= 19 && h.StartedAt != nil {
				t.Fatalf("%s: hit %d %s started %v: undated incidents must come last", sortBy, i, h.Key, h.StartedAt)
			}
			if i > 0 && i < 19 {
				prev := *got[i-1].StartedAt
				if (sortBy == SortNewest && h.StartedAt.After(prev)) || (sortBy == SortOldest && h.StartedAt.Before(prev)) {
					t.Fatalf("%s: out of order at %d", sortBy, i)
				}
			}
		}
	}
	r, err := ix.Search(context.Background(), Request{Q: "payment after:2024-01-01"})
	if err != nil || r.Total != 19 {
		t.Fatalf("date filter: %d %v, want the 19 dated", r.Total, err)
	}
	if n := len(r.Facets[FacetYear]); n != 1 || r.Facets[FacetYear][0].Count != 19 {
		t.Fatalf("year facet %v", r.Facets[FacetYear])
	}
}

func TestSearch_AnyWordWhenAllFindNothing(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	r, err := ix.Search(context.Background(), Request{Q: "cassandra zebra"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.AnyWord || r.Fuzzy || r.Total != 1 || r.Items[0].Key != "INC-2" {
		t.Fatalf("any %v fuzzy %v total %d %v", r.AnyWord, r.Fuzzy, r.Total, keys(r))
	}
	r, err = ix.Search(context.Background(), Request{Q: "cassandra leap"})
	if err != nil || r.AnyWord || r.Total != 1 {
		t.Fatalf("all words found: any %v total %d %v", r.AnyWord, r.Total, err)
	}
}

// TestSimilar_HiddenWordsDoNotShow checks that a word only a restricted
// incident holds changes nothing for a viewer who may not see it.
func TestSimilar_HiddenWordsDoNotShow(t *testing.T) {
	docs := fixtures()
	docs = append(docs, Doc{ID: 9, Key: "INC-9", Title: "Frobnicator merger leaked", Visibility: "restricted",
		RestrictedTo: []string{"legal"}, Summary: "The zqxwvyplo project leaked to the press."})
	ix := openBuilt(t, newMemSource(docs...))
	ctx := context.Background()
	ask := func(text string, v Viewer) []Similar {
		sims, err := ix.Similar(ctx, SimilarRequest{Text: text, Limit: 5, Viewer: v})
		if err != nil {
			t.Fatal(err)
		}
		return sims
	}
	with := ask("kernel leap second livelock zqxwvyplo", Viewer{})
	without := ask("kernel leap second livelock", Viewer{})
	if len(with) != len(without) {
		t.Fatalf("%d vs %d results", len(with), len(without))
	}
	for i := range with {
		if with[i].Key != without[i].Key || with[i].Score != without[i].Score {
			t.Fatalf("result %d differs: %+v vs %+v", i, with[i], without[i])
		}
		for _, r := range with[i].Reasons {
			for _, w := range r.Values {
				if w == "zqxwvyplo" {
					t.Fatal("a word only a hidden incident holds is a reason")
				}
			}
		}
	}
	// Someone who may see it gets it.
	if got := ask("zqxwvyplo", Viewer{Principals: []string{"legal"}}); len(got) != 1 || got[0].Key != "INC-9" {
		t.Fatalf("insider: %+v", got)
	}
}

// TestSyncTree_FilesRemovedMeanwhile: flushing a generation to disk passes
// over a segment file its merger removed after the listing (the rebuild
// failed with "switch index: open …zap: no such file or directory"), but
// not a generation that is missing altogether.
func TestSyncTree_FilesRemovedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	gone := filepath.Join(dir, "000000000004.zap")
	if err := os.WriteFile(gone, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(gone)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	step := syncStep(dir)
	if err := step(gone, fs.FileInfoToDirEntry(fi), nil); err != nil {
		t.Errorf("a file removed after the listing: %v", err)
	}
	if err := step(gone, nil, fs.ErrNotExist); err != nil {
		t.Errorf("an entry removed before its lstat: %v", err)
	}
	if err := syncTree(filepath.Join(dir, "no-such-generation")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing generation: %v, want not-exist", err)
	}
	if err := syncTree(dir); err != nil {
		t.Errorf("a whole generation: %v", err)
	}
}
