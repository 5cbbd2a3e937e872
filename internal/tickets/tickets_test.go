package tickets_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/tickets"
	"github.com/hindsightrca/hindsight/internal/tickets/ticketstest"
)

// vendor is one tracker under test: its fake, a client for it, and the
// fake's names for closing a ticket done and won't do.
type vendor struct {
	name         string
	fake         *ticketstest.Fake
	client       tickets.Client
	badAuth      tickets.Client // same tracker, wrong credentials
	noTarget     tickets.Client // same tracker, nowhere to create
	fakeKey      func(tickets.Ref) string
	openStatus   string
	closeStatus  string
	doneRes      string
	wontDoRes    string
	wantCreate   string // in the error of a create the tracker refuses
	wantNotFound string // in the error of a missing ticket
	missingKey   string
}

func vendors(t *testing.T) []vendor {
	jira := ticketstest.Jira(t, "bot@example.com", "jira-token-1", "OPS")
	redmine := ticketstest.Redmine(t, "redmine-key-1", "ops")
	bugzilla := ticketstest.Bugzilla(t, "bz-key-1", "Ops")
	mantis := ticketstest.Mantis(t, "mantis-token-1", 3)
	github := ticketstest.GitHub(t, "gh-token-1", "acme/ops")
	same := func(r tickets.Ref) string { return r.Key }
	return []vendor{
		{
			name: "jira", fake: jira,
			client:   tickets.NewJira(tickets.JiraConfig{URL: jira.URL(), User: "bot@example.com", Token: "jira-token-1", Project: "OPS"}),
			badAuth:  tickets.NewJira(tickets.JiraConfig{URL: jira.URL(), User: "bot@example.com", Token: "wrong-token", Project: "OPS"}),
			noTarget: tickets.NewJira(tickets.JiraConfig{URL: jira.URL(), User: "bot@example.com", Token: "jira-token-1", Project: "NOPE"}),
			fakeKey:  same, openStatus: "To Do", closeStatus: "Done", doneRes: "Done", wontDoRes: "Won't Do",
			wantCreate: "jira: POST /rest/api/2/issue: 400 Bad Request: project: valid project is required", wantNotFound: "issue OPS-999 not found", missingKey: "OPS-999",
		},
		{
			name: "redmine", fake: redmine,
			client:   tickets.NewRedmine(tickets.RedmineConfig{URL: redmine.URL(), Key: "redmine-key-1", Project: "ops"}),
			badAuth:  tickets.NewRedmine(tickets.RedmineConfig{URL: redmine.URL(), Key: "wrong-key", Project: "ops"}),
			noTarget: tickets.NewRedmine(tickets.RedmineConfig{URL: redmine.URL(), Key: "redmine-key-1", Project: "7"}),
			fakeKey:  same, openStatus: "New", closeStatus: "Closed", doneRes: "", wontDoRes: "",
			wantCreate: "redmine: POST /issues.json: 422 Unprocessable Entity: Project cannot be blank", wantNotFound: "issue #999 not found", missingKey: "999",
		},
		{
			name: "bugzilla", fake: bugzilla,
			client:   tickets.NewBugzilla(tickets.BugzillaConfig{URL: bugzilla.URL(), Key: "bz-key-1", Product: "Ops", Component: "General"}),
			badAuth:  tickets.NewBugzilla(tickets.BugzillaConfig{URL: bugzilla.URL(), Key: "wrong-key", Product: "Ops", Component: "General"}),
			noTarget: tickets.NewBugzilla(tickets.BugzillaConfig{URL: bugzilla.URL(), Key: "bz-key-1", Product: "Nope", Component: "General"}),
			fakeKey:  same, openStatus: "CONFIRMED", closeStatus: "RESOLVED", doneRes: "FIXED", wontDoRes: "WONTFIX",
			wantCreate: "bugzilla: POST /rest/bug: 400 Bad Request: There is no product named 'Nope'.", wantNotFound: "bug 999 not found", missingKey: "999",
		},
		{
			name: "mantis", fake: mantis,
			client:   tickets.NewMantis(tickets.MantisConfig{URL: mantis.URL(), Token: "mantis-token-1", Project: "3"}),
			badAuth:  tickets.NewMantis(tickets.MantisConfig{URL: mantis.URL(), Token: "wrong-token", Project: "3"}),
			noTarget: tickets.NewMantis(tickets.MantisConfig{URL: mantis.URL(), Token: "mantis-token-1", Project: "9"}),
			fakeKey:  same, openStatus: "new", closeStatus: "resolved", doneRes: "fixed", wontDoRes: "won't fix",
			wantCreate: "mantis: POST /api/rest/issues: 404 Not Found: project 9 not found (Project '9' not found)", wantNotFound: "issue 999 not found", missingKey: "999",
		},
		{
			name: "github", fake: github,
			client:     tickets.NewGitHub(tickets.GitHubConfig{APIURL: github.URL(), Token: "gh-token-1", Repo: "acme/ops"}),
			badAuth:    tickets.NewGitHub(tickets.GitHubConfig{APIURL: github.URL(), Token: "wrong-token", Repo: "acme/ops"}),
			noTarget:   tickets.NewGitHub(tickets.GitHubConfig{APIURL: github.URL(), Token: "gh-token-1", Repo: "acme/nope"}),
			fakeKey:    func(r tickets.Ref) string { return strings.TrimPrefix(r.Key, "acme/ops#") },
			openStatus: "open", closeStatus: "closed", doneRes: "completed", wontDoRes: "not_planned",
			wantCreate: "github: POST /repos/acme/nope/issues: 404 Not Found: repository acme/nope not found (Not Found)", wantNotFound: "issue acme/ops#999 not found", missingKey: "acme/ops#999",
		},
	}
}

