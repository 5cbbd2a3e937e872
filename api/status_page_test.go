package api

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// Strings that must never reach a public page: the internal title and
// summary of a public incident, its non-public service, its RCA's
// customer-success and internal sections, anything of a restricted or a
// non-public incident, and script an editor pasted.
var statusSecrets = []string{
	"INTERNAL-TITLE", "INTERNAL-SUMMARY", "secret-db", "CS-SECTION-TEXT", "INTERNAL-SECTION-TEXT",
	"RESTRICTED-TITLE", "RESTRICTED-PUBLIC-TITLE", "PRIVATE-TITLE", "PRIVATE-PUBLIC-TITLE", "PRIVATE-UPDATE",
	"<script", "commander-carol", "onerror", "javascript:", "INC-",
}

// newStatusFixture builds the API over a fresh database of the dialect with
// public services, a resolved public incident with a published RCA, an
// open public incident with a customer update, a restricted incident and a
// non-public one. It returns the handler (signed in as an admin).
func newStatusFixture(t *testing.T, dialect string, deps Deps) http.Handler {
	t.Helper()
	a := app.New(openTestStore(t, dialect), app.Options{Now: fixedNow, Logger: slog.New(slog.DiscardHandler)})
	deps.testIdentity, deps.Service, deps.Version = testUser, a, "test"
	h := New(deps)
	mustDo(t, h, http.StatusOK, "PUT", "/api/v1/status/services",
		`{"services":[{"name":"api","display_name":"Public API","description":"REST and webhooks"},{"name":"web","display_name":"Website"}]}`)
	// INC-1: resolved two days ago; one hour of major outage on api.
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"INTERNAL-TITLE db-7 disk full",
		"summary":"INTERNAL-SUMMARY","services":["API","secret-db"],"commander":"commander-carol","status":"resolved",
		"started_at":"2026-03-08T10:00:00Z","mitigated_at":"2026-03-08T11:00:00Z","resolved_at":"2026-03-08T12:00:00Z",
		"public":true,"public_title":"API errors","public_impact":"major_outage",
		"public_summary":"Some **requests** failed. <script>alert(1)</script>"}`)
	mustDo(t, h, http.StatusCreated, "PUT", "/api/v1/incidents/INC-1/rca", `{"sections":[
		{"key":"what","title":"What happened","audience":"public","body":"PUBLIC-SECTION-TEXT: a disk filled up.\n\n<img src=x onerror=alert(2)> [x](javascript:alert(3))"},
		{"key":"cs","title":"For account managers","audience":"customer_success","body":"CS-SECTION-TEXT"},
		{"key":"why","title":"Root causes","audience":"internal","body":"INTERNAL-SECTION-TEXT"}]}`)
	mustDo(t, h, http.StatusOK, "POST", "/api/v1/incidents/INC-1/rca/submit", `{"reviewers":["ana"],"version":1}`)
	approve := httptest.NewRequest("POST", "/api/v1/incidents/INC-1/rca/approve", strings.NewReader(`{"version":2}`))
	approve.Header.Set("X-User", "ana")
	if rec := httptest.NewRecorder(); func() bool { h.ServeHTTP(rec, approve); return rec.Code != http.StatusOK }() {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body)
	}
	mustDo(t, h, http.StatusOK, "POST", "/api/v1/incidents/INC-1/rca/publish", `{"version":2}`)
	// INC-2: restricted. INC-3: internal, not public (a draft public text).
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"RESTRICTED-TITLE","visibility":"restricted",
		"restricted_to":["security"],"services":["api"],"public_title":"RESTRICTED-PUBLIC-TITLE","public_impact":"major_outage"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"PRIVATE-TITLE","services":["web"],
		"public_title":"PRIVATE-PUBLIC-TITLE","public_impact":"major_outage","started_at":"2026-03-10T00:00:00Z"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-3/updates", `{"status":"investigating","body":"PRIVATE-UPDATE"}`)
	// INC-4: open, degraded website, with an update and an ETA.
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"web slow","services":["web"],
		"started_at":"2026-03-10T11:00:00Z","public":true,"public_title":"Slow website","public_impact":"degraded"}`)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents/INC-4/updates",
		`{"status":"identified","body":"A cache node is *slow*.","eta":"2026-03-10T14:00:00Z"}`)
	return h
}

