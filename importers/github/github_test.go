package github

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// row is what the tests compare of an event.
type row struct {
	ID, At, Kind, Sub, Actor, Thread, Link, Field, From, To, Body string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{e.ExternalID, e.OccurredAt.Format(time.RFC3339), string(e.Kind), s("subtype"), e.Actor, e.ThreadID, e.Link,
		s("field"), s("from"), s("to"), e.Body}
}

func parseFile(t *testing.T, name string) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/"+name), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	importertest.Valid(t, r.Events)
	return &r
}

const (
	i12 = "https://github.com/acme/shop/issues/12"
	i13 = "https://github.com/acme/shop/issues/13"
)

func TestParse_Issue(t *testing.T) {
	r := parseFile(t, "issue.json")
	importertest.Rows(t, r.Events, []row{
		{"acme/shop#12:created", "2026-03-01T10:05:00Z", "ticket", "created", "ana-lima", "acme/shop#12", i12, "", "", "",
			"acme/shop#12 created: Checkout returns 502 for EU customers\n\nSince 10:00 UTC **checkout** fails.\n\n<script>alert(1)</script>\n- [ ] find the cause"},
		{"acme/shop#12:closed:2026-03-01T11:40:00Z", "2026-03-01T11:40:00Z", "ticket", "status", "bo-chen", "acme/shop#12", i12, "status", "open", "closed",
			"acme/shop#12 status: open → closed"},
	}, rowOf)
	md := r.Events[0].Metadata
	if md["ticket_system"] != "github" || md["ticket_key"] != "acme/shop#12" || md["ticket_url"] != i12 || md["ticket_title"] != "Checkout returns 502 for EU customers" {
		t.Errorf("metadata %v", md)
	}
	if ls, _ := md["labels"].([]string); len(ls) != 2 || ls[1] != "sev2" {
		t.Errorf("labels %v", md["labels"])
	}
}

func TestParse_Comments(t *testing.T) {
	r := parseFile(t, "comments.json")
	importertest.Rows(t, r.Events, []row{
		{"comment:1500", "2026-03-01T10:20:00Z", "ticket", "comment", "bo-chen", "acme/shop#12", i12, "", "", "",
			"acme/shop#12 comment\n\nThe EU load balancer lost its backends after the deploy."},
		{"comment:1501", "2026-03-01T09:25:00Z", "ticket", "comment", "ana-lima", "acme/shop#12", i12, "", "", "", "acme/shop#12 comment"},
	}, rowOf)
}

func TestParse_IssueAndEvents(t *testing.T) {
	r := parseFile(t, "issue_events.jsonl")
	importertest.Rows(t, r.Events, []row{
		{"acme/shop#12:created", "2026-03-01T10:05:00Z", "ticket", "created", "ana-lima", "acme/shop#12", i12, "", "", "",
			"acme/shop#12 created: Checkout returns 502 for EU customers\n\nSince 10:00 UTC checkout fails."},
		{"event:2001", "2026-03-01T10:06:00Z", "ticket", "field", "ana-lima", "acme/shop#12", i12, "label", "", "sev2", "acme/shop#12 label: (none) → sev2"},
		{"event:2002", "2026-03-01T10:07:00Z", "ticket", "assignee", "ana-lima", "acme/shop#12", i12, "assignee", "", "bo-chen", "acme/shop#12 assignee: (none) → bo-chen"},
		{"event:2003", "2026-03-01T10:30:00Z", "ticket", "field", "bo-chen", "acme/shop#12", i12, "title", "Checkout broken", "Checkout returns 502 for EU customers",
			"acme/shop#12 title: Checkout broken → Checkout returns 502 for EU customers"},
		{"event:2004", "2026-03-01T11:30:00Z", "ticket", "linked", "bo-chen", "acme/shop#12", i12, "", "", "",
			"acme/shop#12 linked\n\nreferenced by commit 6dcb09b5b57875f334f61aebed695e2e4193db5e"},
		{"event:2005", "2026-03-01T11:40:00Z", "ticket", "status", "bo-chen", "acme/shop#12", i12, "status", "open", "closed", "acme/shop#12 status: open → closed"},
		{"event:2006", "2026-03-01T11:45:00Z", "ticket", "status", "ana-lima", "acme/shop#12", i12, "status", "closed", "open", "acme/shop#12 status: closed → open"},
		{"event:2007", "2026-03-01T11:46:00Z", "ticket", "field", "ana-lima", "acme/shop#12", i12, "label", "sev2", "", "acme/shop#12 label: sev2 → (none)"},
		{"event:2008", "2026-03-01T11:47:00Z", "ticket", "other", "ana-lima", "acme/shop#12", i12, "", "", "", "acme/shop#12 updated\n\nsubscribed"},
	}, rowOf)
}

