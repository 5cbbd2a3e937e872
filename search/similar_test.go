package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// similarCorpus is a few unrelated incidents, so that word rarities mean
// something, and the given ones.
func similarCorpus(extra ...Doc) []Doc {
	topics := []struct{ title, summary, rca string }{
		{"Leap second livelock on Cassandra", "The kernel hrtimer spun after the leap second.", "NTP inserted a leap second; the kernel livelocked and CPU went to 100%."},
		{"BGP route leak at the transit provider", "Leaked prefixes blackholed edge traffic.", "The transit session had no prefix filters, so leaked routes were accepted."},
		{"Expired TLS certificate on the login page", "Browsers refused the login page for an hour.", "The certificate renewal job had been failing silently for weeks."},
		{"Disk full on the logging cluster", "Log ingestion stopped when the disks filled.", "Retention was misconfigured and old indices were never deleted."},
		{"DNS resolver overload after a deploy", "Internal lookups timed out across the fleet.", "A deploy doubled the query rate and the resolvers ran out of sockets."},
		{"Kafka consumer lag during a rebalance", "Events were delayed by forty minutes.", "A rolling restart triggered repeated rebalances of the consumer group."},
	}
	var docs []Doc
	for i, tp := range topics {
		docs = append(docs, Doc{ID: int64(100 + i), Key: fmt.Sprintf("INC-%d", 100+i), Title: tp.title, Summary: tp.summary,
			Status: "resolved", Visibility: "internal",
			Sections: []Section{{Key: "description", Title: "What happened", Body: tp.rca}}})
	}
	return append(docs, extra...)
}