// publicPathOf reads an incident's public_path through the API.
func publicPathOf(t *testing.T, h http.Handler, key string) string {
	t.Helper()
	var inc struct {
		PublicPath string `json:"public_path"`
	}
	decodeTestJSON(t, mustDo(t, h, http.StatusOK, "GET", "/api/v1/incidents/"+key, ""), &inc)
	if !strings.HasPrefix(inc.PublicPath, "/status/incidents/") || strings.Contains(inc.PublicPath, "INC") {
		t.Fatalf("%s public_path = %q", key, inc.PublicPath)
	}
	return inc.PublicPath
}

func TestAPI_StatusPage(t *testing.T) {
	for _, dialect := range testDialects {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			h := newStatusFixture(t, dialect, Deps{PublicURL: "https://status.example.com"})
			inc1, inc2, inc3, inc4 := publicPathOf(t, h, "INC-1"), publicPathOf(t, h, "INC-2"), publicPathOf(t, h, "INC-3"), publicPathOf(t, h, "INC-4")
			html := map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "public, max-age=30"}
			runScenarios(t, h, []scenario{
				{
					name: "front page", method: "GET", url: "/status", wantStatus: http.StatusOK, wantHeaders: html,
					wantContains: []string{"<title>Service status</title>", "Degraded performance — 1 active incident",
						"Slow website", "A cache node is <em>slow</em>.", "Identified", "Next update or fix expected 10 Mar 2026 14:00 UTC",
						"Public API", "REST and webhooks", "Website", "API errors",
						// 1 h of major outage: 1 − 1/720 over 30 days, 1 − 1/2160 over 90.
						"<strong>99.861%</strong> over 30 days", "<strong>99.954%</strong> over 90 days",
						`title="Sun 8 Mar 2026: Major outage, 95.833% available"`, "Last 90 days: Sun 8 Mar 2026: Major outage, 95.833% available.", `href="` + inc4 + `"`, `href="` + inc1 + `"`},
					notContains: statusSecrets,
				},
				{
					name: "public incident with its report", method: "GET", url: inc1, wantStatus: http.StatusOK,
					wantContains: []string{"<h1>API errors</h1>", "Major outage", "Resolved", "Affected: Public API",
						"Some <strong>requests</strong> failed.", "Post-incident report", "What happened", "<p>PUBLIC-SECTION-TEXT: a disk filled up.</p>",
						"8 Mar 2026 10:00 UTC", "8 Mar 2026 11:00 UTC", "No updates posted."},
					notContains: statusSecrets,
				},
				{
					name: "open incident with its updates", method: "GET", url: inc4, wantStatus: http.StatusOK,
					wantContains: []string{"Slow website", "Ongoing", "A cache node is <em>slow</em>.", "Affected: Website"},
					notContains:  append([]string{"Post-incident report"}, statusSecrets...),
				},
				{name: "restricted incident", method: "GET", url: inc2, wantStatus: http.StatusNotFound,
					wantContains: []string{"There is no such incident on this page."}, notContains: statusSecrets},
				{name: "non-public incident", method: "GET", url: inc3, wantStatus: http.StatusNotFound,
					wantContains: []string{"There is no such incident on this page."}, notContains: statusSecrets},
				{name: "missing incident", method: "GET", url: "/status/incidents/aaaaaaaaaaaaaaaa", wantStatus: http.StatusNotFound,
					wantContains: []string{"There is no such incident on this page."}},
				{name: "a key is no public name", method: "GET", url: "/status/incidents/INC-1", wantStatus: http.StatusNotFound,
					wantContains: []string{"There is no such incident on this page."}},
				{name: "not a key", method: "GET", url: "/status/incidents/1", wantStatus: http.StatusNotFound},
				{
					name: "history", method: "GET", url: "/status/history", wantStatus: http.StatusOK,
					wantContains: []string{"<h2>March 2026</h2>", "API errors", "Slow website", "Public API"},
					notContains:  statusSecrets,
				},
				{name: "history page past the end", method: "GET", url: "/status/history?page=9", wantStatus: http.StatusOK,
					wantContains: []string{"No incidents reported."}},
				{name: "history bad page", method: "GET", url: "/status/history?page=zero", wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"page":"must be a whole number from 1"`}},
				{name: "HEAD", method: "HEAD", url: "/status", wantStatus: http.StatusOK, wantHeaders: html},
				{name: "stylesheet", method: "GET", url: "/status/status.css", wantStatus: http.StatusOK,
					wantHeaders: map[string]string{"Content-Type": "text/css; charset=utf-8"}, wantContains: []string{".banner"}},
				{name: "restricting a public incident is refused", method: "PATCH", url: "/api/v1/incidents/INC-1",
					body: `{"visibility":"restricted","restricted_to":["security"]}`, wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"public":"a restricted incident cannot be public"`}},
				{name: "publishing a restricted incident is refused", method: "PATCH", url: "/api/v1/incidents/INC-2",
					body: `{"public":true}`, wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"public":"a restricted incident cannot be public"`}},
				{name: "public needs a title and an impact", method: "POST", url: "/api/v1/incidents",
					body: `{"title":"x","public":true}`, wantStatus: http.StatusUnprocessableEntity,
					wantContains: []string{`"public_title":"is required when the incident is public"`, `"public_impact":"is required`}},
			})

			rec := do(t, h, "GET", "/status/feed.atom", "")
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
				t.Fatalf("feed: %d %s", rec.Code, rec.Header())
			}
			var feed struct {
				XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
				ID      string   `xml:"id"`
				Updated string   `xml:"updated"`
				Entries []struct {
					ID      string `xml:"id"`
					Title   string `xml:"title"`
					Updated string `xml:"updated"`
					Link    struct {
						Href string `xml:"href,attr"`
					} `xml:"link"`
					Content struct {
						Type string `xml:"type,attr"`
						Body string `xml:",chardata"`
					} `xml:"content"`
				} `xml:"entry"`
			}
			body := rec.Body.String()
			if err := xml.Unmarshal([]byte(body), &feed); err != nil {
				t.Fatalf("feed does not parse: %v\n%s", err, body)
			}
			if feed.ID != "https://status.example.com/status" || len(feed.Entries) != 2 {
				t.Fatalf("feed = %+v", feed)
			}
			up, report := feed.Entries[0], feed.Entries[1]
			if up.Title != "Identified: Slow website" || up.Link.Href != "https://status.example.com"+inc4 ||
				up.ID != "https://status.example.com"+inc4+"#update-2" || up.Content.Type != "html" ||
				!strings.Contains(up.Content.Body, "<em>slow</em>") || up.Updated != "2026-03-10T12:00:00Z" || feed.Updated != up.Updated {
				t.Errorf("update entry = %+v", up)
			}
			if report.Title != "Post-incident report: API errors" || !strings.Contains(report.Content.Body, "<strong>requests</strong>") {
				t.Errorf("report entry = %+v", report)
			}
			for _, s := range statusSecrets {
				if strings.Contains(body, s) || strings.Contains(strings.ReplaceAll(body, "&lt;", "<"), s) {
					t.Errorf("feed contains %q:\n%s", s, body)
				}
			}

			// Unpublishing takes an incident, its updates and its feed entries off the page.
			mustDo(t, h, http.StatusOK, "PATCH", "/api/v1/incidents/INC-4", `{"public":false}`)
			runScenarios(t, h, []scenario{
				{name: "unpublished gone from the front page", method: "GET", url: "/status", wantStatus: http.StatusOK,
					wantContains: []string{"All systems operational", "API errors"}, notContains: []string{"Slow website", "cache node"}},
				{name: "unpublished gone from the feed", method: "GET", url: "/status/feed.atom", wantStatus: http.StatusOK,
					wantContains: []string{"Post-incident report: API errors"}, notContains: []string{"Slow website", "cache node"}},
				{name: "unpublished answers 404", method: "GET", url: inc4, wantStatus: http.StatusNotFound},
			})
			// Restricting needs unpublishing in the same request.
			mustDo(t, h, http.StatusOK, "PATCH", "/api/v1/incidents/INC-1", `{"visibility":"restricted","restricted_to":["security"],"public":false}`)
			(scenario{method: "GET", url: "/status", wantStatus: http.StatusOK, wantContains: []string{"No incidents reported."},
				notContains: []string{"API errors"}}).run(t, h)
		})
	}
}

