package jira

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers/importertest"
)

const (
	testUser  = "ana@acme.example"
	testToken = "jira-secret-token-42"
)

// fakeJira answers like Jira Cloud's REST API v2: issue OPS-1 with one of
// two comments and one of two changelog histories on the issue page (the
// rest on the paged endpoints), a JQL search in two pages by
// nextPageToken, one 429 before the first search answer, 404 for other
// issues, 401 for a wrong token. Without search/jql (dataCenter) the old
// /search pages by startAt.
func fakeJira(t *testing.T, dataCenter bool) (*httptest.Server, *[]string) {
	var mu sync.Mutex
	var paths []string
	limited := false
	issue := func(key string, comments, histories string, total int) string {
		return fmt.Sprintf(`{"id":"1","self":"%%s/rest/api/2/issue/1","key":%q,"fields":{"summary":"Checkout down","created":"2026-03-01T10:00:00.000+0000",
			"reporter":{"displayName":"Ana Lima"},"description":"*down*","comment":{"comments":[%s],"startAt":0,"maxResults":1,"total":%d}},
			"changelog":{"startAt":0,"maxResults":1,"total":%d,"histories":[%s]}}`, key, comments, total, total, histories)
	}
	comment := func(id, at string) string {
		return fmt.Sprintf(`{"id":%q,"author":{"displayName":"Bo Chen"},"body":"c%s","created":"2026-03-01T%s:00.000+0000"}`, id, id, at)
	}
	history := func(id, at, from, to string) string {
		return fmt.Sprintf(`{"id":%q,"author":{"displayName":"Bo Chen"},"created":"2026-03-01T%s:00.000+0000","items":[{"field":"status","fromString":%q,"toString":%q}]}`, id, at, from, to)
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.URL.Path+"?"+r.URL.RawQuery)
		user, pass, ok := r.BasicAuth()
		if !ok || user != testUser || pass != testToken {
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"errorMessages":["You are not authenticated."],"errors":{}}`)
				return
			}
		}
		q := r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/rest/api/2/issue/OPS-1":
			fmt.Fprintf(w, issue("OPS-1", comment("100", "10:10"), history("200", "10:05", "To Do", "In Progress"), 2), srv.URL)
		case r.URL.Path == "/rest/api/2/issue/OPS-1/comment" && q.Get("startAt") == "1":
			fmt.Fprintf(w, `{"startAt":1,"maxResults":1,"total":2,"comments":[%s]}`, comment("101", "10:20"))
		case r.URL.Path == "/rest/api/2/issue/OPS-1/changelog" && q.Get("startAt") == "1":
			fmt.Fprintf(w, `{"startAt":1,"maxResults":1,"total":2,"isLast":true,"values":[%s]}`, history("201", "11:00", "In Progress", "Done"))
		case r.URL.Path == "/rest/api/2/search/jql" && !dataCenter:
			if !limited {
				limited = true
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			if q.Get("jql") != "project = OPS" || q.Get("fields") != "*all" && q.Get("fields") != "key" {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"errorMessages":["bad query"]}`)
				return
			}
			if q.Get("nextPageToken") == "" {
				fmt.Fprintf(w, `{"issues":[%s],"nextPageToken":"p2","isLast":false}`, fmt.Sprintf(issue("OPS-2", "", "", 0), srv.URL))
				return
			}
			fmt.Fprintf(w, `{"issues":[%s],"isLast":true}`, fmt.Sprintf(issue("OPS-3", "", "", 0), srv.URL))
		case r.URL.Path == "/rest/api/2/search" && dataCenter:
			if q.Get("startAt") == "0" {
				fmt.Fprintf(w, `{"startAt":0,"maxResults":1,"total":2,"issues":[%s]}`, fmt.Sprintf(issue("OPS-2", "", "", 0), srv.URL))
				return
			}
			fmt.Fprintf(w, `{"startAt":1,"maxResults":1,"total":2,"issues":[%s]}`, fmt.Sprintf(issue("OPS-3", "", "", 0), srv.URL))
		default:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &paths
}

