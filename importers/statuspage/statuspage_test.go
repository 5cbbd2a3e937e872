package statuspage

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
	ID, At, Kind, Sub, Thread, Link, From, To, Body string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{e.ExternalID, e.OccurredAt.Format(time.RFC3339), string(e.Kind), s("subtype"), e.ThreadID, e.Link, s("from"), s("to"), e.Body}
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

func TestParse_Incident(t *testing.T) {
	r := parseFile(t, "incident.json")
	const k, l = "kctbh9vrtdwd/p31zjtct2jer", "http://stspg.io/abc123"
	importertest.Rows(t, r.Events, []row{
		{"update:u1", "2026-03-01T10:12:03Z", "status", "update", k, l, "", "investigating", k + " investigating\n\nWe are investigating failed checkouts for EU customers."},
		{"update:u2", "2026-03-01T10:25:00Z", "status", "update", k, l, "investigating", "identified", k + " identified\n\nThe issue has been identified: a **faulty deploy** of the EU load balancer."},
		{"update:u3", "2026-03-01T10:40:00Z", "status", "update", k, l, "identified", "monitoring", k + " monitoring\n\nA fix has been deployed and we are monitoring the results."},
		{"update:u4", "2026-03-01T10:50:11Z", "status", "update", k, l, "monitoring", "resolved", k + " resolved\n\nThis incident has been resolved."},
		{"postmortem:p31zjtct2jer", "2026-03-02T09:00:00Z", "status", "update", k, l, "", "postmortem", k + " postmortem\n\nA configuration change removed the EU backends."},
	}, rowOf)
	md := r.Events[0].Metadata
	if md["customer_facing"] != true || md["impact"] != "major" || md["ticket_title"] != "Checkout failures in the EU" || md["ticket_system"] != "statuspage" {
		t.Errorf("metadata %v", md)
	}
	if a, _ := md["affected_components"].([]string); len(a) != 1 || a[0] != "Checkout API: partial_outage" {
		t.Errorf("affected %v", md["affected_components"])
	}
	text, _ := r.Events[3].Metadata["incident_public_text"].(string)
	if !strings.HasPrefix(text, "# Checkout failures in the EU\n\n**Investigating** (2026-03-01 10:12 UTC): We are investigating") ||
		!strings.HasSuffix(text, "**Resolved** (2026-03-01 10:50 UTC): This incident has been resolved.") {
		t.Errorf("public text %q", text)
	}
}

func TestParse_Shapes(t *testing.T) {
	tests := []struct {
		file string
		ids  string
		keys string
	}{
		{"incidents_v2.json", "update:w0 update:w1", "kctbh9vrtdwd/cp306tmzcl0y"},
		{"webhook.json", "update:2rryghr4qgrh update:drfcwbnpxnr6", "j2mfxwj97wnj/lbkhbwn21v5q"},
		{"component_webhook.json", "component_update:k7730b5v92bv", "j2mfxwj97wnj"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := parseFile(t, tt.file)
			var ids []string
			for _, e := range r.Events {
				ids = append(ids, e.ExternalID)
				if e.ThreadID != tt.keys || e.Kind != incident.KindStatus {
					t.Errorf("%s: thread %q kind %s", e.ExternalID, e.ThreadID, e.Kind)
				}
			}
			if got := strings.Join(ids, " "); got != tt.ids {
				t.Errorf("ids %s, want %s", got, tt.ids)
			}
		})
	}
	r := parseFile(t, "component_webhook.json")
	if b := r.Events[0].Body; b != "j2mfxwj97wnj component API: operational → major_outage" {
		t.Errorf("body %q", b)
	}
}

func TestParse_Bad(t *testing.T) {
	r := parseFile(t, "bad.jsonl")
	if len(r.Events) != 1 || r.Events[0].ExternalID != "update:x1" {
		t.Fatalf("events %+v", r.Events)
	}
	want := []struct {
		line        int
		field, part string
	}{
		{2, "incident_updates[0].display_at", "tomorrow"},
		{3, "id", "is missing"},
		{4, "", "not JSON"},
		{5, "", "neither a Statuspage incident"},
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
	err := New().Parse(context.Background(), importertest.StringInput("x.txt", "hello"), importers.Options{}, &importertest.Recorder{})
	if err == nil || !strings.Contains(err.Error(), "x.txt") {
		t.Errorf("err %v", err)
	}
}