func TestParse_CombinedMatchesParts(t *testing.T) {
	all := parseFile(t, "combined.json")
	ids := map[string]bool{}
	for _, e := range all.Events {
		ids[e.ExternalID] = true
	}
	for _, name := range []string{"comments.json", "issue_events.jsonl"} {
		for _, e := range parseFile(t, name).Events {
			if !ids[e.ExternalID] {
				t.Errorf("%s: %s not in the combined file's events", name, e.ExternalID)
			}
		}
	}
	if len(all.Events) != 11 {
		t.Errorf("combined: %d events, want 11 (created, 2 comments, 8 events)", len(all.Events))
	}
}

func TestParse_Webhooks(t *testing.T) {
	r := parseFile(t, "webhook_issues.jsonl")
	importertest.Rows(t, r.Events, []row{
		{"acme/shop#13:created", "2026-03-01T10:10:00Z", "ticket", "created", "ana-lima", "acme/shop#13", i13, "", "", "", "acme/shop#13 created: Search is slow\n\np99 above 3 s"},
		{"acme/shop#13:labeled:2026-03-01T10:11:00Z:perf", "2026-03-01T10:11:00Z", "ticket", "field", "ana-lima", "acme/shop#13", i13, "label", "", "perf", "acme/shop#13 label: (none) → perf"},
		{"acme/shop#13:assigned:2026-03-01T10:12:00Z:bo-chen", "2026-03-01T10:12:00Z", "ticket", "assignee", "ana-lima", "acme/shop#13", i13, "assignee", "", "bo-chen", "acme/shop#13 assignee: (none) → bo-chen"},
		{"acme/shop#13:edited:2026-03-01T10:13:00Z", "2026-03-01T10:13:00Z", "ticket", "field", "bo-chen", "acme/shop#13", i13, "title", "Search slow", "Search is slow", "acme/shop#13 title: Search slow → Search is slow"},
		{"acme/shop#13:closed:2026-03-01T10:50:00Z", "2026-03-01T10:50:00Z", "ticket", "status", "bo-chen", "acme/shop#13", i13, "status", "open", "closed", "acme/shop#13 status: open → closed"},
		{"acme/shop#13:reopened:2026-03-01T10:55:00Z", "2026-03-01T10:55:00Z", "ticket", "status", "ana-lima", "acme/shop#13", i13, "status", "closed", "open", "acme/shop#13 status: closed → open"},
		{"acme/shop#13:pinned:2026-03-01T10:56:00Z", "2026-03-01T10:56:00Z", "ticket", "other", "ana-lima", "acme/shop#13", i13, "", "", "", "acme/shop#13 updated\n\npinned"},
	}, rowOf)
}

func TestParse_Bad(t *testing.T) {
	r := parseFile(t, "bad.jsonl")
	if len(r.Events) != 1 || r.Events[0].ExternalID != "acme/shop#16:created" {
		t.Fatalf("events %+v", r.Events)
	}
	want := []struct {
		line  int
		field string
		part  string
	}{
		{3, "", "not JSON"},
		{1, "issue", "does not name its issue"},
		{2, "repository_url", "cannot tell"},
		{4, "created_at", "yesterday"},
		{5, "", "neither a GitHub issue"},
	}
	if len(r.Rejects) != len(want) {
		t.Fatalf("rejects %+v", r.Rejects)
	}
	for i, w := range want {
		got := r.Rejects[i]
		if got.Line != w.line || got.Field != w.field || !strings.Contains(got.Reason, w.part) || got.File != "testdata/bad.jsonl" {
			t.Errorf("reject %d: %+v, want %+v", i, got, w)
		}
	}
}

