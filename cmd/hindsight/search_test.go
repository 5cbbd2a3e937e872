package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/api"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// searchCorpus is a handful of the real post-mortems: two BGP outages,
// three leap-second incidents and three about other things.
var searchCorpus = []string{
	"34721eea-9a6a-469f-8865-48286476cf29.md", // Cloudflare outage on June 21, 2022 (BGP)
	"a54b2ace-5fdf-452e-bdb2-cd8a48a94e56.md", // Facebook global backbone network outage (BGP)
	"5bce5ed8-a675-4b38-8825-5ec0e41e0d1b.md", // Linux kernel leap second futex timer issue (2012)
	"f4d13c23-5dca-4deb-8ddb-c4bdfc4fea4c.md", // Linux kernel leap second deadlock (2008-2009)
	"5cbc4e4d-d491-4576-a9fe-6f60ca05c9d8.md", // Leap second affected Cloudflare DNS (2017)
	"00b7f759-21f8-4767-8803-f09d863005cd.md", // Amazon SimpleDB US East disruption
	"01494547-7ee9-4169-a0c0-d921fa309d83.md", // EVE Online installer deletes boot.ini
	"018edf27-f738-448d-8c46-947cd3b6d5b0.md", // Homebrew GitHub token leak
}

// importSearchCorpus imports files (names in the corpus) into the SQLite
// database of dataDir with `hindsight import postmortems`.
func importSearchCorpus(t *testing.T, dataDir string, files ...string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(corpusDir, files[0])); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus %s is missing; CI must provide it", corpusDir)
		}
		t.Skipf("corpus %s not present", corpusDir)
	}
	lib := t.TempDir()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(corpusDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lib, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, errOut := runCLI(t, nil, "import", "postmortems", lib, "--data-dir", dataDir); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
}

// rowKey is the key of the table row whose title starts with title.
func rowKey(t *testing.T, out, title string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasPrefix(f[0], "INC-") && strings.Contains(line, title) {
			return f[0]
		}
	}
	t.Fatalf("no row titled %q in:\n%s", title, out)
	return ""
}

// rowKeys are the keys of a table's rows, in order.
func rowKeys(out string) []string {
	var keys []string
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "INC-") {
			keys = append(keys, f[0])
		}
	}
	return keys
}

var totalRe = regexp.MustCompile(`(?m)^(\d+) incidents?(, \d+ shown)? \(took [0-9.]+ ms\)$`)

