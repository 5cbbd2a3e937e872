package pagerduty

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
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
	ID, At, AtText, Subtype, EventType, Actor string
	Service, Host, Severity, Vendor, Status   string
	Body, Link, Thread, Ref                   string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), AtText: e.OccurredAtText,
		Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType), Actor: e.Actor,
		Service: s(importers.MetaService), Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity),
		Vendor: s(importers.MetaVendorSeverity), Status: s(importers.MetaStatus),
		Body: e.Body, Link: e.Link, Thread: e.ThreadID, Ref: s(importers.MetaIncident),
	}
}

func parseFile(t *testing.T, path string) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput(path), importers.Options{}, &r); err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	for _, e := range r.Events {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: event %s is invalid: %v", path, e.ExternalID, err)
		}
		if e.Kind != incident.KindAlert || e.Source != Source {
			t.Errorf("%s: event %s is %s/%s", path, e.ExternalID, e.Source, e.Kind)
		}
	}
	return &r
}

const title3 = "Checkout 5xx rate above 5% in eu-west-1"
const link3 = "https://acme.pagerduty.com/incidents/Q2W5CHKX9ZL0AB"

func TestParse_WebhookV3(t *testing.T) {
	r := parseFile(t, "testdata/v3_triggered.json")
	got := rowOf(r.Events[0])
	want := row{ID: "01DEN4HPBQAAAG05V5QQYBRZMF", At: "2026-03-01T10:02:11.402Z", AtText: "2026-03-01T10:02:11.402Z",
		Subtype: "trigger", EventType: "incident.triggered", Actor: "Checkout API", Service: "Checkout API",
		Severity: "critical", Vendor: "P1", Status: "triggered", Body: "Triggered: " + title3 + "\n\nAssigned to: Ana Lima",
		Link: link3, Thread: "Q2W5CHKX9ZL0AB"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("triggered (-want +got):\n%s", d)
	}
	md := r.Events[0].Metadata
	if md["incident_number"] != "4812" || md["urgency"] != "high" || md["client"] != "Datadog" || md["escalation_policy"] != "Checkout on-call" {
		t.Errorf("extra metadata = %v", md)
	}

	r = parseFile(t, "testdata/v3_events.jsonl")
	if len(r.Rejects) != 0 || len(r.Events) != 14 {
		t.Fatalf("events %d, rejects %v", len(r.Events), r.Rejects)
	}
	byID := r.ByID()
	// The custom field in the file names INC-7: every event of the
	// PagerDuty incident carries it; the service event does not.
	tests := []struct {
		name string
		id   string
		want row
	}{
		{"acknowledged", "01DEN4J0ACK0000000000000AA", row{Subtype: "acknowledge", EventType: "incident.acknowledged", Actor: "Ana Lima",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "acknowledged", Body: "Acknowledged: " + title3}},
		{"annotated note in html", "01DEN4J0NOTE000000000000AA", row{Subtype: "note", EventType: "incident.annotated", Actor: "Ana Lima",
			Severity: "unknown", Body: "Note: " + title3 + "\n\nRolling back **deploy 2026.03.01-2**; error rate climbing since 09:58."}},
		{"unacknowledged without agent", "01DEN4J0UNACK00000000000AA", row{Subtype: "unacknowledge", EventType: "incident.unacknowledged", Actor: "PagerDuty",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "triggered", Body: "Unacknowledged: " + title3 + "\n\nAssigned to: Ana Lima"}},
		{"escalated", "01DEN4J0ESC00000000000000A", row{Subtype: "escalate", EventType: "incident.escalated", Actor: "PagerDuty",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "triggered", Body: "Escalated: " + title3 + "\n\nAssigned to: Bo Chen"}},
		{"reassigned", "01DEN4J0REAS0000000000000A", row{Subtype: "assign", EventType: "incident.reassigned", Actor: "Ana Lima",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "triggered", Body: "Assigned: " + title3 + "\n\nAssigned to: Bo Chen"}},
		{"delegated", "01DEN4J0DELE0000000000000A", row{Subtype: "assign", EventType: "incident.delegated", Actor: "Ana Lima",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "triggered", Body: "Assigned: " + title3 + "\n\nEscalation policy: Database on-call"}},
		{"priority updated", "01DEN4J0PRIO0000000000000A", row{Subtype: "update", EventType: "incident.priority_updated", Actor: "Ana Lima",
			Service: "Checkout API", Severity: "error", Vendor: "P2", Status: "triggered", Body: "Updated: " + title3 + "\n\nPriority: P2"}},
		{"responder added", "01DEN4J0RESP0000000000000A", row{Subtype: "update", EventType: "incident.responder.added", Actor: "Ana Lima",
			Severity: "unknown", Body: "Updated: " + title3 + "\n\nResponder Bo Chen (pending)\nNeed a DBA for the failover"}},
		{"status update", "01DEN4J0STAT0000000000000A", row{Subtype: "note", EventType: "incident.status_update_published", Actor: "Ana Lima",
			Severity: "unknown", Body: "Note: " + title3 + "\n\nCheckout is degraded in EU; a fix is rolling out."}},
		{"custom field names the incident", "01DEN4J0CUST0000000000000A", row{Subtype: "update", EventType: "incident.custom_field_values.updated", Actor: "Ana Lima",
			Severity: "unknown", Body: "Updated: " + title3 + "\n\nHindsight incident: INC-7\nRegion: eu-west-1"}},
		{"resolved", "01DEN4J0RES00000000000000A", row{Subtype: "resolve", EventType: "incident.resolved", Actor: "Ana Lima",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "resolved", Body: "Resolved: " + title3}},
		{"reopened", "01DEN4J0REOP0000000000000A", row{Subtype: "reopen", EventType: "incident.reopened", Actor: "Bo Chen",
			Service: "Checkout API", Severity: "critical", Vendor: "P1", Status: "triggered", Body: "Reopened: " + title3 + "\n\nAssigned to: Ana Lima"}},
		{"unknown type kept as other", "01DEN4J0WORK0000000000000A", row{Subtype: "other", EventType: "incident.workflow.started", Actor: "PagerDuty",
			Severity: "unknown", Body: "Alert: " + title3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := byID[tt.id]
			if !ok {
				t.Fatalf("no event %s", tt.id)
			}
			got := rowOf(e)
			tt.want.ID, tt.want.Thread, tt.want.Link, tt.want.Ref = tt.id, "Q2W5CHKX9ZL0AB", link3, "INC-7"
			tt.want.At, tt.want.AtText = got.At, got.AtText
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	svc := rowOf(byID["01DEN4J0SVC00000000000000A"])
	if svc.Subtype != "other" || svc.Thread != "" || svc.Service != "Checkout API" || svc.Ref != "" || svc.Body != "Alert: Checkout API" {
		t.Errorf("service.updated = %+v", svc)
	}
}

func TestParse_WebhookV2(t *testing.T) {
	r := parseFile(t, "testdata/v2_webhook.json")
	var got []row
	for _, e := range r.Events {
		got = append(got, rowOf(e))
	}
	const title = "Replica lag above 30s on xdb-2"
	base := row{Service: "Production XDB Cluster", Severity: "critical", Vendor: "high urgency", Link: "https://webdemo.pagerduty.com/incidents/PRORDTY", Thread: "PRORDTY", Ref: "INC-12"}
	mk := func(id, at, sub, typ, actor, status, body string) row {
		r := base
		r.ID, r.At, r.AtText, r.Subtype, r.EventType, r.Actor, r.Status, r.Body = id, at, at, sub, typ, actor, status, body
		return r
	}
	trig := mk("69a7ced0-a2cd-11e7-a799-22000a15839c", "2017-09-26T15:14:36Z", "trigger", "incident.trigger", "Prometheus", "triggered",
		"Triggered: "+title+"\n\nTriggered through the API\nhindsight_incident: INC-12\nlag_seconds: 41\nrunbook: https://wiki.example.com/xdb")
	trig.Host = "xdb-2.prod"
	res := mk("e7a4f6c2-a2cd-11e7-a799-22000a15839c", "2017-09-26T15:18:09Z", "resolve", "incident.resolve", "Laura Haley", "resolved", "Resolved: "+title+"\n\nResolved by Laura Haley")
	res.AtText = "2017-09-26T15:18:09+00:00"
	want := []row{
		trig,
		mk("82a33960-a2cd-11e7-8f69-22000affca53", "2017-09-26T15:15:17Z", "acknowledge", "incident.acknowledge", "Laura Haley", "acknowledged", "Acknowledged: "+title+"\n\nAcknowledged by Laura Haley"),
		mk("9c0b8f1e-a2cd-11e7-8f69-22000affca53", "2017-09-26T15:16:02Z", "note", "incident.annotate", "Laura Haley", "acknowledged", "Note: "+title+"\n\nFailing over to xdb-3; xdb-2 disk is full."),
		res,
		mk("f0000000-a2cd-11e7-a799-22000a15839c", "2017-09-26T15:19:00Z", "other", "incident.custom", "Laura Haley", "resolved", "Alert: "+title),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestParse_LogEntriesNewestFirst(t *testing.T) {
	r := parseFile(t, "testdata/log_entries.json")
	if len(r.Rejects) != 0 {
		t.Fatalf("rejects %v", r.Rejects)
	}
	const title = "Disk full on db-7"
	type short struct{ ID, At, Subtype, Actor, Body, Ref string }
	var got []short
	for _, e := range r.Events {
		x := rowOf(e)
		got = append(got, short{x.ID, x.At, x.Subtype, x.Actor, x.Body, x.Ref})
		if x.Thread != "Q1VEBQ4LRTA2H5" || x.Service != "Orders DB" {
			t.Errorf("%s: thread %q service %q", x.ID, x.Thread, x.Service)
		}
	}
	// The list is newest first; each entry keeps its own time, and the
	// trigger's custom detail "incident" reaches every entry.
	want := []short{
		{"RLE9RESOLVE0000000000000001", "2026-03-01T11:05:00Z", "resolve", "Bo Chen", "Resolved: " + title + "\n\nResolved by Bo Chen\nOld binlogs purged.", "INC-7"},
		{"RLE8UNKNOWN0000000000000001", "2026-03-01T10:59:00Z", "other", "Bo Chen", "Alert: " + title + "\n\nMerged incident #5121 into this one", "INC-7"},
		{"RLE7ANNOTATE000000000000001", "2026-03-01T10:50:00Z", "note", "Bo Chen", "Note: " + title + "\n\nPurging binlogs older than 3 days on db-7.", "INC-7"},
		{"RLE6UNACK000000000000000001", "2026-03-01T10:45:00Z", "unacknowledge", "Orders DB", "Unacknowledged: " + title + "\n\nUnacknowledged due to timeout", "INC-7"},
		{"RLE5SNOOZE00000000000000001", "2026-03-01T10:30:00Z", "snooze", "Bo Chen", "Snoozed: " + title + "\n\nSnoozed for 15 minutes by Bo Chen", "INC-7"},
		{"RLE4ACK00000000000000000001", "2026-03-01T10:20:00Z", "acknowledge", "Bo Chen", "Acknowledged: " + title + "\n\nAcknowledged by Bo Chen", "INC-7"},
		{"RLE3ASSIGN00000000000000001", "2026-03-01T10:15:00Z", "assign", "Ana Lima", "Assigned: " + title + "\n\nReassigned to Bo Chen", "INC-7"},
		{"RLE2NOTIFY00000000000000001", "2026-03-01T10:10:30Z", "other", "Orders DB", "Alert: " + title + "\n\nNotified Ana Lima by SMS.", "INC-7"},
		{"RLE1ESCAL000000000000000001", "2026-03-01T10:10:05Z", "escalate", "Orders DB", "Escalated: " + title + "\n\nEscalated to level 1", "INC-7"},
		{"RLE0TRIGGER0000000000000001", "2026-03-01T10:10:00Z", "trigger", "Zabbix", "Triggered: " + title + "\n\nTriggered through the API\nfilesystem: /var/lib/mysql\nincident: INC-7\nused: 99%", "INC-7"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	trig := rowOf(r.Events[9])
	if trig.Host != "db-7.prod" || trig.Severity != "warning" || trig.Link != "https://acme.pagerduty.com/incidents/Q1VEBQ4LRTA2H5/log_entries/RLE0TRIGGER0000000000000001" {
		t.Errorf("trigger = %+v", trig)
	}
	if ack := rowOf(r.Events[5]); ack.Severity != "info" || ack.Vendor != "low urgency" || ack.Link != "https://acme.pagerduty.com/incidents/Q1VEBQ4LRTA2H5" {
		t.Errorf("ack = %+v", ack)
	}

	one := parseFile(t, "testdata/log_entry.json")
	if len(one.Events) != 1 || one.Events[0].ExternalID != "RLE7ANNOTATE000000000000001" || one.Events[0].Metadata[importers.MetaIncident] != nil {
		t.Errorf("single log entry = %+v", one.Events)
	}
}

func TestParse_BadRecords(t *testing.T) {
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/bad.jsonl"), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	if got := len(r.Events); got != 2 {
		t.Errorf("%d events, want 2 (E1, M1)", got)
	}
	want := []importers.Rejection{
		{File: "testdata/bad.jsonl", Line: 2, Field: "event.occurred_at", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
		{File: "testdata/bad.jsonl", Line: 3, Reason: "not JSON: invalid character 'o' in literal null (expecting 'u')"},
		{File: "testdata/bad.jsonl", Line: 4, Reason: "is none of the known shapes; want " + wantShapes},
		{File: "testdata/bad.jsonl", Line: 5, Field: "messages[1].created_on", Reason: "is missing"},
		{File: "testdata/bad.jsonl", Line: 6, Field: "event.data.title", Reason: "is a JSON number, want a string"},
	}
	if d := cmp.Diff(want, r.Rejects); d != "" {
		t.Errorf("rejects (-want +got):\n%s", d)
	}
}

func TestParse_Shapes(t *testing.T) {
	v3, err := os.ReadFile("testdata/v3_triggered.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		events  int
		wantErr string
	}{
		{name: "array of payloads", in: "[" + string(v3) + "," + string(v3) + "]", events: 2},
		{name: "array of bare log entries", in: `[{"id":"L1","type":"trigger_log_entry","created_at":"2026-03-01T10:00:00Z","summary":"Triggered"}]`, events: 1},
		{name: "empty log entries list", in: `{"log_entries":[],"limit":100,"offset":0,"more":false}`, events: 0},
		{name: "not json", in: "hello", wantErr: `pagerduty: in.json: not JSON (it starts with "h"); want a PagerDuty webhook`},
		{name: "empty", in: "  ", wantErr: "in.json: the file is empty; want a PagerDuty webhook"},
		{name: "unknown object", in: `{"incidents":[]}`, wantErr: "in.json: is none of the known shapes"},
		{name: "broken object", in: "{\n\"event\": {\n\"id\": \n}", wantErr: "in.json: not a JSON object: line 4: invalid character '}'"},
		{name: "single event without time", in: `{"event":{"id":"E","event_type":"incident.triggered","data":{"id":"Q","type":"incident"}}}`, wantErr: "in.json: event.occurred_at: is missing"},
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
			if err != nil || len(r.Events) != tt.events {
				t.Fatalf("err %v, %d events, want %d (rejects %v)", err, len(r.Events), tt.events, r.Rejects)
			}
		})
	}
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

func TestVerifySignature(t *testing.T) {
	body, _ := os.ReadFile("testdata/v3_triggered.json")
	tests := []struct {
		name   string
		header []string
		secret string
		ok     bool
		want   string
	}{
		{name: "one signature", header: []string{sign("s3cret", body)}, secret: "s3cret", ok: true},
		{name: "rotation: second of two matches", header: []string{sign("old", body) + "," + sign("s3cret", body)}, secret: "s3cret", ok: true},
		{name: "rotation with spaces", header: []string{sign("s3cret", body) + ", " + sign("new", body)}, secret: "s3cret", ok: true},
		{name: "wrong secret", header: []string{sign("other", body)}, secret: "s3cret", want: "no v1 signature"},
		{name: "other version only", header: []string{"v2=" + strings.TrimPrefix(sign("s3cret", body), "v1=")}, secret: "s3cret", want: "no v1 signature"},
		{name: "garbage", header: []string{"v1=zz,nonsense"}, secret: "s3cret", want: "no v1 signature"},
		{name: "missing header", secret: "s3cret", want: "header is missing"},
		{name: "no secret configured", header: []string{sign("", body)}, want: "no signing secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tt.header {
				h.Add(SignatureHeader, v)
			}
			err := New().VerifySignature(importers.Delivery{Header: h, Body: body}, tt.secret)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, importers.ErrBadSignature) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrBadSignature with %q", err, tt.want)
			}
		})
	}
	// A body changed after signing fails.
	h := http.Header{SignatureHeader: {sign("s3cret", body)}}
	if err := New().VerifySignature(importers.Delivery{Header: h, Body: append([]byte(" "), body...)}, "s3cret"); err == nil {
		t.Error("a changed body passed")
	}
}

func TestParseDelivery(t *testing.T) {
	v3, _ := os.ReadFile("testdata/v3_triggered.json")
	v2, _ := os.ReadFile("testdata/v2_webhook.json")
	recv := time.Date(2026, 3, 1, 10, 2, 12, 0, time.UTC)
	tests := []struct {
		name    string
		body    string
		ids     []string
		wantAt  string
		wantErr string
	}{
		{name: "v3", body: string(v3), ids: []string{"01DEN4HPBQAAAG05V5QQYBRZMF"}},
		{name: "v2 batch", body: string(v2), ids: []string{"69a7ced0-a2cd-11e7-a799-22000a15839c", "82a33960-a2cd-11e7-8f69-22000affca53",
			"9c0b8f1e-a2cd-11e7-8f69-22000affca53", "e7a4f6c2-a2cd-11e7-a799-22000a15839c", "f0000000-a2cd-11e7-a799-22000a15839c"}},
		{name: "v3 without time takes the delivery's", body: `{"event":{"id":"E9","event_type":"incident.acknowledged","data":{"id":"Q9","type":"incident","title":"x"}}}`,
			ids: []string{"E9"}, wantAt: "received 2026-03-01T10:02:12Z"},
		{name: "v3 without id gets a stable one", body: `{"event":{"event_type":"incident.acknowledged","occurred_at":"2026-03-01T10:00:00Z","data":{"id":"Q9","type":"incident"}}}`,
			ids: []string{importers.StableID("v3", "incident.acknowledged", "Q9", "Q9", "2026-03-01T10:00:00Z")}},
		{name: "not json", body: "event=1", wantErr: "body: not JSON"},
		{name: "log entries are not a webhook", body: `{"log_entries":[]}`, wantErr: "event: is missing"},
		{name: "retired v1 webhook says so", body: `{"messages":[{"type":"incident.trigger","data":{"incident":{"id":"P1"}},"id":"m1","created_on":"2014-11-20T22:12:00Z"}]}`,
			wantErr: "messages[0].event: is missing: this is a PagerDuty v1 webhook"},
		{name: "bad v2 message refuses the delivery", body: `{"messages":[{"id":"M1","event":"incident.trigger","created_on":"2026-03-01T10:00:00Z","incident":{"id":"Q"}},{"id":"M2","event":"incident.resolve","created_on":"soon","incident":{"id":"Q"}}]}`,
			wantErr: "messages[1].created_on: timestamp"},
		{name: "missing event type", body: `{"event":{"id":"E","occurred_at":"2026-03-01T10:00:00Z"}}`, wantErr: "event.event_type: is missing"},
		{name: "null event", body: `{"event":null}`, wantErr: "event: is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(tt.body), ReceivedAt: recv}, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if len(r.Events) != 0 {
					t.Errorf("a refused delivery stored %d events", len(r.Events))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range r.Events {
				ids = append(ids, e.ExternalID)
			}
			if d := cmp.Diff(tt.ids, ids); d != "" {
				t.Errorf("ids (-want +got):\n%s", d)
			}
			if tt.wantAt != "" && (r.Events[0].OccurredAtText != tt.wantAt || !r.Events[0].OccurredAt.Equal(recv)) {
				t.Errorf("time = %s %q", r.Events[0].OccurredAt, r.Events[0].OccurredAtText)
			}
		})
	}
}

// TestParse_Redelivery: the same payload read twice gives the same ids;
// a trigger and its resolve differ.
func TestParse_Redelivery(t *testing.T) {
	a := parseFile(t, "testdata/v2_webhook.json")
	b := parseFile(t, "testdata/v2_webhook.json")
	if d := cmp.Diff(a.Events, b.Events); d != "" {
		t.Errorf("second read differs:\n%s", d)
	}
	seen := map[string]bool{}
	for _, e := range a.Events {
		if seen[e.ExternalID] {
			t.Errorf("id %s twice", e.ExternalID)
		}
		seen[e.ExternalID] = true
	}
}
