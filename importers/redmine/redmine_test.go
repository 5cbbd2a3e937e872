package redmine

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

func TestParse_IssueWithJournals(t *testing.T) {
	r := parseFile(t, "issue.json")
	const desc = "## Impact\n\n**All** card payments fail with *502* since 10:00.\n\n- see [dashboard](https://grafana.example.com/d/checkout)\n  - p99 above 5 s\n\n```\nupstream timed out (110: Connection timed out)\n```"
	importertest.Rows(t, r.Events, []row{
		{"issue:4711:created", "2026-03-01T10:05:00Z", "created", "Ana Lima", "", "", "", "#4711 created: Checkout returns 502 after deploy\n\n" + desc, ""},
		{"journal:9001:attr:status_id", "2026-03-01T10:12:00Z", "status", "Bo Chen", "status", "#1", "#2", "#4711 status: #1 → #2", ""},
		{"journal:9001:attr:assigned_to_id", "2026-03-01T10:12:00Z", "assignee", "Bo Chen", "assignee", "", "Bo Chen", "#4711 assignee: (none) → Bo Chen", ""},
		{"journal:9002", "2026-03-01T10:20:00Z", "comment", "Bo Chen", "", "", "", "#4711 comment\n\nRolled back to **2.3.9**, errors dropping. Log attached.", ""},
		{"journal:9002:attachment:88", "2026-03-01T10:20:00Z", "field", "Bo Chen", "attachment", "", "nginx-error.log", "#4711 attachment: (none) → nginx-error.log", ""},
		{"journal:9002:cf:13", "2026-03-01T10:20:00Z", "field", "Bo Chen", "Affected versions", "", "2.4.1", "#4711 Affected versions: (none) → 2.4.1", ""},
		{"journal:9002:cf:99", "2026-03-01T10:20:00Z", "field", "Bo Chen", "custom field 99", "a", "b", "#4711 custom field 99: a → b", ""},
		// 9003 is a private note: skipped.
		{"journal:9004:attr:priority_id", "2026-03-01T10:30:00Z", "priority", "Ana Lima", "priority", "#2", "Urgent", "#4711 priority: #2 → Urgent", ""},
		{"journal:9004:relation:blocks", "2026-03-01T10:30:00Z", "linked", "Ana Lima", "relation blocks", "", "#4712", "#4711 linked\n\nblocks #4712", ""},
		{"journal:9004:attr:due_date", "2026-03-01T10:30:00Z", "field", "Ana Lima", "due date", "", "2026-03-02", "#4711 due date: (none) → 2026-03-02", ""},
		{"journal:9005", "2026-03-01T11:40:00Z", "comment", "Bo Chen", "", "", "", "#4711 comment\n\nFixed in 2.4.2.", ""},
		{"journal:9005:attr:status_id", "2026-03-01T11:40:00Z", "status", "Bo Chen", "status", "#2", "Closed", "#4711 status: #2 → Closed", ""},
		{"journal:9005:attr:done_ratio", "2026-03-01T11:40:00Z", "field", "Bo Chen", "done ratio", "0", "100", "#4711 done ratio: 0 → 100", ""},
	}, rowOf)
	if len(r.Rejects) != 0 {
		t.Errorf("rejects: %+v", r.Rejects)
	}
	created := r.ByID()["issue:4711:created"]
	md := created.Metadata
	for k, want := range map[string]string{
		"incident": "INC-1", "start_date": "2026-03-01", "status": "Closed", "priority": "Urgent", "tracker": "Bug",
		"project": "Checkout", "assigned_to": "Bo Chen", importers.MetaTicketSystem: "redmine", importers.MetaTicketKey: "#4711",
		importers.MetaTicketTitle: "Checkout returns 502 after deploy",
	} {
		if md[k] != want {
			t.Errorf("metadata %s = %v, want %q", k, md[k], want)
		}
	}
	if _, ok := md["due_date"]; ok {
		t.Error("a null due_date was kept")
	}
	if cf, _ := md["custom_fields"].(map[string]string); cf["Affected versions"] != `["2.4.0","2.4.1"]` {
		t.Errorf("custom fields %v", md["custom_fields"])
	}
	if created.ThreadID != "#4711" || created.Kind != incident.KindTicket || created.OccurredAtText != "2026-03-01T10:05:00Z" {
		t.Errorf("created: thread %q kind %q text %q", created.ThreadID, created.Kind, created.OccurredAtText)
	}
	if strings.Contains(created.Body, "script") {
		t.Errorf("script kept: %q", created.Body)
	}
	if u := r.ByID()["journal:9002:attachment:88"].Metadata["attachment_url"]; u != "https://redmine.example.com/attachments/download/88/nginx-error.log" {
		t.Errorf("attachment url %v", u)
	}
}

func TestParse_CombinedLookups(t *testing.T) {
	r := parseFile(t, "combined.json")
	const link = "https://redmine.example.com/issues/4712"
	importertest.Rows(t, r.Events, []row{
		{"issue:4712:created", "2026-03-01T10:31:00Z", "created", "Ana Lima", "", "", "", "#4712 created: Add 502 alert", link},
		{"journal:9010:attr:status_id", "2026-03-01T10:40:00Z", "status", "Ana Lima", "status", "New", "In Progress", "#4712 status: New → In Progress", link},
		{"journal:9010:attr:priority_id", "2026-03-01T10:40:00Z", "priority", "Ana Lima", "priority", "High", "Normal", "#4712 priority: High → Normal", link},
		{"journal:9010:attr:assigned_to_id", "2026-03-01T10:40:00Z", "assignee", "Ana Lima", "assignee", "#11", "", "#4712 assignee: #11 → (none)", link},
	}, rowOf)
	if got := r.Events[0].Metadata[importers.MetaTicketURL]; got != link {
		t.Errorf("ticket url %v", got)
	}
}