// TestCLI_SearchDirect searches the data dir's index from the command line:
// built on first use, caught up with later writes, filters, paging, JSON,
// similar incidents by key and by text, and a direct reindex.
func TestCLI_SearchDirect(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	importSearchCorpus(t, data, searchCorpus[1:]...)

	code, out, errOut := runCLI(t, nil, "search", "bgp", "--data-dir", data)
	if code != 0 || !strings.Contains(errOut, "Building the search index") {
		t.Fatalf("search bgp: %d\n%s\n%s", code, out, errOut)
	}
	if keys := rowKeys(out); len(keys) != 1 || keys[0] != rowKey(t, out, "Facebook global backbone") {
		t.Fatalf("search bgp before the Cloudflare import: %v\n%s", keys, out)
	}

	// A post-mortem imported after the index was built is found without a
	// reindex: the command catches up with the change feed.
	importSearchCorpus(t, data, searchCorpus[0])
	code, out, errOut = runCLI(t, nil, "search", "bgp", "--data-dir", data)
	if code != 0 || strings.Contains(errOut, "Building the search index") {
		t.Fatalf("search bgp: %d\n%s\n%s", code, out, errOut)
	}
	rowKey(t, out, "Cloudflare outage on June 21, 2022")
	rowKey(t, out, "Facebook global backbone")
	for _, not := range []string{"leap", "Homebrew", "SimpleDB"} {
		if strings.Contains(out, not) {
			t.Errorf("search bgp lists %q:\n%s", not, out)
		}
	}
	if m := totalRe.FindStringSubmatch(out); m == nil || m[1] != "2" {
		t.Errorf("search bgp: want the line \"2 incidents (took … ms)\":\n%s", out)
	}
	// Highlights are bracketed off a terminal, and the facets are listed.
	if !strings.Contains(strings.ToLower(out), "[bgp]") || strings.Contains(out, "<mark>") || !strings.Contains(out, "\nseverity: ") {
		t.Errorf("search bgp: want a [bgp] highlight and facets:\n%s", out)
	}

	// A query starting with an exclusion goes after --.
	code, out, errOut = runCLI(t, nil, "search", "--data-dir", data, "--", "-facebook", "bgp")
	if keys := rowKeys(out); code != 0 || len(keys) != 1 || keys[0] != rowKey(t, out, "Cloudflare outage on June 21, 2022") {
		t.Errorf("search -- -facebook bgp: %d\n%s\n%s", code, out, errOut)
	}

	// A date bound that is no date is left out, and the table says so.
	code, out, errOut = runCLI(t, nil, "search", "--data-dir", data, "--", "-facebook", "bgp", "after:2020-02-30")
	if keys := rowKeys(out); code != 0 || len(keys) != 1 || !strings.Contains(out, "Note: after:2020-02-30 is not a date") {
		t.Errorf("search -- -facebook bgp after:2020-02-30: %d\n%s\n%s", code, out, errOut)
	}

	// --json is the API's answer.
	code, out, errOut = runCLI(t, nil, "search", `"leap second"`, "--json", "--data-dir", data)
	if code != 0 {
		t.Fatalf("search --json: %d\n%s", code, errOut)
	}
	var res struct {
		Items []struct {
			Key        string              `json:"key"`
			Title      string              `json:"title"`
			Highlights map[string][]string `json:"highlights"`
		} `json:"items"`
		Total      int                       `json:"total"`
		Facets     map[string][]search.Count `json:"facets"`
		NextCursor *string                   `json:"next_cursor"`
		TookMS     *float64                  `json:"took_ms"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	if res.Total != 3 || len(res.Items) != 3 || res.NextCursor == nil || res.TookMS == nil || len(res.Facets[search.FacetService]) == 0 {
		t.Fatalf("search --json: %+v\n%s", res, out)
	}
	for _, it := range res.Items {
		marked := false
		for _, frags := range it.Highlights {
			for _, f := range frags {
				marked = marked || strings.Contains(strings.ToLower(f), "<mark>leap</mark>")
			}
		}
		if !strings.Contains(strings.ToLower(it.Title), "leap second") || !marked {
			t.Errorf("search \"leap second\": %s %q highlights %v", it.Key, it.Title, it.Highlights)
		}
	}

	// Filters and sort: the kernel's two incidents, oldest first.
	code, out, errOut = runCLI(t, nil, "search", "--service", "linux kernel", "--sort", "oldest", "--data-dir", data)
	if code != 0 {
		t.Fatalf("search --service: %d\n%s", code, errOut)
	}
	deadlock, futex := rowKey(t, out, "Linux kernel leap second deadlock"), rowKey(t, out, "Linux kernel leap second futex")
	if keys := rowKeys(out); len(keys) != 2 || keys[0] != deadlock || keys[1] != futex {
		t.Errorf("search --service 'linux kernel' --sort oldest = %v, want [%s %s]\n%s", keys, deadlock, futex, out)
	}
	// The one leap-second incident since 2015 comes first (others may follow
	// when the search widens to typos), and nothing is older.
	code, out, _ = runCLI(t, nil, "search", "leap", "--after", "2015-01-01", "--data-dir", data)
	if keys := rowKeys(out); code != 0 || len(keys) == 0 || keys[0] != rowKey(t, out, "Leap second affected Cloudflare DNS") ||
		strings.Contains(out, "Linux kernel") {
		t.Errorf("search leap --after 2015-01-01: %v\n%s", keys, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 3 && strings.HasPrefix(f[0], "INC-") && f[3] < "2015-01-01" {
			t.Errorf("search --after 2015-01-01 lists %s", line)
		}
	}

	// Paging: one per page, each "more: --cursor" leads to the next, newest
	// first, until the last page prints none. (By date: a relevance cursor
	// is the search package's to test.)
	dns := rowKey(t, out, "Leap second affected Cloudflare DNS")
	cursorRe := regexp.MustCompile(`(?m)^more: --cursor (\S+)$`)
	var paged []string
	args := []string{"search", "leap", "--sort", "newest", "--limit", "1", "--data-dir", data}
	for page := 0; page < 5; page++ {
		code, out, errOut = runCLI(t, nil, args...)
		if code != 0 || len(rowKeys(out)) != 1 || !strings.Contains(out, "3 incidents, 1 shown") {
			t.Fatalf("search page %d: %d\n%s\n%s", page+1, code, out, errOut)
		}
		paged = append(paged, rowKeys(out)[0])
		m := cursorRe.FindStringSubmatch(out)
		if m == nil {
			break
		}
		args = []string{"search", "leap", "--sort", "newest", "--limit", "1", "--cursor", m[1], "--data-dir", data}
	}
	if want := []string{dns, futex, deadlock}; !slices.Equal(paged, want) {
		t.Errorf("pages of search leap --sort newest --limit 1 = %v, want %v", paged, want)
	}

	// Similar incidents of one incident: the other kernel leap-second crash,
	// with reasons and the actions' state; never the incident itself.
	code, out, errOut = runCLI(t, nil, "similar", futex, "--data-dir", data)
	if code != 0 {
		t.Fatalf("similar %s: %d\n%s", futex, code, errOut)
	}
	keys := rowKeys(out)
	if len(keys) == 0 || len(keys) > 5 || !slices.Contains(keys[:min(2, len(keys))], deadlock) || slices.Contains(keys, futex) {
		t.Errorf("similar %s = %v, want %s near the top and not itself\n%s", futex, keys, deadlock, out)
	}
	if !strings.Contains(out, "\n    - ") || !regexp.MustCompile(`\n    (\d+/\d+ actions closed|no corrective actions)`).MatchString(out) {
		t.Errorf("similar: want reasons and the actions' state under each row:\n%s", out)
	}
	code, out, _ = runCLI(t, nil, "similar", futex, "--json", "--limit", "2", "--data-dir", data)
	var sims struct {
		Items []app.SimilarIncident `json:"items"`
	}
	if err := json.Unmarshal([]byte(out), &sims); code != 0 || err != nil || len(sims.Items) == 0 || len(sims.Items) > 2 ||
		len(sims.Items[0].Reasons) == 0 || !strings.Contains(out, `"actions"`) {
		t.Errorf("similar --json: %d %v\n%s", code, err, out)
	}

	// Similar to a pasted text, given as a flag or on standard input.
	code, out, _ = runCLI(t, nil, "similar", "--text", "BGP route withdrawn: datacenter prefixes unreachable, backbone routers", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "Facebook global backbone") && !strings.Contains(out, "Cloudflare outage on June 21") {
		t.Errorf("similar --text bgp: %d\n%s", code, out)
	}
	withStdin(t, "ALERT: kernel hrtimer fired early after a leap second; CPU spinning in futex wait", func() {
		code, out, _ = runCLI(t, nil, "similar", "--text", "-", "--data-dir", data)
	})
	if code != 0 || !strings.Contains(out, "Linux kernel leap second futex") {
		t.Errorf("similar --text -: %d\n%s", code, out)
	}

	// Mistakes.
	for _, tc := range []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "bad sort", args: []string{"search", "x", "--sort", "sideways"}, wantCode: 2, want: "--sort"},
		{name: "bad date", args: []string{"search", "x", "--after", "2024-13-01"}, wantCode: 2, want: "YYYY-MM-DD"},
		{name: "similar without subject", args: []string{"similar"}, wantCode: 2, want: "--text"},
		{name: "similar both", args: []string{"similar", futex, "--text", "x"}, wantCode: 2, want: "not both"},
		{name: "similar unknown incident", args: []string{"similar", "INC-999"}, wantCode: 1, want: "not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append(tc.args, "--data-dir", data)...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.want) {
				t.Errorf("%v: %d (want %d)\n%s\n%s", tc.args, code, tc.wantCode, out, errOut)
			}
		})
	}

	// A direct reindex rebuilds from the database and says how many.
	code, out, errOut = runCLI(t, nil, "reindex", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "Indexed 8 incident(s)") || !strings.Contains(errOut, "index: 8 of 8 incidents (100%)") {
		t.Fatalf("reindex: %d\n%s\n%s", code, out, errOut)
	}
	if code, out, _ = runCLI(t, nil, "search", "bgp", "--data-dir", data); code != 0 || len(rowKeys(out)) != 2 {
		t.Errorf("search after reindex: %d\n%s", code, out)
	}
}

// TestCLI_SearchServer asks a running server: with --server, with
// HINDSIGHT_SERVER_URL, and on its data dir, whose index the server holds
// (the CLI finds the server's address in the index directory); then
// rebuilds through it.
func TestCLI_SearchServer(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	importSearchCorpus(t, data, searchCorpus...)
	base, stop := serve(t, nil, "--data-dir", data)
	defer stop()
	waitIndexReady(t, base)

	code, out, errOut := runCLI(t, tokenEnv(base), "search", "bgp", "--server", base)
	if code != 0 || len(rowKeys(out)) != 2 {
		t.Fatalf("search --server: %d\n%s\n%s", code, out, errOut)
	}
	rowKey(t, out, "Cloudflare outage on June 21, 2022")
	code, out, _ = runCLI(t, tokenEnv(base, "HINDSIGHT_SERVER_URL="+base), "search", `"leap second"`, "--json", "--limit", "2")
	var res search.Result
	if err := json.Unmarshal([]byte(out), &res); code != 0 || err != nil || res.Total != 3 || len(res.Items) != 2 || res.NextCursor == "" {
		t.Fatalf("search --json via HINDSIGHT_SERVER_URL: %d %v\n%s", code, err, out)
	}

	// On the data dir the server holds, the CLI asks the server.
	code, out, errOut = runCLI(t, tokenEnv(base), "search", "leap", "--service", "linux kernel", "--data-dir", data)
	if code != 0 || len(rowKeys(out)) != 2 || !strings.Contains(errOut, "asking the running server at "+base) {
		t.Fatalf("search on a held data dir: %d\n%s\n%s", code, out, errOut)
	}
	futex := rowKey(t, out, "Linux kernel leap second futex")
	deadlock := rowKey(t, out, "Linux kernel leap second deadlock")
	code, out, errOut = runCLI(t, tokenEnv(base), "similar", futex, "--server", base)
	if keys := rowKeys(out); code != 0 || len(keys) == 0 || !slices.Contains(keys[:min(2, len(keys))], deadlock) || slices.Contains(keys, futex) {
		t.Errorf("similar --server: %d\n%s\n%s", code, out, errOut)
	}
	withStdin(t, "BGP prefixes withdrawn; backbone unreachable", func() {
		code, out, errOut = runCLI(t, tokenEnv(base), "similar", "--text", "-", "--limit", "3", "--server", base)
	})
	if code != 0 || len(rowKeys(out)) == 0 || len(rowKeys(out)) > 3 || !strings.Contains(out, "Facebook global backbone") && !strings.Contains(out, "Cloudflare outage on June 21") {
		t.Errorf("similar --text - --server: %d\n%s\n%s", code, out, errOut)
	}

	// The API's error message is the command's.
	code, _, errOut = runCLI(t, tokenEnv(base), "similar", "INC-999", "--server", base)
	if code != 1 || !strings.Contains(errOut, "INC-999") || !strings.Contains(errOut, "incident_not_found") {
		t.Errorf("similar INC-999 --server: %d\n%s", code, errOut)
	}
	code, _, errOut = runCLI(t, tokenEnv(base), "search", "x", "--server", "ftp://nowhere")
	if code != 2 || !strings.Contains(errOut, "http(s)://") {
		t.Errorf("search --server ftp://: %d\n%s", code, errOut)
	}

	code, out, errOut = runCLI(t, tokenEnv(base), "reindex", "--server", base, "--wait")
	if code != 0 || !strings.Contains(out, "rebuilt its search index: 8 incident(s)") {
		t.Fatalf("reindex --server --wait: %d\n%s\n%s", code, out, errOut)
	}
	if st := call(t, "GET", base+"/api/v1/search/status", "", 200); st["building"] != false || st["ready"] != true {
		t.Errorf("after reindex --wait the server is still rebuilding: %v", st)
	}
	code, out, _ = runCLI(t, tokenEnv(base), "reindex", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "is rebuilding its search index") {
		t.Errorf("reindex on a held data dir: %d\n%s", code, out)
	}
	waitIndexReady(t, base)
}

// TestCLI_SearchLocked: when another process holds the index and left no
// address, the command says so; with the address of a server (the real API
// over that index) recorded beside it, the command asks that server.
func TestCLI_SearchLocked(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	importSearchCorpus(t, data, searchCorpus...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ix, err := search.Open(filepath.Join(data, "index"), search.Options{Logger: log, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	code, out, errOut := runCLI(t, nil, "search", "bgp", "--data-dir", data)
	if code != 1 || !strings.Contains(errOut, "held by another process") || !strings.Contains(errOut, "--server") {
		t.Fatalf("search on a locked index: %d\n%s\n%s", code, out, errOut)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(data, "hindsight.db"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := app.New(s, app.Options{Logger: log, Search: ix})
	done := make(chan struct{})
	go func() { defer close(done); ix.Run(ctx, a.SearchSource()) }()
	defer func() { cancel(); <-done }()
	srv := httptest.NewServer(api.New(api.Deps{Service: a, Logger: log}))
	defer srv.Close()
	u, _, err := a.CreateUser(ctx, app.NewUser{Email: "ops@example.com", Role: incident.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := a.CreateToken(ctx, app.NewToken{UserID: u.ID, Name: "cli", Scopes: []incident.Scope{incident.ScopeRead, incident.ScopeAdmin}})
	if err != nil {
		t.Fatal(err)
	}
	serverTokens.Store(srv.URL, tok)
	waitIndexReady(t, srv.URL)
	if err := os.WriteFile(filepath.Join(data, "index", serverFile), []byte(srv.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Without a token the server refuses, and the CLI says what to do.
	code, out, errOut = runCLI(t, nil, "search", "bgp", "--data-dir", data)
	if code != 1 || !strings.Contains(errOut, "needs an API token") || !strings.Contains(errOut, "HINDSIGHT_TOKEN") {
		t.Fatalf("search without a token: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, []string{"HINDSIGHT_TOKEN=hs_" + strings.Repeat("x", 40)}, "search", "bgp", "--data-dir", data)
	if code != 1 || !strings.Contains(errOut, "refused the API token") {
		t.Fatalf("search with a wrong token: %d\n%s", code, errOut)
	}
	code, out, errOut = runCLI(t, tokenEnv(srv.URL), "search", "bgp", "--data-dir", data)
	if code != 0 || len(rowKeys(out)) != 2 || !strings.Contains(errOut, "asking the running server at "+srv.URL) {
		t.Fatalf("search with a recorded server: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, tokenEnv(srv.URL), "reindex", "--wait", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "rebuilt its search index: 8 incident(s)") {
		t.Fatalf("reindex with a recorded server: %d\n%s\n%s", code, out, errOut)
	}
}

// waitIndexReady waits until the server's index has been built.
func waitIndexReady(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := call(t, "GET", base+"/api/v1/search/status", "", 200)
		if st["ready"] == true && st["building"] == false {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's index is not ready: %v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// withStdin runs fn with standard input reading text.
func withStdin(t *testing.T, text string, fn func()) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "stdin")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	old := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = old }()
	fn()
}

// TestFragmentText turns highlight fragments into terminal text.
func TestFragmentText(t *testing.T) {
	tests := []struct {
		name  string
		frag  string
		tty   bool
		width int
		want  string
	}{
		{name: "brackets off a terminal", frag: "the <mark>BGP</mark> session", width: 80, want: "the [BGP] session"},
		{name: "bold on a terminal", frag: "the <mark>BGP</mark> session", tty: true, width: 80, want: "the \x1b[1mBGP\x1b[22m session"},
		{name: "entities unescaped", frag: "Cloudflare&#39;s &lt;b&gt; &amp; <mark>DNS</mark>", width: 80, want: "Cloudflare's <b> & [DNS]"},
		{name: "escaped marks stay text", frag: "&lt;mark&gt;x&lt;/mark&gt; <mark>y</mark>", width: 80, want: "<mark>x</mark> [y]"},
		{name: "escape sequences dropped", frag: "a\x1b]0;pwned\x07b\x1b[31m <mark>c</mark>", width: 80, want: "a]0;pwnedb[31m [c]"},
		{name: "bidi override dropped", frag: "abc\u202edef", width: 80, want: "abcdef"},
		{name: "lines folded", frag: "one\n\n two\tthree", width: 80, want: "one two three"},
		{name: "cut inside a mark", frag: "abcdef <mark>ghijkl</mark> mn", width: 9, want: "abcdef [g…]"},
		{name: "cut before a mark", frag: "abcdefghij <mark>k</mark>", width: 5, want: "abcd…"},
		{name: "unclosed mark", frag: "<mark>abc", width: 80, want: "[abc]"},
		{name: "stray end", frag: "a</mark>b", width: 80, want: "a</mark>b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fragmentText(tt.frag, tt.tty, tt.width); got != tt.want {
				t.Errorf("fragmentText(%q) = %q, want %q", tt.frag, got, tt.want)
			}
		})
	}
}

func TestSearchArgs(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"search -aws config", "search -- -aws config"},
		{"search --json -aws config", "search --json -- -aws config"},
		{"search -aws --service s3 config --limit=5", "search --service s3 --limit=5 -- -aws config"},
		{"--data-dir d search -service:s3 bgp", "--data-dir d search -- -service:s3 bgp"},
		{"search --json -- -aws", "search --json -- -aws"},
		{"search bgp", "search -- bgp"},
		{"search --help", "search --help"},
		{"similar -x", "similar -x"},
	} {
		if got := strings.Join(searchArgs(strings.Fields(c.in)), " "); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
}
