package bugzilla

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// row is what the tests compare of an event.
type row struct {
	ID, At, Subtype, Actor, Field, From, To, Body, Link string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{e.ExternalID, e.OccurredAt.Format(time.RFC3339), s(importers.MetaSubtype), e.Actor,
		s(importers.MetaField), s(importers.MetaFrom), s(importers.MetaTo), e.Body, e.Link}
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
	link = "https://bugzilla.example.com/show_bug.cgi?id=123"
	desc = "All card payments fail with 502 since 10:00.\n\nSteps: pay with any card."
	h1   = "history:123:2026-03-01T10:12:00Z:bo@example.com:"
	h2   = "history:123:2026-03-01T10:30:00Z:ana@example.com:"
	h3   = "history:123:2026-03-01T11:40:00Z:cy@example.com:"
)

// combinedRows are the events of the combined record; the answers alone
// give the same ids.
func combinedRows(link string, names map[string]string, title string) []row {
	n := func(login string) string {
		if v, ok := names[login]; ok {
			return v
		}
		return login
	}
	head := "Bug 123 created: " + title
	return []row{
		{"bug:123:created", "2026-03-01T10:05:00Z", "created", n("ana@example.com"), "", "", "", strings.TrimSpace(head) + "\n\n" + desc, link},
		{"comment:1002", "2026-03-01T10:20:00Z", "comment", n("bo@example.com"), "", "", "", "Bug 123 comment\n\nCreated attachment 55\nnginx error log\n\nupstream timed out &lt;script>alert(1)&lt;/script>", link},
		// 1003 is private: skipped.
		{"comment:1004", "2026-03-01T11:40:00Z", "comment", n("cy@example.com"), "", "", "", "Bug 123 comment\n\nFixed by rolling back the config push.", link},
		{h1 + "status", "2026-03-01T10:12:00Z", "status", n("bo@example.com"), "status", "NEW", "ASSIGNED", "Bug 123 status: NEW → ASSIGNED", link},
		{h1 + "assigned_to", "2026-03-01T10:12:00Z", "assignee", n("bo@example.com"), "assignee", "nobody@example.com", n("bo@example.com"), "Bug 123 assignee: nobody@example.com → " + n("bo@example.com"), link},
		{h2 + "priority", "2026-03-01T10:30:00Z", "priority", n("ana@example.com"), "priority", "--", "P1", "Bug 123 priority: -- → P1", link},
		{h2 + "severity", "2026-03-01T10:30:00Z", "priority", n("ana@example.com"), "severity", "normal", "critical", "Bug 123 severity: normal → critical", link},
		{h2 + "blocks", "2026-03-01T10:30:00Z", "linked", n("ana@example.com"), "blocks", "", "124", "Bug 123 linked\n\nblocks Bug 124", link},
		{h2 + "cc", "2026-03-01T10:30:00Z", "field", n("ana@example.com"), "cc", "", "cy@example.com", "Bug 123 cc: (none) → cy@example.com", link},
		{h2 + "attachments.isobsolete:54", "2026-03-01T10:30:00Z", "field", n("ana@example.com"), "attachments.isobsolete", "0", "1", "Bug 123 attachments.isobsolete: 0 → 1", link},
		{h3 + "status", "2026-03-01T11:40:00Z", "status", n("cy@example.com"), "status", "ASSIGNED", "RESOLVED", "Bug 123 status: ASSIGNED → RESOLVED", link},
		{h3 + "resolution", "2026-03-01T11:40:00Z", "status", n("cy@example.com"), "resolution", "", "FIXED", "Bug 123 resolution: (none) → FIXED", link},
	}
}

var realNames = map[string]string{"ana@example.com": "Ana Lima", "bo@example.com": "Bo Chen", "cy@example.com": "Cy Diaz"}

func TestParse_Combined(t *testing.T) {
	r := parseFile(t, "combined.json")
	importertest.Rows(t, r.Events, combinedRows(link, realNames, "Checkout returns 502 after deploy"), rowOf)
	if len(r.Rejects) != 0 {
		t.Errorf("rejects %+v", r.Rejects)
	}
	md := r.Events[0].Metadata
	for k, want := range map[string]string{
		"incident": "INC-1", "product": "Shop", "component": "Checkout", "severity": "critical", "status": "RESOLVED",
		"resolution": "FIXED", "deadline": "2026-03-02", "keywords": "regression", importers.MetaTicketKey: "Bug 123",
		importers.MetaTicketURL: link, importers.MetaTicketSystem: "bugzilla",
	} {
		if md[k] != want {
			t.Errorf("metadata %s = %v, want %q", k, md[k], want)
		}
	}
	if cf, _ := md["custom_fields"].(map[string]string); cf["cf_root_cause"] != "bad config push" {
		t.Errorf("custom fields %v", md["custom_fields"])
	}
	if _, ok := md["url"]; ok {
		t.Error("an empty url was kept")
	}
	if e := r.Events[0]; e.ThreadID != "Bug 123" || e.Kind != incident.KindTicket {
		t.Errorf("thread %q kind %q", e.ThreadID, e.Kind)
	}
}

