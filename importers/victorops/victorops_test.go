package victorops

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
	ID, At, AtText, Subtype, EventType, Actor, Service, Host, Severity, Body, Link, Thread, Incident string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), AtText: e.OccurredAtText,
		Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType), Actor: e.Actor, Service: s(importers.MetaService),
		Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity), Body: e.Body, Link: e.Link, Thread: e.ThreadID,
		Incident: s(importers.MetaIncident),
	}
}

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

func incID(num, name, at string) string { return importers.StableID("incident", num, name, at) }

const (
	latency     = "Checkout API p99 latency above 2s"
	latencyID   = "checkout-api/latency"
	link4217    = "https://portal.victorops.com/ui/acme/incident/4217/details"
	link4300    = "https://portal.victorops.com/ui/acme/incident/4300/details"
	wantFlatRow = "Triggered: " + latency + "\n\np99 latency 2.4s for 5 minutes on **checkout-api**"
)

func TestParse_Files(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []row
		rejects []importers.Rejection
	}{
		{
			name: "flat webhook", file: "testdata/webhook_flat.json",
			want: []row{{ID: "0a1e7a52-4c7e-4f0b-9d5a-6f3c1e2b9d11:critical", At: "2024-05-01T10:00:00Z", AtText: "1714557600", Subtype: "trigger", EventType: "CRITICAL",
				Actor: "Datadog", Service: "checkout-api", Host: "api-1.prod.example.com", Severity: "critical", Body: wantFlatRow, Thread: latencyID, Incident: "INC-21"}},
		},
		{
			name: "webhook captures: nested, recovery, info, unknown type, no time", file: "testdata/webhooks.jsonl",
			want: []row{
				{ID: "5b8f0c2e-7a0d-4c55-8a55-2f1f6c3e0a01:acknowledgement", At: "2024-05-01T10:03:00Z", AtText: "1714557780", Subtype: "acknowledge", EventType: "ACKNOWLEDGEMENT",
					Actor: "jdoe", Severity: "unknown", Body: "Acknowledged: " + latency + "\n\nLooking into it", Thread: latencyID},
				{ID: "9c3d2b1a-0f4e-4a6b-8c7d-1e2f3a4b5c6d:recovery", At: "2024-05-01T10:30:00Z", AtText: "1714559400000", Subtype: "resolve", EventType: "RECOVERY",
					Actor: "Datadog", Severity: "info", Body: "Resolved: " + latency + "\n\np99 latency back to 300ms", Thread: latencyID},
				{ID: importers.StableID("deploy/checkout", "INFO", "2024-05-01T09:55:00Z"), At: "2024-05-01T09:55:00Z", AtText: "2024-05-01T09:55:00Z", Subtype: "note", EventType: "INFO",
					Actor: "Jenkins", Severity: "info", Body: "Note: Deploy 2024.05.01-3 started\n\nRolling deploy by CI", Thread: "deploy/checkout"},
				{ID: importers.StableID("batch/etl", "CHAOS", "2024-05-01T10:06:40Z"), At: "2024-05-01T10:06:40Z", AtText: "1714558000", Subtype: "other", EventType: "CHAOS",
					Actor: "Splunk On-Call", Severity: "unknown", Body: "Alert: Custom template without prefixes", Thread: "batch/etl"},
			},
			rejects: []importers.Rejection{
				{File: "testdata/webhooks.jsonl", Line: 5, Field: "ALERT.timestamp", Reason: "is missing (as are ALERT.vo_alert_rcv_time, STATE.STATE_START_TIME, INCIDENT.INCIDENT_TIMESTAMP, STATE.LAST_TIMESTAMP), so the event has no time"},
				{File: "testdata/webhooks.jsonl", Line: 6, Reason: "is not a Splunk On-Call webhook payload, incident or incident list"},
			},
		},
		{
			name: "public API incident list", file: "testdata/incidents_public.json",
			want: []row{
				{ID: incID("4217", "TRIGGERED", "2024-05-01T10:00:02Z"), At: "2024-05-01T10:00:02Z", AtText: "2024-05-01T10:00:02Z", Subtype: "trigger", EventType: "TRIGGERED",
					Actor: "Datadog", Service: "checkout-api", Host: "api-1.prod.example.com", Severity: "critical", Body: "Triggered: " + latency, Link: link4217, Thread: latencyID},
				{ID: incID("4217", "ACKED", "2024-05-01T10:03:00Z"), At: "2024-05-01T10:03:00Z", AtText: "2024-05-01T10:03:00Z", Subtype: "acknowledge", EventType: "ACKED",
					Actor: "jdoe", Service: "checkout-api", Host: "api-1.prod.example.com", Severity: "critical", Body: "Acknowledged: " + latency + "\n\nLooking into it", Link: link4217, Thread: latencyID},
				{ID: incID("4217", "RESOLVED", "2024-05-01T10:30:00Z"), At: "2024-05-01T10:30:00Z", AtText: "2024-05-01T10:30:00Z", Subtype: "resolve", EventType: "RESOLVED",
					Actor: "jdoe", Service: "checkout-api", Host: "api-1.prod.example.com", Severity: "critical", Body: "Resolved: " + latency + "\n\nRolled back 2024.05.01-3", Link: link4217, Thread: latencyID},
				{ID: incID("4218", "TRIGGERED", "2024-05-01T10:12:40Z"), At: "2024-05-01T10:12:40Z", AtText: "2024-05-01T10:12:40Z", Subtype: "trigger", EventType: "TRIGGERED",
					Actor: "Splunk On-Call", Host: "db-1", Severity: "warning", Body: "Triggered: Disk 85% on db-1", Thread: "disk/db-1"},
				{ID: incID("4218", "ESCALATED", "2024-05-01T10:27:40Z"), At: "2024-05-01T10:27:40Z", AtText: "2024-05-01T10:27:40Z", Subtype: "escalate", EventType: "ESCALATED",
					Actor: "system", Host: "db-1", Severity: "warning", Body: "Escalated: Disk 85% on db-1", Thread: "disk/db-1"},
				{ID: incID("4218", "REROUTED", "2024-05-01T10:28:00Z"), At: "2024-05-01T10:28:00Z", AtText: "2024-05-01T10:28:00Z", Subtype: "other", EventType: "REROUTED",
					Actor: "asmith", Host: "db-1", Severity: "warning", Body: "Alert: Disk 85% on db-1\n\nto team-dba", Thread: "disk/db-1"},
			},
			rejects: []importers.Rejection{
				{File: "testdata/incidents_public.json", Line: 1, Field: "incidents[1].transitions[2].at", Reason: `timestamp "sometime" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
				{File: "testdata/incidents_public.json", Line: 1, Field: "incidents[2].incidentNumber", Reason: "is missing"},
			},
		},
		{
			name: "reporting API incident history", file: "testdata/incidents_reporting.json",
			want: []row{
				{ID: incID("4300", "TRIGGERED", "2024-05-02T08:00:00Z"), At: "2024-05-02T08:00:00Z", AtText: "2024-05-02T08:00:00.000Z", Subtype: "trigger", EventType: "TRIGGERED",
					Actor: "Nagios", Host: "lb-2", Severity: "critical", Body: "Triggered: lb-2 is DOWN", Link: link4300, Thread: "host/lb-2"},
				{ID: incID("4300", "ACKED", "2024-05-02T08:05:00Z"), At: "2024-05-02T08:05:00Z", AtText: "2024-05-02T08:05:00.000Z", Subtype: "acknowledge", EventType: "ACKED",
					Actor: "oncall-infra", Host: "lb-2", Severity: "critical", Body: "Acknowledged: lb-2 is DOWN", Link: link4300, Thread: "host/lb-2"},
				{ID: incID("4300", "RESOLVED", "2024-05-02T08:40:00Z"), At: "2024-05-02T08:40:00Z", AtText: "2024-05-02T08:40:00.000Z", Subtype: "resolve", EventType: "RESOLVED",
					Actor: "Nagios", Host: "lb-2", Severity: "critical", Body: "Resolved: lb-2 is DOWN", Link: link4300, Thread: "host/lb-2"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			if err := New().Parse(context.Background(), importertest.FileInput(tt.file), importers.Options{}, &r); err != nil {
				t.Fatal(err)
			}
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

func TestParse_Metadata(t *testing.T) {
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/incidents_public.json"), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	md := r.Events[1].Metadata
	if md["incident_number"] != "4217" || md["routing_key"] != "checkout" || md["manually"] != true || md[importers.MetaCount] != 3 ||
		!cmp.Equal(md["paged_users"], []string{"jdoe", "asmith"}) {
		t.Errorf("metadata = %v", md)
	}
	r = importertest.Recorder{}
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/webhook_flat.json"), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	md = r.Events[0].Metadata
	f, _ := md["fields"].(map[string]string)
	if f["INCIDENT.INCIDENT_NAME"] != "4217" || md["routing_key"] != "checkout" || md["incident_name"] != "4217" || md[importers.MetaStatus] != "UNACKED" {
		t.Errorf("metadata = %v", md)
	}
}

func TestParseDelivery(t *testing.T) {
	flat, err := os.ReadFile("testdata/webhook_flat.json")
	if err != nil {
		t.Fatal(err)
	}
	form, err := os.ReadFile("testdata/webhook_form.txt")
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2024, 5, 1, 10, 5, 30, 0, time.UTC)
	const formCT = "application/x-www-form-urlencoded"
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []row
		wantErr     string
	}{
		{name: "flat JSON", contentType: "application/json", body: string(flat), want: []row{{ID: "0a1e7a52-4c7e-4f0b-9d5a-6f3c1e2b9d11:critical", At: "2024-05-01T10:00:00Z",
			AtText: "1714557600", Subtype: "trigger", EventType: "CRITICAL", Actor: "Datadog", Service: "checkout-api", Host: "api-1.prod.example.com", Severity: "critical",
			Body: wantFlatRow, Thread: latencyID, Incident: "INC-21"}}},
		{name: "form-encoded", contentType: formCT, body: string(form), want: []row{{ID: "form-uuid-1:warning", At: "2024-05-01T10:05:00Z", AtText: "1714557900",
			Subtype: "trigger", EventType: "WARNING", Actor: "Splunk On-Call", Host: "worker-2", Severity: "warning", Body: "Triggered: Queue backlog over 10k", Thread: "queue/backlog", Incident: "INC-4"}}},
		{name: "form-encoded without content type", body: "ALERT.entity_id=x&ALERT.message_type=RECOVERY&ALERT.timestamp=1714557900&ALERT.ack_author=ops-bot",
			want: []row{{ID: importers.StableID("x", "RECOVERY", "2024-05-01T10:05:00Z"), At: "2024-05-01T10:05:00Z", AtText: "1714557900", Subtype: "resolve", EventType: "RECOVERY",
				Actor: "ops-bot", Severity: "unknown", Body: "Resolved: x", Thread: "x"}}},
		{name: "phase only, no time: dated by the delivery", contentType: "application/json",
			body: `{"INCIDENT":{"INCIDENT_NAME":"4217","CURRENT_PHASE":"ACKED"},"ALERT":{"ack_author":"jdoe"}}`,
			want: []row{{ID: importers.StableID("4217", "ACKED", "2024-05-01T10:05:00Z"), At: "2024-05-01T10:05:30Z", AtText: "received 2024-05-01T10:05:30Z", Subtype: "acknowledge",
				EventType: "ACKED", Actor: "jdoe", Severity: "unknown", Body: "Acknowledged: 4217", Thread: "4217"}}},
		{name: "bad timestamp names the key", contentType: "application/json", body: `{"ALERT.entity_id":"x","ALERT.message_type":"CRITICAL","ALERT.timestamp":"tuesday"}`,
			wantErr: `ALERT.timestamp: timestamp "tuesday"`},
		{name: "bad form timestamp", contentType: formCT, body: "alert.entity_id=x&alert.timestamp=-1", wantErr: `alert.timestamp: timestamp "-1"`},
		{name: "not a webhook", contentType: "application/json", body: `{"summary":"hello"}`, wantErr: "body: want a Splunk On-Call outgoing webhook"},
		{name: "nothing to tell the alert by", contentType: "application/json", body: `{"ALERT.state_message":"x"}`, wantErr: "ALERT.entity_id: is missing"},
		{name: "empty form", contentType: formCT, body: "", wantErr: "neither JSON nor form-encoded"},
		{name: "broken JSON sent as a form is told as JSON", contentType: formCT, body: `{"ALERT.entity_id":`, wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			d := importers.Delivery{ContentType: tt.contentType, Body: []byte(tt.body), ReceivedAt: received}
			err := New().ParseDelivery(context.Background(), d, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if len(r.Events) > 0 {
					t.Errorf("refused delivery gave events")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []row
			for _, e := range r.Events {
				got = append(got, rowOf(e))
				checkValid(t, e)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseDelivery_Redelivered: the same webhook twice is one event; its
// acknowledgement (same alert uuid, other message type) is another.
func TestParseDelivery_Redelivered(t *testing.T) {
	ids := map[string]int{}
	for _, body := range []string{
		`{"ALERT.VO_UUID":"u1","ALERT.entity_id":"e","ALERT.message_type":"CRITICAL","ALERT.timestamp":"1714557600"}`,
		`{"ALERT.VO_UUID":"u1","ALERT.entity_id":"e","ALERT.message_type":"CRITICAL","ALERT.timestamp":"1714557600"}`,
		`{"ALERT.VO_UUID":"u1","ALERT.entity_id":"e","ALERT.message_type":"ACKNOWLEDGEMENT","ALERT.timestamp":"1714557700"}`,
	} {
		var r importertest.Recorder
		if err := New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(body), ReceivedAt: time.Now()}, &r); err != nil {
			t.Fatal(err)
		}
		ids[r.Events[0].ExternalID]++
	}
	if len(ids) != 2 || ids["u1:critical"] != 2 {
		t.Errorf("ids = %v", ids)
	}
}

// TestParseDelivery_IncidentPhase reads a real incident-level outgoing
// webhook (relay-integrations) and the same incident once acknowledged:
// ALERT.* still says CRITICAL, the phase says what happened.
func TestParseDelivery_IncidentPhase(t *testing.T) {
	var got []incident.TimelineEvent
	for _, f := range []string{"testdata/relay_triggered.json", "testdata/relay_acked.json"} {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var r importertest.Recorder
		if err := New().ParseDelivery(context.Background(), importers.Delivery{ContentType: "application/json", Body: body, ReceivedAt: time.Now()}, &r); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got = append(got, r.Events...)
	}
	if len(got) != 2 {
		t.Fatalf("events: %+v", got)
	}
	trig, ack := got[0], got[1]
	if trig.Metadata["subtype"] != "trigger" || !trig.OccurredAt.Equal(time.UnixMilli(1591156454582).UTC()) || trig.Metadata["service"] != "test14" {
		t.Errorf("trigger: %v %v", trig.OccurredAt, trig.Metadata)
	}
	if ack.Metadata["subtype"] != "acknowledge" || !ack.OccurredAt.Equal(time.UnixMilli(1591156554582).UTC()) || ack.Actor != "kenazk" ||
		!strings.Contains(ack.Body, "looking") || ack.ExternalID == trig.ExternalID || ack.ThreadID != trig.ThreadID {
		t.Errorf("acknowledgement: %+v", ack)
	}
}

func TestParse_FormFile(t *testing.T) {
	var r importertest.Recorder
	in := "ALERT.VO_UUID=3c8d&ALERT.entity_id=disk.web01&ALERT.message_type=ACKNOWLEDGEMENT&ALERT.ack_author=ana&ALERT.ack_msg=on+it&ALERT.timestamp=1764000100&ALERT.service=checkout\n\n" +
		"ALERT.entity_id=disk.web01&ALERT.message_type=RECOVERY\n%zz\n"
	if err := New().Parse(context.Background(), importertest.StringInput("forms.txt", in), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 1 || r.Events[0].Actor != "ana" || r.Events[0].Metadata["subtype"] != "acknowledge" {
		t.Fatalf("events: %+v", r.Events)
	}
	if len(r.Rejects) != 2 || r.Rejects[0].Line != 3 || r.Rejects[1].Line != 4 {
		t.Fatalf("rejects: %+v", r.Rejects)
	}
}