// TestAPI_StatusPageSignedOut: the page needs no sign-in, while the API
// next to it does.
func TestAPI_StatusPageSignedOut(t *testing.T) {
	e := newAuthEnv(t, "sqlite")
	for _, url := range []string{"/status", "/status/history", "/status/feed.atom", "/status/status.css"} {
		if rec := do(t, e.h, "GET", url, ""); rec.Code != http.StatusOK {
			t.Errorf("GET %s signed out: %d %s", url, rec.Code, rec.Body)
		}
	}
	if rec := do(t, e.h, "GET", "/status/incidents/INC-1", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown incident signed out: %d", rec.Code)
	}
	if rec := do(t, e.h, "GET", "/api/v1/incidents/INC-1/updates", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("updates API signed out: %d", rec.Code)
	}
}

// TestAPI_StatusPageOff: HINDSIGHT_STATUS_PAGE=off answers 404 everywhere
// under /status (not the browser UI), and the title is configurable.
func TestAPI_StatusPageOff(t *testing.T) {
	ui := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("the UI")) })
	off := newStatusFixture(t, "sqlite", Deps{Status: StatusDeps{Off: true}, UI: ui})
	for _, url := range []string{"/status", "/status/incidents/INC-1", "/status/history", "/status/feed.atom", "/status/status.css"} {
		rec := do(t, off, "GET", url, "")
		if rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), "API errors") || strings.Contains(rec.Body.String(), "the UI") {
			t.Errorf("GET %s with the page off: %d %s", url, rec.Code, rec.Body)
		}
	}
	on := New(Deps{testIdentity: testUser, Service: newTestService(t), Status: StatusDeps{Title: "Acme <status>"}})
	(scenario{method: "GET", url: "/status", wantStatus: http.StatusOK,
		wantContains: []string{"<title>Acme &lt;status&gt;</title>", "All systems operational", "No incidents reported.",
			"Updated 10 Mar 2026 12:00 UTC"}}).run(t, on)
	(scenario{method: "GET", url: "/status/feed.atom", wantStatus: http.StatusOK,
		wantContains: []string{"<updated>2026-03-10T12:00:00Z</updated>", "<title>Acme &lt;status&gt;</title>"}, notContains: []string{"<entry>"}}).run(t, on)
}