func TestParse_AnswersAlone(t *testing.T) {
	all := combinedRows("", nil, "")
	byID := map[string]row{}
	for _, r := range all {
		byID[r.ID] = r
	}
	tests := []struct {
		file string
		ids  []string
	}{
		{"bug.json", []string{"bug:123:created"}},
		{"comments.json", []string{"bug:123:created", "comment:1002", "comment:1004"}},
		{"history.json", []string{h1 + "status", h1 + "assigned_to", h2 + "priority", h2 + "severity", h2 + "blocks", h2 + "cc", h2 + "attachments.isobsolete:54", h3 + "status", h3 + "resolution"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseFile(t, tt.file)
			if len(r.Events) != len(tt.ids) || len(r.Rejects) != 0 {
				t.Fatalf("%d events, rejects %+v", len(r.Events), r.Rejects)
			}
			for i, id := range tt.ids {
				if got := r.Events[i].ExternalID; got != id {
					t.Errorf("event %d: %s, want %s", i, got, id)
				}
			}
			if tt.file == "history.json" || tt.file == "comments.json" {
				importertest.Rows(t, r.Events[1:], rowsOf(byID, tt.ids[1:]), rowOf)
			}
		})
	}
	// The bug answer alone: summary, real name, no body (comment 0 unknown).
	r := parseFile(t, "bug.json")
	importertest.Rows(t, r.Events, []row{{"bug:123:created", "2026-03-01T10:05:00Z", "created", "Ana Lima", "", "", "", "Bug 123 created: Checkout returns 502 after deploy", ""}}, rowOf)
}

func rowsOf(m map[string]row, ids []string) []row {
	out := make([]row, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

func TestParse_LinesMerged(t *testing.T) {
	r := parseFile(t, "captures.jsonl")
	importertest.Rows(t, r.Events, []row{
		{"bug:200:created", "2026-03-01T09:30:00Z", "created", "dee@example.com", "", "", "", "Bug 200 created: Lines bug\n\nSearch is slow", ""},
		{"history:200:2026-03-01T09:45:00Z:dee@example.com:cf_team", "2026-03-01T09:45:00Z", "field", "dee@example.com", "cf_team", "", "search", "Bug 200 cf_team: (none) → search", ""},
		{"history:200:2026-03-01T09:45:00Z:dee@example.com:bug_status", "2026-03-01T09:45:00Z", "status", "dee@example.com", "status", "UNCONFIRMED", "NEW", "Bug 200 status: UNCONFIRMED → NEW", ""},
		{"bug:201:created", "2026-03-01T09:50:00Z", "created", "eve@example.com", "", "", "", "Bug 201 created:\n\nOnly comments known", ""},
	}, rowOf)
	want := []importers.Rejection{
		{File: "testdata/captures.jsonl", Line: 2, Reason: "not JSON: invalid character 'o' in literal null (expecting 'u')"},
		{File: "testdata/captures.jsonl", Line: 6, Field: "error", Reason: "a Bugzilla error answer: Bug #999 does not exist."},
		{File: "testdata/captures.jsonl", Line: 1, Field: "comments[1].creation_time", Reason: "missing"},
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

func TestParse_Bad(t *testing.T) {
	tests := []struct {
		name, data, wantErr, wantField string
	}{
		{name: "not json", data: "<html>", wantErr: `bugzilla: bad.json: not JSON (it starts with "<")`},
		{name: "trailing comma", data: `{"bugs": [1,]}`, wantErr: "bugzilla: bad.json: not a JSON object: line 1"},
		{name: "other object", data: `{"products": []}`, wantErr: "not a Bugzilla answer"},
		{name: "error answer", data: `{"error":true,"code":102,"message":"You are not authorized to access bug #5."}`, wantField: "error"},
		{name: "bug id not a number", data: `{"bugs":[{"id":"x y","summary":"s","creation_time":"2026-03-01T10:00:00Z"}]}`, wantField: "bugs[0].id"},
		{name: "comments by bad id", data: `{"bugs":{"abc":{"comments":[]}}}`, wantField: "bugs.abc"},
		{name: "bugs a string", data: `{"bugs":"none"}`, wantField: "bugs"},
		{name: "history not a list", data: `{"bugs":[{"id":1,"history":{}}]}`, wantField: "bugs[0].history"},
		{name: "keywords a string", data: `{"bug":{"id":1,"summary":"s","creation_time":"2026-03-01T10:00:00Z","keywords":"a"}}`, wantField: "bug.keywords"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("bad.json", tt.data), importers.Options{}, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Events) != 0 || len(r.Rejects) != 1 || r.Rejects[0].Field != tt.wantField || r.Rejects[0].Line != 1 {
				t.Fatalf("events %d rejects %+v, want one on %s", len(r.Events), r.Rejects, tt.wantField)
			}
		})
	}
}