func testClient(url, user, token string) *Client {
	c := NewClient(url, user, token)
	c.Retrier.Sleep = func(context.Context, time.Duration) error { return nil }
	return c
}

func TestClient_PullKeys(t *testing.T) {
	srv, _ := fakeJira(t, false)
	var r importertest.Recorder
	if err := testClient(srv.URL, testUser, testToken).Pull(context.Background(), []string{"OPS-1"}, "", &r); err != nil {
		t.Fatal(err)
	}
	importertest.Rows(t, r.Events, []row{
		{"OPS-1:created", "2026-03-01T10:00:00Z", "created", "Ana Lima", "", "", ""},
		{"OPS-1:comment:100", "2026-03-01T10:10:00Z", "comment", "Bo Chen", "", "", ""},
		{"OPS-1:comment:101", "2026-03-01T10:20:00Z", "comment", "Bo Chen", "", "", ""},
		{"OPS-1:changelog:200:status", "2026-03-01T10:05:00Z", "status", "Bo Chen", "status", "To Do", "In Progress"},
		{"OPS-1:changelog:201:status", "2026-03-01T11:00:00Z", "status", "Bo Chen", "status", "In Progress", "Done"},
	}, rowOf)
	if l := r.Events[0].Link; l != srv.URL+"/browse/OPS-1" {
		t.Errorf("link %q", l)
	}
}

func TestClient_PullJQL(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(fmt.Sprintf("dataCenter=%v", dc), func(t *testing.T) {
			srv, paths := fakeJira(t, dc)
			user := testUser
			if dc {
				user = "" // bearer personal access token
			}
			var r importertest.Recorder
			if err := testClient(srv.URL, user, testToken).Pull(context.Background(), nil, "project = OPS", &r); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range r.Events {
				ids = append(ids, e.ExternalID)
			}
			if strings.Join(ids, " ") != "OPS-2:created OPS-3:created" {
				t.Errorf("ids %v; requests %v", ids, *paths)
			}
		})
	}
}

func TestClient_Errors(t *testing.T) {
	srv, _ := fakeJira(t, false)
	tests := []struct {
		name, user, token string
		keys              []string
		jql, want         string
	}{
		{"not found", testUser, testToken, []string{"NOPE-1"}, "", "jira: GET /rest/api/2/issue/NOPE-1: 404 Issue does not exist or you do not have permission to see it.: issue NOPE-1 not found"},
		{"wrong token", testUser, "wrong-token", []string{"OPS-1"}, "", "401 You are not authenticated.: the API key was refused"},
		{"nothing asked", testUser, testToken, nil, " ", "give issue keys or a JQL query"},
		{"no site", testUser, testToken, []string{"OPS-1"}, "", "no site URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := srv.URL
			if tt.name == "no site" {
				url = ""
			}
			var r importertest.Recorder
			err := testClient(url, tt.user, tt.token).Pull(context.Background(), tt.keys, tt.jql, &r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.token) {
				t.Errorf("token in error: %v", err)
			}
		})
	}
}

func TestClient_Keys(t *testing.T) {
	for _, dc := range []bool{false, true} {
		t.Run(fmt.Sprintf("dataCenter=%v", dc), func(t *testing.T) {
			srv, paths := fakeJira(t, dc)
			keys, err := testClient(srv.URL, testUser, testToken).Keys(context.Background(), "project = OPS")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(keys, " ") != "OPS-2 OPS-3" {
				t.Errorf("keys %v; requests %v", keys, *paths)
			}
			for _, p := range *paths {
				if strings.Contains(p, "search") && (!strings.Contains(p, "fields=key") || strings.Contains(p, "expand")) {
					t.Errorf("request %s asks for more than keys", p)
				}
			}
		})
	}
}