func TestClients_CreateAndStatus(t *testing.T) {
	ctx := context.Background()
	closedAt := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	for _, v := range vendors(t) {
		t.Run(v.name, func(t *testing.T) {
			if !v.client.CanCreate() || v.client.System() != v.name {
				t.Fatalf("CanCreate=%v System=%q", v.client.CanCreate(), v.client.System())
			}
			ref, err := v.client.Create(ctx, tickets.Ticket{Title: "Add a retry budget to checkout", Description: "From INC-7: https://h.example/incidents/INC-7", Labels: []string{"hindsight"}})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if ref.Key == "" || !strings.HasPrefix(ref.URL, "http") {
				t.Fatalf("ref = %+v", ref)
			}
			is, ok := v.fake.Issue(v.fakeKey(ref))
			if !ok || is.Title != "Add a retry budget to checkout" || !strings.Contains(is.Description, "INC-7") {
				t.Fatalf("the tracker holds %+v (found %v)", is, ok)
			}

			r, err := v.client.Status(ctx, ref.Key)
			if err != nil {
				t.Fatalf("status: %v", err)
			}
			if r.Closed || r.ClosedAt != nil || !strings.Contains(r.Status, v.openStatus) {
				t.Fatalf("open ticket read as %+v", r)
			}

			v.fake.Close(v.fakeKey(ref), v.closeStatus, v.doneRes, closedAt)
			r, err = v.client.Status(ctx, ref.Key)
			if err != nil {
				t.Fatalf("status: %v", err)
			}
			if !r.Closed || r.WontDo || r.ClosedAt == nil || !r.ClosedAt.Equal(closedAt) {
				t.Fatalf("closed ticket read as %+v (closed at %v)", r, r.ClosedAt)
			}

			v.fake.Reopen(v.fakeKey(ref), v.openStatus)
			if r, err = v.client.Status(ctx, ref.Key); err != nil || r.Closed {
				t.Fatalf("reopened ticket read as %+v, %v", r, err)
			}
		})
	}
}

func TestClients_WontDo(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	for _, v := range vendors(t) {
		t.Run(v.name, func(t *testing.T) {
			ref, err := v.client.Create(ctx, tickets.Ticket{Title: "Dedupe alerts"})
			if err != nil {
				t.Fatal(err)
			}
			status, res := v.closeStatus, v.wontDoRes
			if v.name == "redmine" {
				status = "Rejected" // Redmine says it with a closed status of its own
			}
			v.fake.Close(v.fakeKey(ref), status, res, at)
			r, err := v.client.Status(ctx, ref.Key)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Closed || !r.WontDo || r.ClosedAt == nil || !r.ClosedAt.Equal(at) {
				t.Fatalf("won't-do ticket read as %+v", r)
			}
		})
	}
}