func TestParse_NotJSON(t *testing.T) {
	var r importertest.Recorder
	err := New().Parse(context.Background(), importertest.StringInput("x.json", "<html>"), importers.Options{}, &r)
	if err == nil || !strings.Contains(err.Error(), "x.json") || !strings.Contains(err.Error(), "want a GitHub issue") {
		t.Fatalf("err %v", err)
	}
}

func TestParseDelivery(t *testing.T) {
	body := importertest.ReadFile(t, "testdata/webhook_comment.json")
	tests := []struct {
		name    string
		event   string
		body    string
		wantID  string
		wantErr string
	}{
		{name: "comment created", body: string(body), wantID: "comment:1600"},
		{name: "comment edited", body: `{"action":"edited","changes":{"body":{"from":"x"}},"issue":{"number":13,"html_url":"` + i13 + `"},
			"comment":{"id":1600,"user":{"login":"bo-chen"},"created_at":"2026-03-01T10:20:00Z","updated_at":"2026-03-01T10:30:00Z","body":"y"},"repository":{"full_name":"acme/shop"}}`,
			wantID: "comment:1600:edited:2026-03-01T10:30:00Z"},
		{name: "no action", body: `{"issue":{"number":1}}`, wantErr: "action: is missing"},
		{name: "bad time", body: `{"action":"opened","issue":{"number":1,"html_url":"https://github.com/a/b/issues/1","created_at":"nope"},"repository":{"full_name":"a/b"}}`, wantErr: "issue.created_at"},
		{name: "no time: received", body: `{"action":"locked","issue":{"number":1,"html_url":"https://github.com/a/b/issues/1"},"repository":{"full_name":"a/b"}}`, wantID: "a/b#1:locked:"},
		{name: "not json", body: `{`, wantErr: "body:"},
		{name: "ping", event: "ping", body: `{"zen":"Keep it logically awesome.","hook_id":1}`},
		{name: "push", event: "push", body: `{"ref":"refs/heads/main"}`, wantErr: `X-GitHub-Event: "push" deliveries are not read`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.event != "" {
				h.Set(EventHeader, tt.event)
			}
			r, err := importertest.Deliver(t, New(), importers.Delivery{Header: h, Body: []byte(tt.body), ReceivedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if tt.wantID == "" {
				if err != nil || len(r.Events) != 0 {
					t.Fatalf("err %v events %+v", err, r.Events)
				}
				return
			}
			if err != nil || len(r.Events) != 1 || !strings.HasPrefix(r.Events[0].ExternalID, tt.wantID) {
				t.Fatalf("err %v events %+v", err, r.Events)
			}
			importertest.Valid(t, r.Events)
		})
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"action":"opened"}`)
	sign := func(secret string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		return "sha256=" + hex.EncodeToString(m.Sum(nil))
	}
	tests := []struct {
		name, header, secret, want string
	}{
		{name: "good", header: sign("s3cret"), secret: "s3cret"},
		{name: "wrong secret", header: sign("other"), secret: "s3cret", want: "does not match"},
		{name: "sha1 form", header: "sha1=abc", secret: "s3cret", want: "does not match"},
		{name: "missing", secret: "s3cret", want: "missing"},
		{name: "no secret", header: sign(""), want: "no signing secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set(SignatureHeader, tt.header)
			}
			err := New().VerifySignature(importers.Delivery{Header: h, Body: body}, tt.secret)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	for in, want := range map[string]string{
		"acme/shop#12":                                      "acme shop 12",
		"https://github.com/acme/shop/issues/12":            "acme shop 12",
		"https://github.com/acme/shop/pull/7":               "acme shop 7",
		"https://ghe.example.com/api/v3/repos/a/b/issues/3": "a b 3",
	} {
		o, r, n, err := ParseKey(in)
		if err != nil || o+" "+r+" "+n != want {
			t.Errorf("%s: %s %s %s %v", in, o, r, n, err)
		}
	}
	if _, _, _, err := ParseKey("acme/shop"); err == nil {
		t.Error("acme/shop accepted")
	}
}
