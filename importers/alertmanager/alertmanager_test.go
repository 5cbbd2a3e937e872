package alertmanager

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// row is what the tests check of an event.
type row struct {
	ID, At, AtText, Subtype, EventType, Service, Host, Severity, VendorSeverity, Body, Link, Thread, Incident, Actor string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), AtText: e.OccurredAtText,
		Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType), Service: s(importers.MetaService),
		Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity), VendorSeverity: s(importers.MetaVendorSeverity),
		Body: e.Body, Link: e.Link, Thread: e.ThreadID, Incident: s(importers.MetaIncident), Actor: e.Actor,
	}
}

func parseFile(t *testing.T, path string) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput(path), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestParse_Files(t *testing.T) {
	probe := "1a30ba71cca2921f"
	tests := []struct {
		name    string
		file    string
		want    []row
		rejects []importers.Rejection
	}{
		{
			name: "firing notification", file: "testdata/firing.json",
			want: []row{{
				ID: importers.StableID(probe, "firing", "2023-02-06T13:08:45.828Z"), At: "2023-02-06T13:08:45.828Z", AtText: "2023-02-06T13:08:45.828Z",
				Subtype: "trigger", EventType: "firing", Service: "http_checks", Host: "https://checkout.example.org", Severity: "critical", VendorSeverity: "critical",
				Body: "Triggered: BlackBox Probe Failure: https://checkout.example.org\n\nInstance https://checkout.example.org has been down for over 5m. Job: http_checks\n\nRunbook: https://runbooks.example.org/probe-failure",
				Link: "http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1", Thread: probe, Incident: "INC-7", Actor: "Alertmanager",
			}, {
				// An explicit status wins over a past endsAt; no generatorURL
				// links to the Alertmanager; HTML becomes markdown.
				ID: importers.StableID("b2c3d4e5f6a70819", "firing", "2023-02-06T13:10:45.828Z"), At: "2023-02-06T13:10:45.828Z", AtText: "2023-02-06T15:10:45.828+02:00",
				Subtype: "trigger", EventType: "firing", Service: "checkout-api", Host: "api-1.example.org:9100", Severity: "warning", VendorSeverity: "warning",
				Body: "Triggered: HighLatency\n\np99 latency is **2.3s** on api-1", Link: "http://alertmanager.example.org:9093", Thread: "b2c3d4e5f6a70819", Actor: "Alertmanager",
			}},
		},
		{
			name: "JSON Lines: a repeat has the trigger's id, the resolve its own, a bad line is rejected", file: "testdata/notifications.jsonl",
			want: []row{
				{ID: importers.StableID("f00dbabe00000001", "firing", "2024-05-01T10:00:00Z"), At: "2024-05-01T10:00:00Z", AtText: "2024-05-01T10:00:00Z",
					Subtype: "trigger", EventType: "firing", Service: "node", Host: "db-1:9100", Severity: "critical", VendorSeverity: "page",
					Body: "Triggered: Disk almost full on db-1\n\nOnly 3% left on /var/lib/postgresql", Link: "http://prometheus:9090/graph?g0.expr=disk", Thread: "f00dbabe00000001", Actor: "Alertmanager"},
				{ID: importers.StableID("f00dbabe00000001", "firing", "2024-05-01T10:00:00Z"), At: "2024-05-01T10:00:00Z", AtText: "2024-05-01T10:00:00Z",
					Subtype: "trigger", EventType: "firing", Service: "node", Host: "db-1:9100", Severity: "critical", VendorSeverity: "page",
					Body: "Triggered: Disk almost full on db-1\n\nOnly 3% left on /var/lib/postgresql", Link: "http://prometheus:9090/graph?g0.expr=disk", Thread: "f00dbabe00000001", Actor: "Alertmanager"},
				{ID: importers.StableID("f00dbabe00000001", "resolved", "2024-05-01T10:00:00Z", "2024-05-01T10:42:30.5Z"), At: "2024-05-01T10:42:30.5Z", AtText: "2024-05-01T10:42:30.5Z",
					Subtype: "resolve", EventType: "resolved", Service: "node", Host: "db-1:9100", Severity: "critical", VendorSeverity: "page",
					Body: "Resolved: Disk almost full on db-1\n\nOnly 3% left on /var/lib/postgresql", Link: "http://prometheus:9090/graph?g0.expr=disk", Thread: "f00dbabe00000001", Actor: "Alertmanager"},
			},
			rejects: []importers.Rejection{{File: "testdata/notifications.jsonl", Line: 5, Reason: "not JSON: invalid character 'o' in literal null (expecting 'u')"}},
		},
		{
			name: "API v2 alert list", file: "testdata/api_v2_alerts.json",
			want: []row{
				{ID: importers.StableID("0a1b2c3d4e5f6071", "firing", "2024-05-01T10:05:00Z"), At: "2024-05-01T10:05:00Z", AtText: "2024-05-01T10:05:00.000Z",
					Subtype: "trigger", EventType: "active", Service: "payments", Severity: "critical", VendorSeverity: "critical",
					Body: "Triggered: Error budget burn on payments", Link: "https://prometheus.example.org/graph?g0.expr=slo_burn", Thread: "0a1b2c3d4e5f6071", Incident: "INC-12", Actor: "Alertmanager"},
				{ID: importers.StableID("0a1b2c3d4e5f6072", "suppressed", "2024-05-01T09:58:00Z"), At: "2024-05-01T09:58:00Z", AtText: "2024-05-01T09:58:00.000Z",
					Subtype: "suppress", EventType: "suppressed", Service: "node", Host: "batch-7:9100", Severity: "warning", VendorSeverity: "warning",
					Body: "Suppressed: Node exporter down", Link: "https://prometheus.example.org/graph?g0.expr=up", Thread: "0a1b2c3d4e5f6072", Actor: "Alertmanager"},
				{ID: importers.StableID("0a1b2c3d4e5f6073", "firing", "2024-05-01T10:15:00Z"), At: "2024-05-01T10:15:00Z", AtText: "2024-05-01T10:15:00.000Z",
					Subtype: "trigger", EventType: "unprocessed", Service: "worker", Severity: "unknown",
					Body: "Triggered: QueueBacklog", Link: "https://prometheus.example.org/graph?g0.expr=x", Thread: "0a1b2c3d4e5f6073", Actor: "Alertmanager"},
			},
		},
		{
			name: "no per-alert status: endsAt, then the group status", file: "testdata/no_status.json",
			want: []row{
				{ID: importers.StableID(labelsKey("alertname=MemoryPressure", "node=k8s-node-3", "priority=P2"), "resolved", "2024-05-01T06:00:00Z", "2024-05-01T06:30:00Z"),
					At: "2024-05-01T06:30:00Z", AtText: "2024-05-01T08:30:00+02:00", Subtype: "resolve", EventType: "resolved", Host: "k8s-node-3", Severity: "error", VendorSeverity: "P2",
					Body: "Resolved: MemoryPressure\n\nNode k8s-node-3 is under memory pressure", Link: "http://prometheus:9090/graph?g0.expr=mem",
					Thread: labelsKey("alertname=MemoryPressure", "node=k8s-node-3", "priority=P2"), Actor: "Alertmanager"},
				{ID: importers.StableID(labelsKey("alertname=MemoryPressure", "node=k8s-node-4", "priority=P2"), "firing", "2024-05-01T06:10:00Z"),
					At: "2024-05-01T06:10:00Z", AtText: "2024-05-01T08:10:00+02:00", Subtype: "trigger", EventType: "firing", Host: "k8s-node-4", Severity: "error", VendorSeverity: "P2",
					Body: "Triggered: MemoryPressure\n\nNode k8s-node-4 is under memory pressure", Link: "http://prometheus:9090/graph?g0.expr=mem",
					Thread: labelsKey("alertname=MemoryPressure", "node=k8s-node-4", "priority=P2"), Actor: "Alertmanager"},
			},
		},
		{
			name: "bad alerts are rejected one by one, unknown statuses kept", file: "testdata/bad.json",
			want: []row{
				{ID: importers.StableID("aaaa", "firing", "2024-05-01T10:00:00Z"), At: "2024-05-01T10:00:00Z", AtText: "2024-05-01T10:00:00Z",
					Subtype: "trigger", EventType: "firing", Severity: "unknown", Body: "Triggered: A", Thread: "aaaa", Actor: "Alertmanager"},
				{ID: importers.StableID("dddd", "flapping", "2024-05-01T10:01:00Z"), At: "2024-05-01T10:01:00Z", AtText: "2024-05-01T10:01:00Z",
					Subtype: "other", EventType: "flapping", Severity: "unknown", Body: "Alert: D", Thread: "dddd", Actor: "Alertmanager"},
			},
			rejects: []importers.Rejection{
				{File: "testdata/bad.json", Line: 1, Field: "alerts[1].startsAt", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
				{File: "testdata/bad.json", Line: 1, Field: "alerts[2].endsAt", Reason: "is missing or zero on a resolved alert, so the resolve has no time"},
				{File: "testdata/bad.json", Line: 1, Field: "alerts[3].labels", Reason: "is empty and there is no fingerprint to tell the alert by"},
				{File: "testdata/bad.json", Line: 2, Reason: "is not an Alertmanager notification, alert group or alert"},
				{File: "testdata/bad.json", Line: 3, Field: "alerts", Reason: "is a JSON string, want an array"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseFile(t, tt.file)
			var got []row
			for _, e := range r.Events {
				got = append(got, rowOf(e))
				checkValid(t, e)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.rejects, r.Rejects); diff != "" {
				t.Errorf("rejections (-want +got):\n%s", diff)
			}
		})
	}
}

func labelsKey(kv ...string) string { return importers.StableID(append([]string{"labels"}, kv...)...) }

func checkValid(t *testing.T, e incident.TimelineEvent) {
	t.Helper()
	if e.Kind != incident.KindAlert || e.Source != Source {
		t.Errorf("kind %q source %q", e.Kind, e.Source)
	}
	e.Normalize()
	if err := e.Validate(); err != nil {
		t.Errorf("invalid event %+v: %v", e, err)
	}
}

func TestParse_Metadata(t *testing.T) {
	r := parseFile(t, "testdata/notifications.jsonl")
	md := r.Events[2].Metadata
	if md["truncated_alerts"] != 2 || md["receiver"] != "hindsight" || md["group_key"] != `{}:{alertname="DiskFull"}` {
		t.Errorf("metadata = %v", md)
	}
	labels, _ := md["labels"].(map[string]string)
	if labels["alertname"] != "DiskFull" || labels["instance"] != "db-1:9100" {
		t.Errorf("labels = %v", md["labels"])
	}
	r = parseFile(t, "testdata/api_v2_alerts.json")
	if got := r.Events[1].Metadata["silenced_by"]; !cmp.Equal(got, []string{"7d6f7d37-3d1a-4e55-9cf0-52f5a26bf0d1"}) {
		t.Errorf("silenced_by = %v", got)
	}
	if got := r.Events[1].Metadata["receivers"]; !cmp.Equal(got, []string{"team-infra"}) {
		t.Errorf("receivers = %v", got)
	}
}

func TestParse_OtherShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantSubs []string
		wantErr  string
	}{
		{name: "API v1 answer", in: `{"status":"success","data":[{"labels":{"alertname":"X"},"annotations":{},"startsAt":"2024-05-01T10:00:00Z","endsAt":"2024-05-01T10:20:00Z","status":{"state":"active","silencedBy":[],"inhibitedBy":[]},"receivers":["hindsight"],"fingerprint":"ff01"}]}`,
			wantSubs: []string{"trigger"}},
		{name: "API v2 alert groups", in: `[{"labels":{"alertname":"X"},"receiver":{"name":"hindsight"},"alerts":[{"labels":{"alertname":"X"},"annotations":{},"startsAt":"2024-05-01T10:00:00Z","endsAt":"2024-05-01T10:20:00Z","status":{"state":"suppressed","silencedBy":["s1"],"inhibitedBy":[]},"fingerprint":"ff02","receivers":[{"name":"hindsight"}],"updatedAt":"2024-05-01T10:10:00Z"}]}]`,
			wantSubs: []string{"suppress"}},
		{name: "pretty JSON with an error", in: "{\n  \"alerts\": [\n    {,}\n  ]\n}", wantErr: "alertmanager: in.json: not a JSON object: line 3:"},
		{name: "not JSON", in: "receiver: hindsight", wantErr: `alertmanager: in.json: not JSON (it starts with "r"); want an Alertmanager webhook notification`},
		{name: "empty", in: "  \n", wantErr: "the file is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("in.json", tt.in), importers.Options{}, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var subs []string
			for _, e := range r.Events {
				subs = append(subs, e.Metadata[importers.MetaSubtype].(string))
			}
			if !cmp.Equal(subs, tt.wantSubs) || len(r.Rejects) > 0 {
				t.Errorf("subtypes %v, rejects %v", subs, r.Rejects)
			}
		})
	}
}

