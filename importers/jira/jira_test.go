package jira

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// row is what the table tests compare of an event.
type row struct {
	ID, At, Subtype, Actor, Field, From, To string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{e.ExternalID, e.OccurredAt.Format(time.RFC3339), s(importers.MetaSubtype), e.Actor, s(importers.MetaField), s(importers.MetaFrom), s(importers.MetaTo)}
}

func parseFile(t *testing.T, name string, opts importers.Options) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput(filepath.Join("testdata", name)), opts, &r); err != nil {
		t.Fatal(err)
	}
	importertest.Valid(t, r.Events)
	assertNoHTML(t, r.Events)
	return &r
}

func assertNoHTML(t *testing.T, events []incident.TimelineEvent) {
	t.Helper()
	for _, e := range events {
		if html := rawHTML(e.Body); html != "" {
			t.Errorf("event %s: raw HTML %q in %q", e.ExternalID, html, e.Body)
		}
	}
}

func TestParse_IssueV2(t *testing.T) {
	r := parseFile(t, "issue_v2.json", importers.Options{})
	importertest.Rows(t, r.Events, []row{
		{"OPS-17:created", "2026-03-01T10:05:30Z", "created", "Ana Lima", "", "", ""},
		{"OPS-17:comment:10100", "2026-03-01T10:20:00Z", "comment", "Bo Chen", "", "", ""},
		{"OPS-17:comment:10101", "2026-03-01T10:30:00Z", "comment", "Carla Diaz", "", "", ""},
		{"OPS-17:worklog:10200", "2026-03-01T10:10:00Z", "worklog", "Bo Chen", "", "", ""},
		{"OPS-17:changelog:20001:assignee", "2026-03-01T10:12:00Z", "assignee", "Bo Chen", "assignee", "", "Bo Chen"},
		{"OPS-17:changelog:20001:status", "2026-03-01T10:12:00Z", "status", "Bo Chen", "status", "To Do", "In Progress"},
		{"OPS-17:changelog:20002:priority", "2026-03-01T10:15:00Z", "priority", "Ana Lima", "priority", "Medium", "High"},
		{"OPS-17:changelog:20002:Sprint", "2026-03-01T10:15:00Z", "field", "Ana Lima", "Sprint", "", "Sprint 14"},
		{"OPS-17:changelog:20003:resolution", "2026-03-01T11:40:12Z", "status", "Bo Chen", "resolution", "", "Fixed"},
		{"OPS-17:changelog:20003:status", "2026-03-01T11:40:12Z", "status", "Bo Chen", "status", "In Progress", "Done"},
	}, rowOf)
	byID := r.ByID()
	created := byID["OPS-17:created"]
	for _, want := range []string{
		"OPS-17 created: Checkout returns 502 in eu-west",
		"## Impact\nCustomers in **eu-west** see _502_ on checkout.\n- LB health checks fail\n- see [runbook](https://wiki.acme.example/runbooks/checkout)\n```bash\ncurl -sI https://shop.example/checkout\n```",
		`\<script>alert(1)\</script>`,
	} {
		if !strings.Contains(created.Body, want) {
			t.Errorf("created body lacks %q:\n%s", want, created.Body)
		}
	}
	if created.Link != "https://acme.atlassian.net/browse/OPS-17" || created.ThreadID != "OPS-17" ||
		created.Metadata["ticket_title"] != "Checkout returns 502 in eu-west" || created.Metadata["incident"] != "INC-1" ||
		created.Metadata["issue_type"] != "Incident" || created.OccurredAtText != "2026-03-01T11:05:30.123+0100" {
		t.Errorf("created = %+v", created)
	}
	if b := byID["OPS-17:comment:10100"].Body; b != "OPS-17 comment\n\n@5b10a2844c20165700ede21g rolled back `lb-config` to v41.\n> still 502 on /pay" {
		t.Errorf("comment body %q", b)
	}
	if b := byID["OPS-17:comment:10101"].Body; b != "OPS-17 comment\n\nLooks **good** now" {
		t.Errorf("null body falls back to the rendered HTML: %q", b)
	}
	if b := byID["OPS-17:worklog:10200"].Body; b != "OPS-17 work logged\n\nTime spent: 1h 30m\n\nInvestigated the LB config" {
		t.Errorf("worklog body %q", b)
	}
	if len(r.Rejects) != 0 {
		t.Errorf("rejects %+v", r.Rejects)
	}
}