// TestAPI_IncidentUpdates covers the customer-update endpoints.
func TestAPI_IncidentUpdates(t *testing.T) {
	h := newTestHandler(t)
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"x"}`)
	runScenarios(t, h, []scenario{
		{name: "post", method: "POST", url: "/api/v1/incidents/INC-1/updates", headers: map[string]string{"X-User": "ed"},
			body: `{"status":"investigating","body":"Looking.","eta":"2026-03-10T13:00:00+01:00"}`, wantStatus: http.StatusCreated,
			wantContains: []string{`"id":1`, `"status":"investigating"`, `"eta":"2026-03-10T12:00:00Z"`, `"posted_at":"2026-03-10T12:00:00Z"`, `"author":"ed"`}},
		{name: "post backdated", method: "POST", url: "/api/v1/incidents/INC-1/updates",
			body: `{"status":"identified","body":"Found it.","posted_at":"2026-03-10T11:00:00Z"}`, wantStatus: http.StatusCreated},
		{name: "bad status and no body", method: "POST", url: "/api/v1/incidents/INC-1/updates", body: `{"status":"fixed"}`,
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`"status":"must be one of investigating, identified, monitoring, resolved"`, `"body":"is required"`}},
		{name: "posted in the future", method: "POST", url: "/api/v1/incidents/INC-1/updates",
			body: `{"status":"resolved","body":"x","posted_at":"2026-03-10T13:00:00Z"}`, wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"posted_at":"must not be in the future"`}},
		{name: "ETA before the update", method: "POST", url: "/api/v1/incidents/INC-1/updates",
			body: `{"status":"monitoring","body":"x","eta":"0001-01-01T00:00:00Z"}`, wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"eta":"must not be before the update is posted (2026-03-10T12:00:00Z)"`}},
		{name: "ETA years out", method: "POST", url: "/api/v1/incidents/INC-1/updates",
			body: `{"status":"monitoring","body":"x","eta":"9999-12-31T23:59:59Z"}`, wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"eta":"must be within a year of the update"`}},
		{name: "impact window in the future", method: "PATCH", url: "/api/v1/incidents/INC-1",
			body: `{"impact_started_at":"2026-03-10T11:00:00Z","impact_ended_at":"2027-03-10T11:00:00Z"}`, wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"impact_ended_at":"must not be in the future"`}},
		{name: "unknown field", method: "POST", url: "/api/v1/incidents/INC-1/updates", body: `{"status":"resolved","body":"x","when":"now"}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"when":"unknown field"`}},
		{name: "list newest first", method: "GET", url: "/api/v1/incidents/INC-1/updates", wantStatus: http.StatusOK,
			wantContains: []string{`{"items":[{"id":1,`, `},{"id":2,`}},
		{name: "missing incident", method: "GET", url: "/api/v1/incidents/INC-9/updates", wantStatus: http.StatusNotFound},
		{name: "delete", method: "DELETE", url: "/api/v1/incidents/INC-1/updates/1", wantStatus: http.StatusNoContent},
		{name: "delete again", method: "DELETE", url: "/api/v1/incidents/INC-1/updates/1", wantStatus: http.StatusNotFound,
			wantContains: []string{`"code":"incident_update_not_found"`}},
		{name: "audited", method: "GET", url: "/api/v1/audit?action=incident_update.", wantStatus: http.StatusOK,
			wantContains: []string{`"action":"incident_update.delete"`, `Looking.`, `"action":"incident_update.create"`}},
		{name: "public_path is read-only", method: "PATCH", url: "/api/v1/incidents/INC-1", body: `{"public_path":"/x","title":"y"}`,
			wantStatus: http.StatusOK, wantContains: []string{`"title":"y"`, `"public_path":"/status/incidents/`}, notContains: []string{`"public_path":"/x"`}},
		{name: "services validation", method: "PUT", url: "/api/v1/status/services",
			body: `{"services":[{"name":"api"},{"name":"API"}]}`, wantStatus: http.StatusUnprocessableEntity,
			wantContains: []string{`"services[1].name":"repeats services[0].name"`}},
		{name: "services need the list", method: "PUT", url: "/api/v1/status/services", body: `{}`,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"services":"is required`}},
		{name: "services", method: "PUT", url: "/api/v1/status/services", body: `{"services":[{"name":" api "}]}`,
			wantStatus: http.StatusOK, wantContains: []string{`{"services":[{"name":"api","display_name":"api","description":""}]}`}},
		{name: "services audited", method: "GET", url: "/api/v1/audit?action=status_services.", wantStatus: http.StatusOK,
			wantContains: []string{`"action":"status_services.update"`}},
	})
}

// TestAPI_StatusPageCache: with a cache TTL a server answers from what it
// rendered until the TTL passes, per page and per link base (the feed's
// links are absolute); the API is never cached.
func TestAPI_StatusPageCache(t *testing.T) {
	h := newStatusFixture(t, "sqlite", Deps{Status: StatusDeps{CacheTTL: time.Hour}})
	inc1, inc4 := publicPathOf(t, h, "INC-1"), publicPathOf(t, h, "INC-4")
	first := mustDo(t, h, http.StatusOK, "GET", "/status", "")
	if !strings.Contains(first, "Slow website") {
		t.Fatalf("first render: %s", first)
	}
	mustDo(t, h, http.StatusOK, "PATCH", "/api/v1/incidents/INC-4", `{"public":false}`)
	rec := do(t, h, "GET", "/status", "")
	if rec.Body.String() != first || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" || rec.Header().Get("Cache-Control") != "public, max-age=30" {
		t.Errorf("within the TTL the page must come from the cache: %s %s", rec.Header(), rec.Body)
	}
	// Another page is rendered now, from the database as it is.
	if body := mustDo(t, h, http.StatusOK, "GET", "/status/history", ""); strings.Contains(body, "Slow website") {
		t.Errorf("history rendered after the change still lists the unpublished incident")
	}
	if rec := do(t, h, "GET", inc4, ""); rec.Code != http.StatusNotFound {
		t.Errorf("uncached incident page = %d", rec.Code)
	}
	// Without HINDSIGHT_PUBLIC_URL the feed's links are relative and its ids
	// URNs: a forged Host or X-Forwarded-Host never lands in a cached answer.
	req := httptest.NewRequest("GET", "/status/feed.atom", nil)
	req.Host = "evil.example"
	req.Header.Set("X-Forwarded-Host", "evil2.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	if strings.Contains(body, "evil") || !strings.Contains(body, `<id>urn:hindsight:status</id>`) ||
		!strings.Contains(body, `href="`+inc1+`"`) || !strings.Contains(body, `<id>urn:hindsight:status:incidents:`+strings.TrimPrefix(inc1, "/status/incidents/")+`:report</id>`) {
		t.Errorf("feed without a public URL:\n%s", body)
	}
}

// TestAPI_StatusPageWithoutSession: a signed-in reader's session cookie is
// never sent with a status page (its answers say Cache-Control: public),
// while the API next to it still sees the session.
func TestAPI_StatusPageWithoutSession(t *testing.T) {
	e := newAuthEnv(t, "sqlite")
	e.user(t, "ida@example.com", incident.RoleEditor)
	c := &cred{cookie: e.login(t, "ida@example.com")}
	for _, url := range []string{"/status", "/status/history", "/status/feed.atom", "/status/incidents/INC-1", "/status/status.css"} {
		rec := e.send(c, "GET", url, "")
		if sc := rec.Header().Values("Set-Cookie"); len(sc) > 0 {
			t.Errorf("GET %s signed in sets cookies %v with Cache-Control %q", url, sc, rec.Header().Get("Cache-Control"))
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
			t.Errorf("GET %s: Cache-Control %q", url, cc)
		}
	}
	if rec := e.send(c, "GET", "/api/v1/auth/me", ""); rec.Code != http.StatusOK {
		t.Errorf("the session still works on the API: %d", rec.Code)
	}
}