func TestParseDelivery(t *testing.T) {
	firing, err := os.ReadFile("testdata/firing.json")
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		want    []row
		wantN   int
		wantErr string
	}{
		{name: "documented notification", body: string(firing), wantN: 2},
		{
			name: "no status: endsAt after the delivery fires, before it resolves",
			body: `{"version":"4","status":"firing","receiver":"r","alerts":[` +
				`{"labels":{"alertname":"Up"},"startsAt":"2024-05-01T10:00:00Z","endsAt":"2024-05-01T10:34:00Z","fingerprint":"f1"},` +
				`{"labels":{"alertname":"Down"},"startsAt":"2024-05-01T10:00:00Z","endsAt":"2024-05-01T10:29:00Z","fingerprint":"f2"}]}`,
			want: []row{
				{ID: importers.StableID("f1", "firing", "2024-05-01T10:00:00Z"), At: "2024-05-01T10:00:00Z", AtText: "2024-05-01T10:00:00Z", Subtype: "trigger", EventType: "firing",
					Severity: "unknown", Body: "Triggered: Up", Thread: "f1", Actor: "Alertmanager"},
				{ID: importers.StableID("f2", "resolved", "2024-05-01T10:00:00Z", "2024-05-01T10:29:00Z"), At: "2024-05-01T10:29:00Z", AtText: "2024-05-01T10:29:00Z", Subtype: "resolve", EventType: "resolved",
					Severity: "unknown", Body: "Resolved: Down", Thread: "f2", Actor: "Alertmanager"},
			},
		},
		{
			name: "resolved without endsAt takes the delivery time",
			body: `{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"X"},"startsAt":"2024-05-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"f3"}]}`,
			want: []row{{ID: importers.StableID("f3", "resolved", "2024-05-01T10:00:00Z", ""), At: "2024-05-01T10:30:00Z", AtText: "received 2024-05-01T10:30:00Z",
				Subtype: "resolve", EventType: "resolved", Severity: "unknown", Body: "Resolved: X", Thread: "f3", Actor: "Alertmanager"}},
		},
		{name: "a bad alert refuses the delivery", body: `{"version":"4","alerts":[{"status":"firing","labels":{"a":"b"},"startsAt":"2024-05-01T10:00:00Z"},{"status":"firing","labels":{"a":"c"},"startsAt":"soon"}]}`,
			wantErr: `alerts[1].startsAt: timestamp "soon" is in no known format`},
		{name: "wrong shape", body: `{"event":{"id":"x"}}`, wantErr: `body: want an Alertmanager webhook notification`},
		{name: "not JSON", body: `status=firing`, wantErr: `body: not JSON (it starts with "s"); want an Alertmanager webhook notification`},
		{name: "labels of the wrong type", body: `{"alerts":[{"labels":["a"],"startsAt":"2024-05-01T10:00:00Z"}]}`, wantErr: "alerts[0].labels: is a JSON array, want an object"},
		{name: "empty alerts store nothing", body: `{"version":"4","status":"firing","alerts":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			d := importers.Delivery{ContentType: "application/json", Body: []byte(tt.body), ReceivedAt: received}
			err := New().ParseDelivery(context.Background(), d, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if len(r.Events) > 0 {
					t.Errorf("a refused delivery gave events: %v", r.Events)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil {
				var got []row
				for _, e := range r.Events {
					got = append(got, rowOf(e))
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
			} else if len(r.Events) != tt.wantN {
				t.Errorf("%d events, want %d", len(r.Events), tt.wantN)
			}
			for _, e := range r.Events {
				checkValid(t, e)
			}
		})
	}
}

// TestParseDelivery_SameAsFile: a live notification and the same one
// imported from a capture file give the same events, so they dedupe.
func TestParseDelivery_SameAsFile(t *testing.T) {
	body, err := os.ReadFile("testdata/firing.json")
	if err != nil {
		t.Fatal(err)
	}
	var live importertest.Recorder
	if err := New().ParseDelivery(context.Background(), importers.Delivery{Body: body, ReceivedAt: time.Now()}, &live); err != nil {
		t.Fatal(err)
	}
	file := parseFile(t, "testdata/firing.json")
	if diff := cmp.Diff(file.Events, live.Events); diff != "" {
		t.Errorf("live vs file (-file +live):\n%s", diff)
	}
}