// A pasted alert finds the incident about the same error on the same
// service ahead of a long write-up that mentions those words among many
// others (the re-ranking's length normalisation).
func TestSimilar_PastedAlertPrefersFocusedIncidentOverLongGenericOne(t *testing.T) {
	focused := Doc{ID: 1, Key: "INC-1", Title: "Payments degraded on Black Friday",
		Services: []string{"checkout"}, Status: "resolved", Visibility: "internal",
		Summary: "Checkout answered 502 for 20 minutes: the payments-db client pool was exhausted and every request " +
			"waited for ConnectionPoolTimeoutException.",
		RootCauses: []RootCause{{Category: "capacity", Description: "The connection pool of the payments-db client was sized for last year's traffic."}},
		Sections:   []Section{{Key: "description", Title: "What happened", Body: "Pool exhausted, ConnectionPoolTimeoutException, 502 at checkout."}}}
	// The long one holds every word of the alert too, once each, in a
	// write-up about many other things.
	var long strings.Builder
	long.WriteString("A quarterly review of reliability across the platform. ")
	for _, s := range []string{"search indexing", "mobile releases", "billing exports", "email delivery", "image resizing",
		"feature flags", "the data warehouse", "vendor contracts", "on-call rotations", "office network", "backups",
		"the status page", "analytics pipelines", "customer support tooling", "load testing", "capacity planning"} {
		fmt.Fprintf(&long, "We reviewed %s: its dashboards, its alerts, its runbooks, its owners and its error budgets, "+
			"and wrote follow-ups for %s. ", s, s)
	}
	long.WriteString("Checkout had one 502 during the quarter; the payments-db client once logged a " +
		"ConnectionPoolTimeoutException when its pool was exhausted.")
	// Its title and summary list the alert's words, as a review's do: a
	// query adding up matches field by field puts it first.
	generic := Doc{ID: 2, Key: "INC-2", Title: "Quarterly review: checkout 502, payments-db pool exhausted, ConnectionPoolTimeoutException and more",
		Services: []string{"checkout"}, Status: "resolved", Visibility: "internal",
		Summary:  "The quarter's incidents: checkout 502, payments-db pool exhausted, ConnectionPoolTimeoutException, and many others.",
		Sections: []Section{{Key: "description", Title: "Review", Body: long.String()}}}
	ix := openBuilt(t, newMemSource(similarCorpus(focused, generic)...))

	alert := "FIRING: HighErrorRate checkout 502 ConnectionPoolTimeoutException payments-db pool exhausted"
	sims, err := ix.Similar(context.Background(), SimilarRequest{Text: alert, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(sims) < 2 || sims[0].Key != "INC-1" || sims[1].Key != "INC-2" {
		t.Fatalf("similar to the alert: %s, want INC-1 then INC-2", similarKeys(sims))
	}
	if !contains(reasonValues(sims[0], ReasonTerms), "connectionpooltimeoutexception") {
		t.Errorf("reasons of INC-1 %+v: want the exception named", sims[0].Reasons)
	}
}

// A word only the incident itself holds cannot find another one and is
// not among its distinctive words; a word another incident holds is.
func TestSimilar_WordsOnlyTheIncidentHoldsAreLeftOut(t *testing.T) {
	src := Doc{ID: 1, Key: "INC-1", Title: "Zorblax scheduler double-books the Kafka consumers",
		Status: "resolved", Visibility: "internal",
		Summary: "The zorblax scheduler started two consumers per partition after a rebalance."}
	ix := openBuilt(t, newMemSource(similarCorpus(src)...))
	var words []weighted
	err := ix.reader(func(idx *shardIndex) error {
		p, err := profileOfIndexed(idx, 1)
		if err != nil {
			return err
		}
		words, err = ix.distinctive(context.Background(), idx, p, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, w := range words {
		got[w.surface] = w.df
	}
	if _, ok := got["zorblax"]; ok {
		t.Errorf("distinctive words %v: zorblax is only the incident's own", got)
	}
	if df, ok := got["rebalance"]; !ok || df != 1 {
		t.Errorf("distinctive words %v: want rebalance, held by one other incident", got)
	}
}

// Asked with the incident's current document (as the app asks), similar
// incidents are those of its indexed document: its own words are left out
// of their rarity either way.
func TestSimilar_DocOfAnIndexedIncidentAsItsID(t *testing.T) {
	src := Doc{ID: 1, Key: "INC-1", Title: "Zorblax scheduler double-books the Kafka consumers after a rebalance",
		Status: "resolved", Visibility: "internal",
		Summary: "The zorblax scheduler started two consumers per partition; certificate and DNS checks were fine."}
	ix := openBuilt(t, newMemSource(similarCorpus(src)...))
	ctx := context.Background()
	byID, err := ix.Similar(ctx, SimilarRequest{ID: 1, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	byDoc, err := ix.Similar(ctx, SimilarRequest{ID: 1, Doc: &src, Limit: 3, Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) == 0 || len(byID) != len(byDoc) {
		t.Fatalf("by id %s, by document %s", similarKeys(byID), similarKeys(byDoc))
	}
	for i := range byID {
		if a, b := byID[i], byDoc[i]; a.Key != b.Key || math.Abs(a.Score-b.Score) > 1e-9 || math.Abs(a.Relative-b.Relative) > 1e-9 {
			t.Errorf("%d: by id %s %.4f (relative %.4f), by document %s %.4f (relative %.4f)", i, a.Key, a.Score, a.Relative, b.Key, b.Score, b.Relative)
		}
	}
}

// The re-ranking's cosine prefers a short text about the source's words
// to a long one that holds them among many others, and a text with more
// of them to one with fewer.
func TestVectorOf_CosineNormalisesLength(t *testing.T) {
	ix := openBuilt(t, newMemSource())
	an := ix.builder().an
	q := map[string]float64{}
	for _, w := range AnalyzeTerms("replication lag failover") {
		q[w] = 1
	}
	short := vectorOf(an, map[string][]string{FieldSummary: {"Replication lag caused a failover."}}, rerankWeights)
	filler := strings.Repeat("Dashboards, alerts, runbooks, owners, budgets, releases, vendors, rotations. ", 1) +
		"Billing exports, email delivery, image resizing, feature flags, warehouse loads, load testing."
	long := vectorOf(an, map[string][]string{FieldSummary: {"Replication lag caused a failover. " + filler}}, rerankWeights)
	fewer := vectorOf(an, map[string][]string{FieldSummary: {"Replication was slow."}}, rerankWeights)
	if s, l := short.cosine(q), long.cosine(q); !(s > l && l > 0) {
		t.Errorf("cosine short %.3f, long %.3f: want short > long > 0", s, l)
	}
	if s, f := short.cosine(q), fewer.cosine(q); !(s > f) {
		t.Errorf("cosine of three shared words %.3f, of one %.3f", s, f)
	}
	if (textVector{}).cosine(q) != 0 {
		t.Error("an empty text has a cosine")
	}
}

func similarKeys(sims []Similar) string {
	var out []string
	for _, s := range sims {
		out = append(out, s.Key)
	}
	return strings.Join(out, ", ")
}

func reasonValues(s Similar, kind string) []string {
	for _, r := range s.Reasons {
		if r.Kind == kind {
			return r.Values
		}
	}
	return nil
}

// TestSimilar_TwoStagesHideRestricted checks the two-stage path (a source
// with more distinctive words than the first stage takes) against a
// restricted near-copy: it is similar only for the viewers who may see it,
// asked by id or with the document.
func TestSimilar_TwoStagesHideRestricted(t *testing.T) {
	words := "Cassandra compaction storm saturated disks; hinted handoff backlog grew; gossip flapped; repair stalled; " +
		"tombstones accumulated; coordinator timeouts; read repair; sstable count exploded; throttling misconfigured"
	rc := []RootCause{{Description: "compaction throughput throttling misconfigured"}}
	src := Doc{ID: 1, Key: "INC-1", Title: "Cassandra compaction storm", Summary: words, Visibility: "internal", RootCauses: rc}
	dup := Doc{ID: 2, Key: "INC-2", Title: "Cassandra compaction storm again", Summary: words, Visibility: "restricted",
		RestrictedTo: []string{"sec"}, RootCauses: rc}
	other := Doc{ID: 3, Key: "INC-3", Title: "Other restricted", Summary: "payroll", Visibility: "restricted", RestrictedTo: []string{"hr"}}
	ix := openBuilt(t, newMemSource(similarCorpus(src, dup, other)...))
	for _, v := range []Viewer{{}, {Principals: []string{"hr"}}, {Principals: []string{"sec"}}, {All: true}} {
		for _, req := range []SimilarRequest{{ID: 1}, {ID: 1, Doc: &src}} {
			req.Viewer, req.Limit = v, 5
			sims, err := ix.Similar(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			got := similarKeys(sims)
			sees := v.All || slices.Contains(v.Principals, "sec")
			if strings.Contains(got, "INC-2") != sees {
				t.Errorf("viewer %+v (document given: %v): %s", v, req.Doc != nil, got)
			}
		}
	}
}

// TestSimilar_ByIDOfHiddenIncident checks that asking by id for a
// restricted incident the viewer may not see answers as for one that does
// not exist, also for a viewer who may see another restricted incident.
func TestSimilar_ByIDOfHiddenIncident(t *testing.T) {
	hidden := Doc{ID: 2, Key: "INC-2", Title: "Leap second livelock on Cassandra again", Summary: "kernel hrtimer leap second",
		Visibility: "restricted", RestrictedTo: []string{"sec"}}
	other := Doc{ID: 3, Key: "INC-3", Title: "Other restricted", Summary: "payroll", Visibility: "restricted", RestrictedTo: []string{"hr"}}
	ix := openBuilt(t, newMemSource(similarCorpus(hidden, other)...))
	for _, v := range []Viewer{{}, {Principals: []string{"hr"}}} {
		sims, err := ix.Similar(context.Background(), SimilarRequest{ID: 2, Limit: 5, Viewer: v})
		if !errors.Is(err, incident.ErrNotFound) || len(sims) != 0 {
			t.Errorf("viewer %+v: %s, %v; want not found", v, similarKeys(sims), err)
		}
	}
	if _, err := ix.Similar(context.Background(), SimilarRequest{ID: 2, Limit: 5, Viewer: Viewer{Principals: []string{"sec"}}}); err != nil {
		t.Errorf("a viewer who may see it: %v", err)
	}
}
