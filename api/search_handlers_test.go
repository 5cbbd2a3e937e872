package api

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/search"
)

// searchEnv is the API over a real app with a real search index in a temp
// dir; sync makes every write so far searchable (the tests do not run the
// background indexer, so what is searchable is deterministic).
type searchEnv struct {
	h  http.Handler
	a  *app.App
	ix *search.Index
}

func newSearchEnv(t *testing.T, dialect string, deps Deps) *searchEnv {
	t.Helper()
	st := openTestStore(t, dialect)
	ix, err := search.Open(t.TempDir(), search.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open index: %v", err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	a := app.New(st, app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler), Search: ix})
	deps.Service, deps.Version = a, "test"
	if deps.testIdentity == nil {
		deps.testIdentity = testUser
	}
	return &searchEnv{h: New(deps), a: a, ix: ix}
}

// sync builds the index the first time, then applies the change feed.
func (e *searchEnv) sync(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if !e.ix.Status().Ready {
		if err := e.ix.Rebuild(ctx, e.a.SearchSource()); err != nil {
			t.Fatalf("rebuild: %v", err)
		}
		return
	}
	for {
		n, err := e.ix.CatchUp(ctx, e.a.SearchSource())
		if err != nil {
			t.Fatalf("catch up: %v", err)
		}
		if n == 0 {
			return
		}
	}
}

// asViewer runs h signed in as a viewer whose e-mail address is the first
// principal and whose groups are the others (see testUser).
func asViewer(h http.Handler, principals ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set(testViewerHeader, strings.Join(principals, ","))
		h.ServeHTTP(w, r)
	})
}

// batchIncidents is how many look-alike incidents seedSearch adds, more
// than two pages of 10.
const batchIncidents = 25