func TestParse_IssueV3ADF(t *testing.T) {
	r := parseFile(t, "issue_v3.json", importers.Options{})
	importertest.Rows(t, r.Events, []row{
		{"OPS-18:created", "2026-03-01T11:50:00Z", "created", "Ana Lima", "", "", ""},
		{"OPS-18:comment:10110", "2026-03-01T11:55:00Z", "comment", "Bo Chen", "", "", ""},
		{"OPS-18:changelog:20010:status", "2026-03-01T11:56:00Z", "status", "Bo Chen", "status", "To Do", "In Progress"},
	}, rowOf)
	want := "OPS-18 created: Follow-up: alert on LB health\n\n### Why\n\n" +
		"We missed the **health check** failures, see [the dashboard](https://grafana.acme.example/d/lb)\n@Bo Chen owns it.\n\n" +
		"- add `lb_health` alert\n- _page on-call_\n\n" +
		"```yaml\nexpr: up{job=\"lb\"} == 0\n```\n\n" +
		"> \\<script>alert(1)\\</script>\n\n---\n\n" +
		"| Check | Owner |\n| --- | --- |\n| lb | sre |\n\nkept text"
	if got := r.ByID()["OPS-18:created"].Body; got != want {
		t.Errorf("ADF description:\n got %q\nwant %q", got, want)
	}
	if got := r.ByID()["OPS-18:comment:10110"].Body; got != "OPS-18 comment\n\n1. done\n2. ~~tested~~" {
		t.Errorf("ADF comment %q", got)
	}
	if u := r.ByID()["OPS-18:created"].Link; u != "https://acme.atlassian.net/browse/OPS-18" {
		t.Errorf("link %q", u)
	}
}