func TestClients_Errors(t *testing.T) {
	ctx := context.Background()
	for _, v := range vendors(t) {
		t.Run(v.name, func(t *testing.T) {
			_, err := v.noTarget.Create(ctx, tickets.Ticket{Title: "x"})
			if err == nil || err.Error() != v.wantCreate {
				t.Errorf("refused create: got %v\n want %s", err, v.wantCreate)
			}
			var se *tickets.StatusError
			if !errors.As(err, &se) {
				t.Errorf("refused create is not a *StatusError: %T", err)
			}

			_, err = v.client.Status(ctx, v.missingKey)
			if err == nil || !strings.Contains(err.Error(), v.wantNotFound) {
				t.Errorf("missing ticket: got %v, want it to say %q", err, v.wantNotFound)
			}

			_, err = v.badAuth.Status(ctx, v.missingKey)
			if err == nil || strings.Contains(err.Error(), "wrong-") {
				t.Errorf("bad credentials: got %v (must fail, without the secret)", err)
			}

			v.fake.FailNext(1, "database is down")
			_, err = v.client.Status(ctx, v.missingKey)
			if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error: database is down") || strings.Contains(err.Error(), "?") {
				t.Errorf("server error: got %v (want the status and message, and no query string)", err)
			}
		})
	}
}

func TestClients_NoTarget(t *testing.T) {
	cs := []tickets.Client{
		tickets.NewJira(tickets.JiraConfig{URL: "https://jira.example"}),
		tickets.NewRedmine(tickets.RedmineConfig{URL: "https://redmine.example"}),
		tickets.NewBugzilla(tickets.BugzillaConfig{URL: "https://bz.example", Product: "Ops"}),
		tickets.NewMantis(tickets.MantisConfig{URL: "https://mantis.example"}),
		tickets.NewGitHub(tickets.GitHubConfig{}),
	}
	for _, c := range cs {
		t.Run(c.System(), func(t *testing.T) {
			if c.CanCreate() {
				t.Fatal("CanCreate without a target")
			}
			if _, err := c.Create(context.Background(), tickets.Ticket{Title: "x"}); !errors.Is(err, tickets.ErrCannotCreate) {
				t.Fatalf("create: %v", err)
			}
		})
	}
}