// seedSearch creates the incidents the search tests look for:
//
//	INC-1  checkout down after a TLS certificate expired (a title with
//	       <, > and & in it, a root cause, an alert event, a done action)
//	INC-2  search latency from garbage collection
//	INC-3  payments gateway certificate expiry (like INC-1)
//	INC-4  restricted to security-team, mentions certificates too
//	INC-5… batchIncidents "Disk full on batch worker N"
func seedSearch(t *testing.T, h http.Handler) {
	t.Helper()
	mustDo(t, h, 201, "POST", "/api/v1/incidents", `{"title":"Checkout <outage> & TLS certificate expired",
		"summary":"The checkout_service returned HTTP 503 to every customer after the x509 certificate of api.payments.internal expired.",
		"severity":"SEV1","services":["checkout","payments-gateway"],"tags":["tls"],"teams":["payments"],"started_at":"2025-11-02T09:00:00Z"}`)
	mustDo(t, h, 201, "POST", "/api/v1/incidents/INC-1/root-causes",
		`{"category":"config-change","description":"The certificate rotation job was disabled during a migration, so the certificate expired unnoticed."}`)
	mustDo(t, h, 201, "POST", "/api/v1/incidents/INC-1/timeline",
		`{"occurred_at":"2025-11-02T09:01:00Z","kind":"alert","source":"alertmanager","body":"ERROR x509: certificate has expired or is not yet valid for api.payments.internal"}`)
	mustDo(t, h, 201, "POST", "/api/v1/incidents/INC-1/actions", `{"title":"Alert 14 days before any certificate expires","status":"done"}`)

	mustDo(t, h, 201, "POST", "/api/v1/incidents", `{"title":"Search latency spike from Elasticsearch garbage collection pauses",
		"summary":"Query latency p99 rose to 9 seconds while the JVM paused for garbage collection.",
		"severity":"SEV2","services":["search"],"tags":["latency"],"started_at":"2024-06-01T14:00:00Z"}`)
	mustDo(t, h, 201, "POST", "/api/v1/incidents/INC-2/root-causes", `{"category":"capacity","description":"The heap was too small for the grown index."}`)

	mustDo(t, h, 201, "POST", "/api/v1/incidents", `{"title":"Payments gateway TLS handshake failures after certificate expiry",
		"summary":"Card payments failed with TLS handshake errors: the gateway's x509 certificate had expired.",
		"severity":"SEV2","services":["payments-gateway"],"tags":["tls"],"started_at":"2026-01-15T08:00:00Z"}`)
	mustDo(t, h, 201, "POST", "/api/v1/incidents/INC-3/root-causes",
		`{"category":"config-change","description":"The intermediate certificate on the gateway load balancer expired; renewal was manual."}`)
	mustDo(t, h, 201, "POST", "/api/v1/incidents/INC-3/actions", `{"title":"Automate certificate renewal on the load balancer"}`)

	mustDo(t, h, 201, "POST", "/api/v1/incidents", `{"title":"Credential leak in billing exports",
		"summary":"A billing export bucket was public and held certificate private keys.",
		"severity":"SEV1","services":["billing"],"tags":["security"],"visibility":"restricted","restricted_to":["security-team"],
		"started_at":"2026-02-01T10:00:00Z"}`)

	for i := 1; i <= batchIncidents; i++ {
		mustDo(t, h, 201, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"Disk full on batch worker %d",
			"summary":"The batch worker stopped when its disk filled with logs.","severity":"SEV4","services":["batch"],"tags":["disk"],
			"started_at":"2025-01-%02dT06:00:00Z"}`, i, i))
	}
}

// searchResult is a search answer as a client reads it.
type searchResult = search.Result

func getSearch(t *testing.T, h http.Handler, params string) searchResult {
	t.Helper()
	var res searchResult
	decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", "/api/v1/search?"+params, ""), &res)
	return res
}

func keysOf(hits []search.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Key
	}
	return out
}

func facetCount(res searchResult, facet, value string) int {
	for _, c := range res.Facets[facet] {
		if strings.EqualFold(c.Value, value) {
			return c.Count
		}
	}
	return 0
}

func TestAPI_Search(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			env := newSearchEnv(t, dialect, Deps{})
			seedSearch(t, env.h)
			env.sync(t)
			t.Run("query", func(t *testing.T) { testSearchQuery(t, env.h) })
			t.Run("paging", func(t *testing.T) { testSearchPaging(t, env.h) })
			t.Run("bad parameters", func(t *testing.T) { testSearchBadParams(t, env.h) })
			t.Run("similar", func(t *testing.T) { testSimilar(t, env.h) })
			t.Run("suggest", func(t *testing.T) { testSuggest(t, env.h) })
			t.Run("visibility", func(t *testing.T) { testSearchVisibility(t, env.h) })
			t.Run("status and reindex", func(t *testing.T) { testSearchStatus(t, env) })
			t.Run("slack", func(t *testing.T) { testSlackCommand(t, env) })
		})
	}
}

func testSearchQuery(t *testing.T, h http.Handler) {
	t.Run("words find the incidents, with highlights and facets", func(t *testing.T) {
		res := getSearch(t, h, "q=certificate+expired")
		keys := keysOf(res.Items)
		for _, want := range []string{"INC-1", "INC-3"} {
			if !slices.Contains(keys, want) {
				t.Fatalf("q=certificate expired: %v lacks %s", keys, want)
			}
		}
		if slices.Contains(keys, "INC-2") {
			t.Errorf("the latency incident matched: %v", keys)
		}
		if res.Total != uint64(len(res.Items)) || res.NextCursor != "" {
			t.Errorf("total %d, %d items, next %q", res.Total, len(res.Items), res.NextCursor)
		}
		var inc1 search.Hit
		for _, it := range res.Items {
			if it.Key == "INC-1" {
				inc1 = it
			}
		}
		if inc1.ID != 1 || inc1.Score <= 0 || inc1.Title != "Checkout <outage> & TLS certificate expired" {
			t.Errorf("INC-1 hit: %+v", inc1)
		}
		marked := false
		for field, frags := range inc1.Highlights {
			for _, f := range frags {
				if strings.Contains(f, "<mark>") {
					marked = true
				}
				if strings.Contains(f, "<outage>") {
					t.Errorf("highlight of %s is not escaped: %q", field, f)
				}
			}
		}
		if !marked {
			t.Errorf("INC-1 has no <mark> in its highlights: %+v", inc1.Highlights)
		}
		if got := facetCount(res, search.FacetService, "payments-gateway"); got != 2 {
			t.Errorf("facet service payments-gateway = %d, want 2; facets %+v", got, res.Facets)
		}
		if got := facetCount(res, search.FacetService, "checkout"); got != 1 {
			t.Errorf("facet service checkout = %d, want 1", got)
		}
		if got := facetCount(res, search.FacetCategory, "config-change"); got != 2 {
			t.Errorf("facet category config-change = %d, want 2; facets %+v", got, res.Facets)
		}
	})

	t.Run("the raw answer has the contract's members", func(t *testing.T) {
		scenario{method: "GET", url: "/api/v1/search?q=x509", wantStatus: 200,
			wantContains: []string{`"items":[`, `"total":`, `"facets":{`, `"next_cursor":""`, `"fuzzy":`, `"query":`, `"took_ms":`,
				`"highlights":{`, `"events":[{"id":`}}.run(t, h)
	})

	t.Run("a timeline match points at the event", func(t *testing.T) {
		res := getSearch(t, h, "q=x509+api.payments.internal")
		if len(res.Items) == 0 || res.Items[0].Key != "INC-1" {
			t.Fatalf("q=x509: %v", keysOf(res.Items))
		}
		ev := res.Items[0].Events
		if len(ev) == 0 || ev[0].ID <= 0 || !strings.Contains(ev[0].Fragment, "<mark>") {
			t.Fatalf("events: %+v", ev)
		}
		var tl struct {
			Items []struct {
				ID   int64  `json:"id"`
				Body string `json:"body"`
			} `json:"items"`
		}
		decodeTestJSON(t, mustDo(t, h, 200, "GET", "/api/v1/incidents/INC-1/timeline", ""), &tl)
		if len(tl.Items) != 1 || tl.Items[0].ID != ev[0].ID {
			t.Errorf("event %d is not the timeline's %+v", ev[0].ID, tl.Items)
		}
	})

	for _, tc := range []struct {
		name, params string
		want         []string
	}{
		{"field syntax", "q=service:checkout", []string{"INC-1"}},
		{"field syntax with words", "q=certificate+service:payments-gateway", []string{"INC-1", "INC-3"}},
		{"exclusion", "q=certificate+-checkout+-billing", []string{"INC-3"}},
		{"filters as parameters", "q=certificate&service=payments-gateway&severity=SEV2", []string{"INC-3"}},
		{"repeated and comma-separated", "tag=tls,latency&tag=security&sort=oldest", []string{"INC-2", "INC-1", "INC-3", "INC-4"}},
		{"dates", "q=certificate&after=2026-01-01&before=2026-02-01T00:00:00Z", []string{"INC-3"}},
		{"category, no words (sorted by date)", "category=capacity", []string{"INC-2"}},
		{"team", "team=payments", []string{"INC-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := keysOf(getSearch(t, h, tc.params).Items)
			if !slices.Equal(sorted(got), sorted(tc.want)) {
				t.Fatalf("%s: got %v, want %v", tc.params, got, tc.want)
			}
			if strings.Contains(tc.params, "sort=oldest") && !slices.Equal(got, tc.want) {
				t.Fatalf("%s: order %v, want %v", tc.params, got, tc.want)
			}
		})
	}

	t.Run("facets=false skips them", func(t *testing.T) {
		res := getSearch(t, h, "q=certificate&facets=false")
		if len(res.Facets) != 0 || res.Total == 0 {
			t.Fatalf("facets %+v, total %d", res.Facets, res.Total)
		}
	})

	t.Run("a typo still finds it", func(t *testing.T) {
		res := getSearch(t, h, "q=garbge")
		if !slices.Equal(keysOf(res.Items), []string{"INC-2"}) || !res.Fuzzy {
			t.Fatalf("q=garbge: %v fuzzy=%v", keysOf(res.Items), res.Fuzzy)
		}
	})
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func testSearchPaging(t *testing.T, h http.Handler) {
	for _, sort := range []string{"", "newest", "oldest"} {
		t.Run("sort "+sort, func(t *testing.T) {
			seen := map[string]bool{}
			var order []string
			params := "q=disk+worker&limit=10"
			if sort != "" {
				params += "&sort=" + sort
			}
			cursor := ""
			pages := 0
			for {
				p := params
				if cursor != "" {
					p += "&cursor=" + url.QueryEscape(cursor)
				}
				res := getSearch(t, h, p)
				pages++
				if res.Total != batchIncidents {
					t.Fatalf("page %d: total %d, want %d", pages, res.Total, batchIncidents)
				}
				for _, it := range res.Items {
					if seen[it.Key] {
						t.Fatalf("page %d repeats %s", pages, it.Key)
					}
					seen[it.Key] = true
					order = append(order, it.Key)
				}
				if res.NextCursor == "" {
					break
				}
				if pages > batchIncidents {
					t.Fatal("paging does not end")
				}
				cursor = res.NextCursor
			}
			if len(seen) != batchIncidents || pages != 3 {
				t.Fatalf("%d incidents in %d pages", len(seen), pages)
			}
			// The batch incidents started on consecutive days in key order.
			if sort == "oldest" && (order[0] != "INC-5" || order[len(order)-1] != fmt.Sprintf("INC-%d", 4+batchIncidents)) {
				t.Errorf("oldest first: %v", order)
			}
			if sort == "newest" && order[0] != fmt.Sprintf("INC-%d", 4+batchIncidents) {
				t.Errorf("newest first: %v", order)
			}
		})
	}
}

func testSearchBadParams(t *testing.T, h http.Handler) {
	var res searchResult
	decodeTestJSON(t, mustDo(t, h, 200, "GET", "/api/v1/search?q=disk&limit=2&sort=newest", ""), &res)
	if res.NextCursor == "" {
		t.Fatal("no cursor to misuse")
	}
	runScenarios(t, h, []scenario{
		{name: "bad after", method: "GET", url: "/api/v1/search?q=x&after=2024-13-45", wantStatus: 400,
			wantContains: []string{`"code":"bad_parameter"`, `"after":`}},
		{name: "bad before", method: "GET", url: "/api/v1/search?before=yesterday", wantStatus: 400, wantContains: []string{`"before":`}},
		{name: "bad sort", method: "GET", url: "/api/v1/search?sort=best", wantStatus: 400, wantContains: []string{`"sort":"must be one of relevance, newest, oldest"`}},
		{name: "limit 0", method: "GET", url: "/api/v1/search?limit=0", wantStatus: 400, wantContains: []string{`"limit":`}},
		{name: "limit too large", method: "GET", url: "/api/v1/search?limit=101", wantStatus: 400, wantContains: []string{`"limit":`}},
		{name: "bad published", method: "GET", url: "/api/v1/search?published=maybe", wantStatus: 400, wantContains: []string{`"published":`}},
		{name: "bad facets", method: "GET", url: "/api/v1/search?facets=none", wantStatus: 400, wantContains: []string{`"facets":`}},
		{name: "every problem at once", method: "GET", url: "/api/v1/search?limit=x&sort=y&after=z", wantStatus: 400,
			wantContains: []string{`"limit":`, `"sort":`, `"after":`}},
		{name: "query too long", method: "GET", url: "/api/v1/search?q=" + strings.Repeat("a", maxSearchQuery+1), wantStatus: 400,
			wantContains: []string{`"q":`}},
		{name: "garbage cursor", method: "GET", url: "/api/v1/search?q=disk&cursor=not-a-cursor", wantStatus: 400,
			wantContains: []string{`"code":"bad_cursor"`, `"cursor":`}},
		{name: "cursor of another sort", method: "GET", url: "/api/v1/search?q=disk&sort=oldest&cursor=" + url.QueryEscape(res.NextCursor),
			wantStatus: 400, wantContains: []string{`"code":"bad_cursor"`, `"cursor":"belongs to another search`}},
		{name: "an offset cursor of an earlier version", method: "GET",
			url:        "/api/v1/search?q=disk&limit=2&sort=newest&cursor=" + base64.RawURLEncoding.EncodeToString([]byte(`{"m":"newest","o":2,"q":"x"}`)),
			wantStatus: 400, wantContains: []string{`"code":"bad_cursor"`, `"cursor":"was made by an earlier version`}},
		{name: "a cursor tampered with", method: "GET", url: "/api/v1/search?q=disk&limit=2&sort=newest&cursor=" + url.QueryEscape(tampered(t, res.NextCursor)),
			wantStatus: 400, wantContains: []string{`"code":"bad_cursor"`, `"cursor":"is not a cursor this server gave out"`}},
		{name: "the cursor of its own sort works", method: "GET", url: "/api/v1/search?q=disk&limit=2&sort=newest&cursor=" + url.QueryEscape(res.NextCursor),
			wantStatus: 200},
	})
}

func testSimilar(t *testing.T, h http.Handler) {
	var sim struct {
		Items []app.SimilarIncident `json:"items"`
	}
	t.Run("by key", func(t *testing.T) {
		decodeTestJSON(t, mustDo(t, h, 200, "GET", "/api/v1/incidents/INC-1/similar?limit=5", ""), &sim)
		keys := similarKeys(sim.Items)
		if len(keys) == 0 || keys[0] != "INC-3" || slices.Contains(keys, "INC-1") || len(keys) > 5 {
			t.Fatalf("similar to INC-1: %v", keys)
		}
		kinds := map[string][]string{}
		for _, r := range sim.Items[0].Reasons {
			kinds[r.Kind] = r.Values
			if r.Text == "" {
				t.Errorf("reason without text: %+v", r)
			}
		}
		if !slices.Contains(kinds[search.ReasonService], "payments-gateway") || !slices.Contains(kinds[search.ReasonCategory], "config-change") {
			t.Errorf("reasons of INC-3: %+v", sim.Items[0].Reasons)
		}
		if a := sim.Items[0].Actions; a.Total != 1 || a.Open != 1 || a.AllClosed {
			t.Errorf("actions of INC-3: %+v", a)
		}
	})
	t.Run("by numeric id", func(t *testing.T) {
		decodeTestJSON(t, mustDo(t, h, 200, "GET", "/api/v1/incidents/3/similar", ""), &sim)
		keys := similarKeys(sim.Items)
		if len(keys) == 0 || keys[0] != "INC-1" || slices.Contains(keys, "INC-3") {
			t.Fatalf("similar to INC-3: %v", keys)
		}
		if a := sim.Items[0].Actions; a.Total != 1 || !a.AllClosed {
			t.Errorf("actions of INC-1: %+v", a)
		}
	})
	t.Run("by text", func(t *testing.T) {
		decodeTestJSON(t, mustDo(t, h, 200, "POST", "/api/v1/similar",
			`{"text":"ERROR x509: certificate has expired for api.payments.internal (checkout)","limit":3}`), &sim)
		keys := similarKeys(sim.Items)
		if len(keys) == 0 || keys[0] != "INC-1" || len(keys) > 3 {
			t.Fatalf("similar to the alert: %v", keys)
		}
		if len(sim.Items[0].Reasons) == 0 || sim.Items[0].Score <= 0 {
			t.Errorf("INC-1: %+v", sim.Items[0])
		}
	})
	runScenarios(t, h, []scenario{
		{name: "the contract's members", method: "GET", url: "/api/v1/incidents/INC-1/similar", wantStatus: 200,
			wantContains: []string{`"items":[{"id":3,"key":"INC-3","title":`, `"score":`, `"reasons":[{"kind":`, `"actions":{"total":1`}},
		{name: "unknown incident", method: "GET", url: "/api/v1/incidents/INC-999/similar", wantStatus: 404,
			wantContains: []string{`"code":"incident_not_found"`}},
		{name: "limit 0", method: "GET", url: "/api/v1/incidents/INC-1/similar?limit=0", wantStatus: 400, wantContains: []string{`"limit":`}},
		{name: "limit 51", method: "GET", url: "/api/v1/incidents/INC-1/similar?limit=51", wantStatus: 400, wantContains: []string{`"limit":`}},
		{name: "no text", method: "POST", url: "/api/v1/similar", body: `{"text":"  "}`, wantStatus: 422, wantContains: []string{`"text":`}},
		{name: "text limit 0", method: "POST", url: "/api/v1/similar", body: `{"text":"disk","limit":0}`, wantStatus: 422,
			wantContains: []string{`"limit":`}},
		{name: "unknown member", method: "POST", url: "/api/v1/similar", body: `{"txt":"disk"}`, wantStatus: 422},
		{name: "not JSON", method: "POST", url: "/api/v1/similar", body: `text=disk`, wantStatus: 400},
		{name: "nothing alike is an empty list", method: "POST", url: "/api/v1/similar", body: `{"text":"zzyzx qwxv"}`, wantStatus: 200,
			wantContains: []string{`{"items":[]}`}},
	})
}

func similarKeys(items []app.SimilarIncident) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key
	}
	return out
}

func testSuggest(t *testing.T, h http.Handler) {
	var sug struct {
		Items []search.Suggestion `json:"items"`
	}
	decodeTestJSON(t, mustDo(t, h, 200, "GET", "/api/v1/search/suggest?q=pay", ""), &sug)
	if !slices.ContainsFunc(sug.Items, func(s search.Suggestion) bool { return s.Kind == "service" && s.Value == "payments-gateway" }) {
		t.Errorf("suggest pay: %+v", sug.Items)
	}
	decodeTestJSON(t, mustDo(t, h, 200, "GET", "/api/v1/search/suggest?q=Search+lat&limit=3", ""), &sug)
	if !slices.ContainsFunc(sug.Items, func(s search.Suggestion) bool { return s.Kind == "title" && s.Key == "INC-2" }) || len(sug.Items) > 3 {
		t.Errorf("suggest 'Search lat': %+v", sug.Items)
	}
	runScenarios(t, h, []scenario{
		{name: "empty prefix", method: "GET", url: "/api/v1/search/suggest", wantStatus: 200, wantContains: []string{`{"items":[]}`}},
		{name: "bad limit", method: "GET", url: "/api/v1/search/suggest?q=a&limit=x", wantStatus: 400, wantContains: []string{`"limit":`}},
	})
}

func testSearchVisibility(t *testing.T, h http.Handler) {
	// Without a viewer (no sign-in yet) every incident is visible, as in
	// the incident list; the restricted one is found.
	if keys := keysOf(getSearch(t, h, "q=credential+leak").Items); !slices.Equal(keys, []string{"INC-4"}) {
		t.Fatalf("no viewer: %v", keys)
	}
	alice := asViewer(h, "alice")
	res := getSearch(t, alice, "q=certificate")
	if slices.Contains(keysOf(res.Items), "INC-4") || res.Total != uint64(len(res.Items)) {
		t.Errorf("alice sees %v (total %d)", keysOf(res.Items), res.Total)
	}
	if facetCount(res, search.FacetService, "billing") != 0 || facetCount(res, search.FacetTag, "security") != 0 {
		t.Errorf("alice's facets count the restricted incident: %+v", res.Facets)
	}
	if res := getSearch(t, alice, "service=billing"); res.Total != 0 {
		t.Errorf("alice: service=billing total %d", res.Total)
	}
	runScenarios(t, alice, []scenario{
		{name: "similar of the restricted incident", method: "GET", url: "/api/v1/incidents/INC-4/similar", wantStatus: 404},
		{name: "similar never lists it", method: "POST", url: "/api/v1/similar", body: `{"text":"credential leak in billing exports"}`,
			wantStatus: 200, notContains: []string{`"INC-4"`}},
		{name: "similar to INC-1 never lists it", method: "GET", url: "/api/v1/incidents/INC-1/similar?limit=50",
			wantStatus: 200, notContains: []string{`"INC-4"`}},
		{name: "suggest never offers it", method: "GET", url: "/api/v1/search/suggest?q=bil", wantStatus: 200,
			notContains: []string{"billing"}},
		{name: "nor its title", method: "GET", url: "/api/v1/search/suggest?q=Credential", wantStatus: 200,
			notContains: []string{"Credential leak"}},
	})
	member := asViewer(h, "bob", "security-team")
	if keys := keysOf(getSearch(t, member, "q=credential+leak").Items); !slices.Equal(keys, []string{"INC-4"}) {
		t.Errorf("security-team: %v", keys)
	}
	scenario{method: "GET", url: "/api/v1/incidents/INC-4/similar", wantStatus: 200}.run(t, member)
}

func testSearchStatus(t *testing.T, env *searchEnv) {
	var st search.Status
	decodeTestJSON(t, mustDo(t, env.h, 200, "GET", "/api/v1/search/status", ""), &st)
	if !st.Ready || st.Documents != 4+batchIncidents || st.Version != search.MappingVersion || st.Seq <= 0 {
		t.Fatalf("status: %+v", st)
	}
	// The index counts restricted incidents too: a caller who does not see
	// them all learns only whether it answers.
	brief := mustDo(t, asViewer(env.h, "bob"), 200, "GET", "/api/v1/search/status", "")
	if !strings.Contains(brief, `"ready":true`) || strings.Contains(brief, "documents") || strings.Contains(brief, "seq") {
		t.Errorf("status for a viewer: %s", brief)
	}
	decodeTestJSON(t, mustDo(t, env.h, 202, "POST", "/api/v1/search/reindex", ""), &st)
	if !st.Building || !st.Ready {
		t.Fatalf("reindex: %+v", st)
	}
	// The rebuild the indexer would run answers the same afterwards.
	if err := env.ix.Rebuild(context.Background(), env.a.SearchSource()); err != nil {
		t.Fatal(err)
	}
	if res := getSearch(t, env.h, "q=x509"); res.Total != 2 {
		t.Errorf("after the rebuild q=x509 total %d, want 2", res.Total)
	}
}

func TestAPI_SearchUnavailable(t *testing.T) {
	t.Run("no index in this process", func(t *testing.T) {
		h := newTestHandler(t)
		runScenarios(t, h, []scenario{
			{name: "search", method: "GET", url: "/api/v1/search?q=x", wantStatus: 503,
				wantContains: []string{`"code":"search_unavailable"`}, wantHeaders: map[string]string{"Retry-After": searchRetryAfter}},
			{name: "status", method: "GET", url: "/api/v1/search/status", wantStatus: 503, wantContains: []string{`"code":"search_unavailable"`}},
			{name: "similar text", method: "POST", url: "/api/v1/similar", body: `{"text":"x"}`, wantStatus: 503},
		})
	})
	t.Run("index not built yet", func(t *testing.T) {
		env := newSearchEnv(t, "sqlite", Deps{})
		mustDo(t, env.h, 201, "POST", "/api/v1/incidents", `{"title":"Disk full"}`)
		runScenarios(t, env.h, []scenario{
			{name: "search", method: "GET", url: "/api/v1/search?q=disk", wantStatus: 503,
				wantContains: []string{`"code":"search_not_ready"`, `"search":{"ready":false`},
				wantHeaders:  map[string]string{"Retry-After": searchRetryAfter}},
			{name: "suggest", method: "GET", url: "/api/v1/search/suggest?q=d", wantStatus: 503, wantContains: []string{`"code":"search_not_ready"`}},
			{name: "similar", method: "GET", url: "/api/v1/incidents/INC-1/similar", wantStatus: 503},
			{name: "status still answers", method: "GET", url: "/api/v1/search/status", wantStatus: 200, wantContains: []string{`"ready":false`}},
		})
	})
}

// tampered is cursor with a field of its JSON changed to a value of the
// wrong kind.
func tampered(t *testing.T, cursor string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["i"] = "INC-1"
	b, _ = json.Marshal(m)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestAPI_SearchPagesWhileIncidentsChange pages through /search while
// incidents are created between pages, ahead of the page's last hit (newer,
// or matching better): the pages continue after that hit, so none comes
// twice and every incident there from the start comes once.
func TestAPI_SearchPagesWhileIncidentsChange(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			env := newSearchEnv(t, dialect, Deps{})
			const n = 12
			for i := 1; i <= n; i++ {
				mustDo(t, env.h, 201, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"Disk full on batch worker %d",
					"summary":"The batch worker stopped when its disk filled with logs.","severity":"SEV4","services":["batch"],
					"started_at":"2025-01-%02dT06:00:00Z"}`, i, i))
			}
			env.sync(t)
			created := 0
			for _, sort := range []string{"newest", "relevance"} {
				t.Run(sort, func(t *testing.T) {
					seen := map[string]int{}
					cursor := ""
					for page := 1; ; page++ {
						p := "q=disk+worker&limit=5&sort=" + sort
						if cursor != "" {
							p += "&cursor=" + url.QueryEscape(cursor)
						}
						res := getSearch(t, env.h, p)
						for _, it := range res.Items {
							seen[it.Key]++
							if seen[it.Key] > 1 {
								t.Fatalf("page %d repeats %s", page, it.Key)
							}
						}
						if res.NextCursor == "" {
							break
						}
						if page > 10 {
							t.Fatal("paging does not end")
						}
						cursor = res.NextCursor
						// Newer than all, and all about disks and workers.
						created++
						mustDo(t, env.h, 201, "POST", "/api/v1/incidents", fmt.Sprintf(`{"title":"Disk full disk worker disk %d",
							"summary":"Worker disk, worker disk.","severity":"SEV4","started_at":"2025-03-%02dT06:00:00Z"}`, created, created))
						env.sync(t)
					}
					for i := 1; i <= n; i++ {
						if k := fmt.Sprintf("INC-%d", i); seen[k] != 1 {
							t.Errorf("%s came %d times", k, seen[k])
						}
					}
				})
			}
		})
	}
}