func TestParse_ListAndLines(t *testing.T) {
	r := parseFile(t, "issues.json")
	importertest.Rows(t, r.Events, []row{
		{"issue:101:created", "2026-03-01T09:30:00Z", "created", "Ana Lima", "", "", "", "#101 created: Slow search\n\n# Steps\n\n1. open **search**\n2. wait", ""},
	}, rowOf)
	wantRejects := []importers.Rejection{
		{File: "testdata/issues.json", Line: 1, Field: "issues[1].created_on", Reason: "missing"},
		{File: "testdata/issues.json", Line: 1, Field: "issues[2].journals", Reason: "is a JSON string, want an array"},
	}
	if len(r.Rejects) != len(wantRejects) {
		t.Fatalf("rejects %+v", r.Rejects)
	}
	for i, w := range wantRejects {
		if r.Rejects[i] != w {
			t.Errorf("reject %d = %+v, want %+v", i, r.Rejects[i], w)
		}
	}
	if md := r.Events[0].Metadata; md["due_date"] != "2026-03-05" || md["done_ratio"] != "0" {
		t.Errorf("date-only fields: %v", md)
	}

	r = parseFile(t, "captures.jsonl")
	importertest.Rows(t, r.Events, []row{
		{"issue:201:created", "2026-03-01T08:50:00Z", "created", "Cy Diaz", "", "", "", "#201 created: From JSON Lines", ""},
		{"issue:202:created", "2026-03-01T09:55:00Z", "created", "", "", "", "", "#202 created: Bare issue", ""},
		{"journal:9100", "2026-03-01T09:56:00Z", "comment", "Cy Diaz", "", "", "", "#202 comment\n\nbare note", ""},
		{"journal:9100:weird:x", "2026-03-01T09:56:00Z", "other", "Cy Diaz", "weird x", "1", "2", "#202 updated\n\nchanged 1 → 2", ""},
	}, rowOf)
	if len(r.Rejects) != 2 || r.Rejects[0].Line != 2 || r.Rejects[1].Line != 4 || !strings.Contains(r.Rejects[1].Reason, "not a Redmine issue") {
		t.Errorf("rejects %+v", r.Rejects)
	}
}

func TestParse_BadFiles(t *testing.T) {
	tests := []struct {
		name, data, wantErr string
	}{
		{"not json", "hello", `redmine: bad.json: not JSON (it starts with "h"); want a Redmine issue answer`},
		{"trailing comma", `{"issue": {"id": 1,}}`, "redmine: bad.json: not a JSON object: line 1"},
		{"other object", `{"projects": []}`, `redmine: bad.json: not a Redmine issue`},
		{"empty", "  ", "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("bad.json", tt.data), importers.Options{}, &r)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if len(r.Events) != 0 {
				t.Errorf("events from a bad file: %d", len(r.Events))
			}
		})
	}
}

func TestParse_OddValues(t *testing.T) {
	tests := []struct {
		name, data  string
		wantEvents  int
		wantField   string
		wantKey     string
		wantCreated string
	}{
		{"id as string", `{"issue":{"id":"77","subject":"s","created_on":"2026-03-01T10:00:00Z"}}`, 1, "", "#77", "2026-03-01T10:00:00Z"},
		{"offset time", `{"issue":{"id":78,"subject":"s","created_on":"2026-03-01T11:00:00+01:00"}}`, 1, "", "#78", "2026-03-01T10:00:00Z"},
		{"no id", `{"issue":{"subject":"s","created_on":"2026-03-01T10:00:00Z"}}`, 0, "id", "", ""},
		{"journal without id", `{"issue":{"id":1,"subject":"s","created_on":"2026-03-01T10:00:00Z","journals":[{"created_on":"2026-03-01T10:00:00Z"}]}}`, 0, "journals[0].id", "", ""},
		{"bad journal time", `{"issue":{"id":1,"subject":"s","created_on":"2026-03-01T10:00:00Z","journals":[{"id":5,"created_on":"yesterday"}]}}`, 0, "journals[0].created_on", "", ""},
		{"details null", `{"issue":{"id":1,"subject":"s","created_on":"2026-03-01T10:00:00Z","journals":[{"id":5,"notes":null,"created_on":"2026-03-01T10:00:00Z","details":null}]}}`, 1, "", "#1", "2026-03-01T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := importertest.ParseString(New(), "x.json", tt.data, importers.Options{})
			if len(r.Events) != tt.wantEvents {
				t.Fatalf("events %d, want %d (rejects %+v)", len(r.Events), tt.wantEvents, r.Rejects)
			}
			if tt.wantField != "" {
				if len(r.Rejects) != 1 || r.Rejects[0].Field != tt.wantField || r.Rejects[0].Line != 1 {
					t.Fatalf("rejects %+v, want field %s", r.Rejects, tt.wantField)
				}
				return
			}
			e := r.Events[0]
			if e.ThreadID != tt.wantKey || e.OccurredAt.Format(time.RFC3339) != tt.wantCreated {
				t.Errorf("key %q at %s", e.ThreadID, e.OccurredAt.Format(time.RFC3339))
			}
		})
	}
}
