package mantis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

type row struct {
	At, Sub, Actor, Thread, Link, Field, From, To, Body string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{e.OccurredAt.Format(time.RFC3339), s("subtype"), e.Actor, e.ThreadID, e.Link, s("field"), s("from"), s("to"), e.Body}
}

func parse(t *testing.T, im Importer, name string) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := im.Parse(context.Background(), importertest.FileInput("testdata/"+name), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	importertest.Valid(t, r.Events)
	return &r
}

func TestParse_Issue(t *testing.T) {
	r := parse(t, Importer{BaseURL: "https://bugs.example.com/"}, "issue.json")
	const k, l = "Mantis 42", "https://bugs.example.com/view.php?id=42"
	importertest.Rows(t, r.Events, []row{
		{"2026-03-01T10:05:00Z", "created", "Ana Lima", k, l, "", "", "",
			k + " created: Checkout returns 502 for EU customers\n\nSince 10:00 UTC checkout fails.\n\n**Additional information**\n\nSeen from the EU load balancer only."},
		{"2026-03-01T10:20:00Z", "comment", "Bo Chen", k, l, "", "", "", k + " comment\n\nThe EU pool lost its backends after the deploy."},
		{"2026-03-01T10:40:00Z", "worklog", "bo", k, l, "", "", "", k + " work logged\n\nTime spent: 0:30\n\nRolled back."},
		{"2026-03-01T10:06:00Z", "assignee", "Ana Lima", k, l, "assignee", "", "Bo Chen", k + " assignee: (none) → Bo Chen"},
		{"2026-03-01T10:06:00Z", "status", "ana", k, l, "status", "new", "assigned", k + " status: new → assigned"},
		{"2026-03-01T10:07:00Z", "priority", "ana", k, l, "priority", "normal", "urgent", k + " priority: normal → urgent"},
		{"2026-03-01T10:30:00Z", "field", "bo", k, l, "Summary", "Checkout broken", "Checkout returns 502 for EU customers", k + " Summary: Checkout broken → Checkout returns 502 for EU customers"},
		{"2026-03-01T10:31:00Z", "other", "bo", k, l, "", "", "", k + " updated\n\nTag Attached: outage"},
		{"2026-03-01T10:50:00Z", "status", "bo", k, l, "status", "assigned", "resolved", k + " status: assigned → resolved"},
		{"2026-03-01T10:50:00Z", "status", "bo", k, l, "resolution", "open", "fixed", k + " resolution: open → fixed"},
	}, rowOf)
	if r.Events[0].ExternalID != "Mantis 42:created" || r.Events[1].ExternalID != "note:101" || !strings.HasPrefix(r.Events[3].ExternalID, "history:") {
		t.Errorf("ids %s %s %s", r.Events[0].ExternalID, r.Events[1].ExternalID, r.Events[3].ExternalID)
	}
	again := parse(t, Importer{}, "issue.json")
	for i, e := range again.Events {
		if e.ExternalID != r.Events[i].ExternalID || e.Link != "" {
			t.Errorf("event %d: id %s link %q on re-import", i, e.ExternalID, e.Link)
		}
	}
}

func TestParse_Bad(t *testing.T) {
	r := parse(t, New(), "bad.jsonl")
	if len(r.Events) != 1 || r.Events[0].ExternalID != "Mantis 1:created" {
		t.Fatalf("events %+v rejects %+v", r.Events, r.Rejects)
	}
	want := []struct {
		line        int
		field, part string
	}{
		{2, "issues[0].created_at", "soon"},
		{2, "issues[1].notes[0].id", "is missing"},
		{3, "", "neither a MantisBT issue"},
		{4, "", "not JSON"},
	}
	if len(r.Rejects) != len(want) {
		t.Fatalf("rejects %+v", r.Rejects)
	}
	for i, w := range want {
		g := r.Rejects[i]
		if g.Line != w.line || g.Field != w.field || !strings.Contains(g.Reason, w.part) {
			t.Errorf("reject %d: %+v, want %+v", i, g, w)
		}
	}
}

func TestParse_TimelogNote(t *testing.T) {
	in := `{"issues":[{"id":7,"summary":"s","created_at":"2026-03-01T10:00:00+00:00","reporter":{"name":"ana"},` +
		`"notes":[{"id":3,"reporter":{"name":"bo"},"text":"","created_at":"2026-03-01T11:00:00+00:00","view_state":{"name":"public"},"type":"timelog","time_tracking":{"duration":"01:30"}}]}]}`
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.StringInput("m.json", in), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range r.Events {
		if e.Metadata["subtype"] == "worklog" && strings.Contains(e.Body, "Time spent: 01:30") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no worklog with its time: %+v", r.Events)
	}
}

func TestParse_BareEnumIDs(t *testing.T) {
	in := `{"issues":[{"id":7,"summary":"s","created_at":"2026-03-01T10:00:00+00:00","reporter":{"name":"ana"},` +
		`"history":[{"created_at":"2026-03-01T11:00:00+00:00","user":{"name":"bo"},"field":{"name":"status"},"type":{"name":"field-updated"},"old_value":"10","new_value":"50"},` +
		`{"created_at":"2026-03-01T11:01:00+00:00","user":{"name":"bo"},"field":{"name":"severity"},"type":{"name":"field-updated"},"old_value":{"id":"50"},"new_value":{"id":"70"}}]}]}`
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.StringInput("m.json", in), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range r.Events {
		if f, _ := e.Metadata["field"].(string); f != "" {
			got = append(got, f+":"+e.Metadata["from"].(string)+"→"+e.Metadata["to"].(string))
		}
	}
	if strings.Join(got, ",") != "status:new→assigned,severity:minor→crash" {
		t.Fatalf("changes: %v", got)
	}
}