func TestClients_URL(t *testing.T) {
	tests := []struct {
		name string
		c    tickets.Client
		key  string
		want string
	}{
		{"jira", tickets.NewJira(tickets.JiraConfig{URL: "https://acme.atlassian.net/"}), "OPS-7", "https://acme.atlassian.net/browse/OPS-7"},
		{"redmine", tickets.NewRedmine(tickets.RedmineConfig{URL: "https://r.example/redmine"}), "#42", "https://r.example/redmine/issues/42"},
		{"bugzilla", tickets.NewBugzilla(tickets.BugzillaConfig{URL: "https://bz.example"}), "1234", "https://bz.example/show_bug.cgi?id=1234"},
		{"mantis", tickets.NewMantis(tickets.MantisConfig{URL: "https://m.example"}), "12", "https://m.example/view.php?id=12"},
		{"github.com", tickets.NewGitHub(tickets.GitHubConfig{Repo: "acme/ops"}), "7", "https://github.com/acme/ops/issues/7"},
		{"github enterprise", tickets.NewGitHub(tickets.GitHubConfig{APIURL: "https://ghe.example/api/v3", Repo: "acme/web"}), "acme/web#9", "https://ghe.example/acme/web/issues/9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.URL(tt.key); got != tt.want {
				t.Fatalf("URL(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestClients_BadKeys(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		c    tickets.Client
		key  string
	}{
		{"redmine", tickets.NewRedmine(tickets.RedmineConfig{URL: "http://127.0.0.1:1"}), "abc"},
		{"bugzilla", tickets.NewBugzilla(tickets.BugzillaConfig{URL: "http://127.0.0.1:1"}), "x1"},
		{"mantis", tickets.NewMantis(tickets.MantisConfig{URL: "http://127.0.0.1:1"}), "#"},
		{"github without repository", tickets.NewGitHub(tickets.GitHubConfig{APIURL: "http://127.0.0.1:1"}), "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.c.Status(ctx, tt.key); err == nil || !strings.Contains(err.Error(), "not") {
				t.Fatalf("Status(%q): %v", tt.key, err)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	r := tickets.NewRegistry(tickets.NewGitHub(tickets.GitHubConfig{}), nil, tickets.NewJira(tickets.JiraConfig{}))
	if got := strings.Join(r.Names(), ","); got != "github,jira" {
		t.Fatalf("Names = %s", got)
	}
	if _, ok := r.Get(" Jira "); !ok {
		t.Fatal("Get is not forgiving about case and spaces")
	}
	if _, ok := r.Get("mantis"); ok {
		t.Fatal("Get found an unconfigured system")
	}
	var none *tickets.Registry
	if _, ok := none.Get("jira"); ok || len(none.Names()) != 0 {
		t.Fatal("a nil registry has clients")
	}
}

// TestRedmine_BeforeIsClosed reads whether a status closes issues from
// /issue_statuses.json when the issue does not say (Redmine before 5.1),
// so a reopened issue whose closed_on stayed is open.
func TestRedmine_BeforeIsClosed(t *testing.T) {
	ctx := context.Background()
	fake := ticketstest.Redmine(t, "k-123", "ops")
	fake.Legacy = true
	c := tickets.NewRedmine(tickets.RedmineConfig{URL: fake.URL(), Key: "k-123", Project: "ops"})
	ref, err := c.Create(ctx, tickets.Ticket{Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		status     string
		close      bool
		wantClosed bool
		wantWontDo bool
	}{
		{"new", "New", false, false, false},
		{"resolved is not closed in Redmine", "Resolved", false, false, false},
		{"closed", "Closed", true, true, false},
		{"rejected", "Rejected", true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.close {
				fake.Close(ref.Key, tt.status, "", at)
			} else {
				fake.Reopen(ref.Key, tt.status)
			}
			r, err := c.Status(ctx, ref.Key)
			if err != nil {
				t.Fatal(err)
			}
			if r.Closed != tt.wantClosed || r.WontDo != tt.wantWontDo || r.Status != tt.status {
				t.Fatalf("read %+v", r)
			}
		})
	}
	if n := fake.Requests("GET /issue_statuses.json"); n != 1 {
		t.Fatalf("statuses read %d times, want once", n)
	}
}

// TestCaller_RateLimit sits out one short 429 and gives up on a long one.
func TestCaller_RateLimit(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		limited    int // how many answers are 429
		wantErr    string
		wantCalls  int
	}{
		{name: "one short wait", retryAfter: "0", limited: 1, wantCalls: 2},
		{name: "limited twice", retryAfter: "0", limited: 2, wantErr: "429 Too Many Requests", wantCalls: 2},
		{name: "too long to wait", retryAfter: "3600", limited: 1, wantErr: "rate limited for 1h0m0s", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if calls <= tt.limited {
					w.Header().Set("Retry-After", tt.retryAfter)
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"number":7,"state":"open","html_url":"https://github.com/acme/ops/issues/7"}`))
			}))
			defer srv.Close()
			c := tickets.NewGitHub(tickets.GitHubConfig{APIURL: srv.URL, Token: "t", Repo: "acme/ops"})
			_, err := c.Status(context.Background(), "7")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatal(err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Fatalf("%d calls, want %d", calls, tt.wantCalls)
			}
		})
	}
}

// TestGitHub_OtherRepository refuses issues outside the configured
// repository without asking GitHub (the token may read private ones).
func TestGitHub_OtherRepository(t *testing.T) {
	fake := ticketstest.GitHub(t, "gh-1234", "acme/ops")
	c := tickets.NewGitHub(tickets.GitHubConfig{APIURL: fake.URL(), Token: "gh-1234", Repo: "acme/ops"})
	_, err := c.Status(context.Background(), "other-org/private#5")
	if err == nil || !strings.Contains(err.Error(), "only issues of acme/ops") {
		t.Fatalf("other repository: %v", err)
	}
	if n := fake.Requests("GET /repos/other-org/private/issues/5"); n != 0 {
		t.Fatalf("GitHub was asked %d times", n)
	}
	if _, err := tickets.NewGitHub(tickets.GitHubConfig{APIURL: fake.URL(), Token: "gh-1234"}).Status(context.Background(), "acme/ops#1"); err == nil {
		t.Fatal("linked without a configured repository")
	}
}

// TestCaller_RedirectToAnotherHost keeps the vendor key headers on the
// tracker's host: a redirect elsewhere is refused, not followed.
func TestCaller_RedirectToAnotherHost(t *testing.T) {
	leaked := false
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("X-Redmine-API-Key") != ""
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issue":{"id":1,"status":{"name":"New","is_closed":false}}}`))
	}))
	defer other.Close()
	// 127.0.0.1 and localhost are different hosts to the client
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+r.URL.Path, http.StatusFound)
	}))
	defer redirector.Close()
	c := tickets.NewRedmine(tickets.RedmineConfig{URL: redirector.URL, Key: "secret-key"})
	_, err := c.Status(context.Background(), "1")
	if err == nil || !strings.Contains(err.Error(), "redirected to another host") || leaked {
		t.Fatalf("redirect: %v (key sent to the other host: %v)", err, leaked)
	}
}