func TestParse_SearchAnswer(t *testing.T) {
	r := parseFile(t, "search.json", importers.Options{})
	importertest.Rows(t, r.Events, []row{
		{"SUP-3:created", "2026-03-01T10:40:00Z", "created", "Service Desk", "", "", ""},
		{"SUP-3:resolved", "2026-03-01T11:58:00Z", "status", "", "resolution", "", "Done"},
		{"SUP-4:created", "2026-03-01T00:00:00Z", "created", "", "", "", ""},
	}, rowOf)
	want := []importers.Rejection{
		{File: "testdata/search.json", Line: 1, Field: "issues[1]", Reason: "issues[1].key: missing"},
		{File: "testdata/search.json", Line: 1, Field: "issues[2].fields.comment.comments[0].created", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
	}
	if len(r.Rejects) != len(want) {
		t.Fatalf("rejects %+v", r.Rejects)
	}
	for i := range want {
		if r.Rejects[i] != want[i] {
			t.Errorf("reject %d = %+v, want %+v", i, r.Rejects[i], want[i])
		}
	}
}

func TestParse_WebhookLines(t *testing.T) {
	r := parseFile(t, "webhooks.jsonl", importers.Options{})
	importertest.Rows(t, r.Events, []row{
		{"OPS-17:created", "2026-03-01T10:05:30Z", "created", "Ana Lima", "", "", ""},
		{"OPS-17:changelog:20001:assignee", "2026-03-01T10:12:00Z", "assignee", "Bo Chen", "assignee", "", "Bo Chen"},
		{"OPS-17:changelog:20001:status", "2026-03-01T10:12:00Z", "status", "Bo Chen", "status", "To Do", "In Progress"},
		{"OPS-17:comment:10100", "2026-03-01T10:20:00Z", "comment", "Bo Chen", "", "", ""},
		{"OPS-17:comment:10100:edited:2026-03-01T10:30:00.000+0000", "2026-03-01T10:30:00Z", "comment", "Carla Diaz", "", "", ""},
		{"OPS-17:comment:10102", "2026-03-01T11:00:00Z", "comment", "Carla Diaz", "", "", ""},
		{"OPS-17:event:issuelink_created:1772363400000", "2026-03-01T11:10:00Z", "other", "Bo Chen", "", "", ""},
	}, rowOf)
	if len(r.Rejects) != 2 || r.Rejects[0].Line != 7 || r.Rejects[1].Line != 8 || !strings.Contains(r.Rejects[1].Reason, "names no issue") {
		t.Errorf("rejects %+v", r.Rejects)
	}
}

func TestParseDelivery(t *testing.T) {
	lines := strings.Split(strings.TrimSpace(string(importertest.ReadFile(t, "testdata/webhooks.jsonl"))), "\n")
	received := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		wantIDs []string
		wantErr string
	}{
		{name: "status change", body: lines[1], wantIDs: []string{"OPS-17:changelog:20001:assignee", "OPS-17:changelog:20001:status"}},
		{name: "comment", body: lines[2], wantIDs: []string{"OPS-17:comment:10100"}},
		{name: "no timestamp uses the delivery time", body: `{"webhookEvent":"jira:issue_deleted","issue":{"key":"OPS-9","fields":{}}}`, wantIDs: []string{"OPS-9:event:issue_deleted:"}},
		{name: "created without fields", body: `{"webhookEvent":"jira:issue_created","timestamp":"1772359530123","user":{"displayName":"Ana"},"issue":{"key":"OPS-9"}}`, wantIDs: []string{"OPS-9:created"}},
		{name: "worklog without issue is accepted", body: `{"timestamp":1790102915652,"webhookEvent":"worklog_created","worklog":{"id":"10066","issueId":"10014","timeSpent":"1w","started":"2026-09-21T08:16:58.108+0530"}}`},
		{name: "not json", body: lines[6], wantErr: "body: not JSON"},
		{name: "no issue", body: `{"webhookEvent":"jira:issue_updated","timestamp":1}`, wantErr: "issue: missing"},
		{name: "comment without issue is accepted", body: lines[7]},
		{name: "bad comment time", body: `{"webhookEvent":"comment_created","timestamp":1,"issue":{"key":"A-1"},"comment":{"id":"5","created":"soon"}}`, wantErr: "timestamp"},
		{name: "not a webhook", body: `{"key":"A-1"}`, wantErr: "webhookEvent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := importertest.Deliver(t, New(), importers.Delivery{Body: []byte(tt.body), ReceivedAt: received, ContentType: "application/json"})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range r.Events {
				ids = append(ids, e.ExternalID)
				if e.Kind != incident.KindTicket || e.Metadata["ticket_system"] != "jira" {
					t.Errorf("event %+v", e)
				}
			}
			if strings.Join(ids, " ") != strings.Join(tt.wantIDs, " ") {
				t.Errorf("ids %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}

func TestParse_CSV(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	r := parseFile(t, "export.csv", importers.Options{Location: berlin})
	rows := make([]row, 0, len(r.Events))
	for _, e := range r.Events {
		x := rowOf(e)
		if strings.Contains(x.ID, ":csv:") {
			x.ID = x.ID[:strings.Index(x.ID, ":csv:")+5] // the rest is a hash
		}
		rows = append(rows, x)
	}
	want := []row{
		{"OPS-17:created", "2026-03-01T10:05:00Z", "created", "Ana Lima", "", "", ""},
		{"OPS-17:resolved", "2026-03-01T11:40:00Z", "status", "", "resolution", "", "Fixed"},
		{"OPS-17:comment:csv:", "2026-03-01T10:20:00Z", "comment", "5b10ac8d82e05b22cc7d4ef5", "", "", ""},
		{"OPS-17:comment:csv:", "2026-03-01T10:30:00Z", "comment", "carla", "", "", ""},
		{"OPS-17:worklog:csv:", "2026-03-01T10:10:00Z", "worklog", "Bo Chen", "", "", ""},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("event %d: got %+v want %+v", i, rows[i], want[i])
		}
	}
	if b := r.Events[0].Body; b != "OPS-17 created: Checkout returns 502\n\n### Impact\nCustomers see **502**; \\<b>bold\\</b>" {
		t.Errorf("created body %q", b)
	}
	if b := r.Events[2].Body; b != "OPS-17 comment\n\nrolled back; still 502" {
		t.Errorf("comment body %q", b)
	}
	if r.Events[0].Metadata["incident"] != "INC-1" {
		t.Errorf("labels: %v", r.Events[0].Metadata)
	}
	want2 := []importers.Rejection{
		{File: "testdata/export.csv", Line: 4, Reason: "the row has 3 cells, the header 23"},
		{File: "testdata/export.csv", Line: 5, Field: "Created", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
		{File: "testdata/export.csv", Line: 5, Field: "Comment[1]", Reason: `want "<date>;<author>;<text>"`},
	}
	if len(r.Rejects) != len(want2) {
		t.Fatalf("rejects %+v", r.Rejects)
	}
	for i := range want2 {
		if r.Rejects[i] != want2[i] {
			t.Errorf("reject %d = %+v, want %+v", i, r.Rejects[i], want2[i])
		}
	}
	// Re-reading gives the same ids.
	again := parseFile(t, "export.csv", importers.Options{Location: berlin})
	for i := range r.Events {
		if r.Events[i].ExternalID != again.Events[i].ExternalID {
			t.Errorf("unstable id %s", r.Events[i].ExternalID)
		}
	}
}

func TestParse_BadFiles(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"empty", "", "the file is empty"},
		{"trailing comma", `{"key":"A-1","fields":{},}`, "not a JSON object: line 1"},
		{"other object", `{"foo":1}`, "not a Jira issue, search answer or webhook"},
		{"error answer", `{"errorMessages":["Issue does not exist"],"errors":{}}`, "a Jira error answer: Issue does not exist"},
		{"csv without key column", "a,b\n1,2\n", `no "Issue key" column`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("in", tt.data), importers.Options{}, &r)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "in") {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if len(r.Events) != 0 {
				t.Errorf("events %d", len(r.Events))
			}
		})
	}
}

func TestWikiToMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"headings and emphasis", "h1. Title\n*bold* and _it_ and -gone- text", "# Title\n**bold** and _it_ and ~~gone~~ text"},
		{"links", "[docs|https://x.example/a(b)] [https://y.example] [PROJ-1] [bad|javascript:alert(1)]", "[docs](https://x.example/a%28b%29) https://y.example PROJ-1 bad"},
		{"mentions", "[~jdoe] and [~accountid:123abc]", "@jdoe and @123abc"},
		{"noformat keeps markup", "{noformat}\n*not bold* <b>\n{noformat}", "```\n*not bold* <b>\n```"},
		{"code with backticks", "{code:title=x.sh|language=bash}echo ```{code}", "````bash\necho ```\n````"},
		{"nested lists", "* a\n** b\n# one\n## two", "- a\n  - b\n1. one\n  1. two"},
		{"table", "||h1||h2||\n|a|[l|https://z.example]|", "| h1 | h2 |\n| --- | --- |\n| a | [l](https://z.example) |"},
		{"quote", "{quote}\nsaid *this*\n{quote}\nbq. short", "> said **this**\n> short"},
		{"html escaped", "<script>alert(1)</script> <img src=x onerror=y>", `\<script>alert(1)\</script> \<img src=x onerror=y>`},
		{"color macro", "{color:red}alert{color}", "alert"},
		{"rule and break", "a\\\\b\n----", "a\nb\n---"},
		{"unclosed code", "{code}\nx", "```\nx\n```"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WikiToMarkdown(tt.in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestADFToMarkdown(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not json", `{`, ""},
		{"plain paragraph", `{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"hi <b>x</b>"}]}]}`, `hi \<b>x\</b>`},
		{"bad link", `{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link","attrs":{"href":"javascript:alert(1)"}}]}]}]}`, "x"},
		{"nested list", `{"type":"doc","content":[{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},{"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]}]}]}]}`, "- a\n  - b"},
		{"wrong types", `{"type":"doc","content":[{"type":"text","text":5},{"type":"heading","attrs":{"level":"9"},"content":"x"},null,"s"]}`, "5\n\n#\n\ns"},
		{"emoji and status", `{"type":"doc","content":[{"type":"paragraph","content":[{"type":"emoji","attrs":{"shortName":":fire:","text":"🔥"}},{"type":"status","attrs":{"text":"DONE"}}]}]}`, "🔥[DONE]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ADFToMarkdown([]byte(tt.in)); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// rawHTML returns the first thing outside code that reads as an HTML tag.
func rawHTML(md string) string {
	var out strings.Builder
	inFence := ""
	for _, l := range strings.Split(md, "\n") {
		t := strings.TrimLeft(l, " >")
		if inFence != "" {
			if strings.HasPrefix(t, inFence) && strings.Trim(t, "`") == "" {
				inFence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") {
			inFence = t[:len(t)-len(strings.TrimLeft(t, "`"))]
			continue
		}
		out.WriteString(stripCodeSpans(l) + "\n")
	}
	s := out.String()
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '<' && (i == 0 || s[i-1] != '\\') {
			c := s[i+1]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '/' || c == '!' || c == '?' {
				return s[i:min(len(s), i+20)]
			}
		}
	}
	return ""
}

// stripCodeSpans drops `code` spans of a line.
func stripCodeSpans(l string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(l, '`')
		if i < 0 {
			return b.String() + l
		}
		n := len(l[i:]) - len(strings.TrimLeft(l[i:], "`"))
		tick := l[i : i+n]
		j := strings.Index(l[i+n:], tick)
		if j < 0 {
			return b.String() + l
		}
		b.WriteString(l[:i])
		l = l[i+n+j+n:]
	}
}

func TestParse_HTMLStaysInert(t *testing.T) {
	data := `{"key":"A-1","self":"https://x.example/rest/api/2/issue/1","fields":{"summary":"<script>s()</script>","created":"2026-03-01T10:00:00Z","description":null,
		"worklog":{"worklogs":[{"id":"9","started":"2026-03-01T10:00:00Z","timeSpent":"<b>1h</b>","comment":"<i>x</i>"}]}},
		"renderedFields":{"description":"<p>ok</p><script>evil()</script><img src=x onerror=y>"},
		"changelog":{"histories":[{"id":"7","created":"2026-03-01T10:01:00Z","items":[{"field":"<svg onload=x>","fromString":"<b>old</b>","toString":"<script>new</script>"}]}]}}`
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.StringInput("in", data), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 3 {
		t.Fatalf("events %+v rejects %+v", r.Events, r.Rejects)
	}
	assertNoHTML(t, r.Events)
	if b := r.Events[0].Body; strings.Contains(b, "evil") || !strings.Contains(b, "ok") {
		t.Errorf("rendered description %q", b)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"webhookEvent":"jira:issue_updated"}`)
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write(body)
	good := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	tests := []struct {
		name, header, secret string
		ok                   bool
	}{
		{"good", good, "s3cret", true},
		{"wrong secret", good, "other", false},
		{"missing", "", "s3cret", false},
		{"no prefix", strings.TrimPrefix(good, "sha256="), "s3cret", false},
		{"no secret configured", good, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("X-Hub-Signature", tt.header)
			}
			err := New().VerifySignature(importers.Delivery{Header: h, Body: body}, tt.secret)
			if (err == nil) != tt.ok || err != nil && !errors.Is(err, importers.ErrBadSignature) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestParse_RestrictedCommentsStay(t *testing.T) {
	in := `{"key":"OPS-1","self":"https://acme.atlassian.net/rest/api/2/issue/1","fields":{"summary":"s","created":"2026-03-01T10:00:00.000+0000","reporter":{"displayName":"Ana"},` +
		`"comment":{"comments":[{"id":"1","author":{"displayName":"Bo"},"body":"public","created":"2026-03-01T10:05:00.000+0000"},` +
		`{"id":"2","author":{"displayName":"Bo"},"body":"admins only","created":"2026-03-01T10:06:00.000+0000","visibility":{"type":"role","value":"Administrators"}},` +
		`{"id":"3","author":{"displayName":"Bo"},"body":"internal","created":"2026-03-01T10:07:00.000+0000","jsdPublic":false}]}}}`
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.StringInput("i.json", in), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	for _, e := range r.Events {
		if strings.Contains(e.Body, "admins only") || strings.Contains(e.Body, "internal") {
			t.Fatalf("restricted comment imported: %q", e.Body)
		}
	}
	if len(r.Events) != 2 {
		t.Fatalf("events: %d, want created and the public comment", len(r.Events))
	}
}
