package zenoss

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

type row struct {
	ID, At, Subtype, EventType, Service, Host, Component, Severity, Body, Link, Thread, Incident, Actor string
	Count                                                                                               int
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	c, _ := e.Metadata[importers.MetaCount].(int)
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType),
		Service: s(importers.MetaService), Host: s(importers.MetaHost), Component: s(importers.MetaComponent), Severity: s(importers.MetaVendorSeverity),
		Body: e.Body, Link: e.Link, Thread: e.ThreadID, Incident: s(importers.MetaIncident), Actor: e.Actor, Count: c,
	}
}

func id(evid, state string) string { return importers.StableID(Source, evid, state) }

func TestParse(t *testing.T) {
	const e1, e2, e3, e4 = "0242ac11-0008-8c73-11ee-b3c5a1c0e001", "0242ac11-0008-8c73-11ee-b3c5a1c0e002", "0242ac11-0008-8c73-11ee-b3c5a1c0e003", "0242ac11-0008-8c73-11ee-b3c5a1c0e004"
	tests := []struct {
		name        string
		file        string
		loc         *time.Location
		want        []row
		wantRejects []importers.Rejection
	}{
		{name: "EventsRouter query answer", file: "testdata/query_response.json", want: []row{
			{ID: id(e1, "New"), At: "2024-01-15T12:30:45.123Z", Subtype: "trigger", EventType: "New", Service: "Checkout", Host: "db-1.prod", Severity: "Critical",
				Body: "Triggered: db-1.prod is DOWN!\n\ndb-1.prod is DOWN!\nPing failed from **collector-1**", Thread: e1, Actor: "Zenoss", Count: 16},
			{ID: id(e2, "New"), At: "2024-01-15T12:31:40Z", Subtype: "trigger", EventType: "New", Host: "web-1.prod", Component: "/var", Severity: "Error",
				Body: "Triggered: disk space threshold: 95.2% used (9.5GB free)", Thread: e2, Incident: "INC-7", Actor: "Zenoss", Count: 8},
			{ID: id(e2, "Acknowledged"), At: "2024-01-15T12:35:00Z", Subtype: "acknowledge", EventType: "Acknowledged", Host: "web-1.prod", Component: "/var", Severity: "Error",
				Body: "Acknowledged: disk space threshold: 95.2% used (9.5GB free)", Thread: e2, Incident: "INC-7", Actor: "ana", Count: 8},
			{ID: id(e3, "New"), At: "2024-01-15T12:32:30Z", Subtype: "trigger", EventType: "New", Host: "web-2.prod", Component: "httpd", Severity: "Critical",
				Body: "Triggered: OSProcess httpd is down", Thread: e3, Actor: "Zenoss", Count: 3},
			{ID: id(e3, "Cleared"), At: "2024-01-15T12:40:00Z", Subtype: "resolve", EventType: "Cleared", Host: "web-2.prod", Component: "httpd", Severity: "Critical",
				Body: "Resolved: OSProcess httpd is down", Thread: e3, Actor: "Zenoss", Count: 3},
			{ID: id(e4, "New"), At: "2024-01-15T12:33:20Z", Subtype: "trigger", EventType: "New", Host: "switch-3", Component: "Gi0/1", Severity: "Warning",
				Body: "Triggered: Interface Gi0/1 flapping", Thread: e4, Actor: "Zenoss", Count: 40},
			{ID: id(e4, "Suppressed"), At: "2024-01-15T12:34:10Z", Subtype: "suppress", EventType: "Suppressed", Host: "switch-3", Component: "Gi0/1", Severity: "Warning",
				Body: "Suppressed: Interface Gi0/1 flapping", Thread: e4, Actor: "Zenoss", Count: 40},
		}, wantRejects: []importers.Rejection{{File: "testdata/query_response.json", Line: 1, Field: "result.events[4].firstTime",
			Reason: `timestamp "sometime" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`}}},
		{name: "Zenoss 3 array with local times", file: "testdata/events_zenoss3.json", loc: time.FixedZone("CET", 3600), want: []row{
			{ID: id("ab12", "New"), At: "2024-01-15T11:30:45Z", Subtype: "trigger", EventType: "New", Service: "checkout", Host: "app-1", Component: "java", Severity: "Critical",
				Body: "Triggered: JVM heap exhausted\n\nOutOfMemoryError in checkout-service", Thread: "ab12", Actor: "Zenoss", Count: 2},
			{ID: id("ab12", "Closed"), At: "2024-01-15T11:40:00Z", Subtype: "resolve", EventType: "Closed", Service: "checkout", Host: "app-1", Component: "java", Severity: "Critical",
				Body: "Resolved: JVM heap exhausted\n\nOutOfMemoryError in checkout-service", Thread: "ab12", Actor: "bo", Count: 2},
		}, wantRejects: []importers.Rejection{{File: "testdata/events_zenoss3.json", Line: 2, Field: "[1]", Reason: "is not a JSON object"}}},
		{name: "JSON Lines", file: "testdata/events.jsonl", want: []row{
			{ID: id("cd34", "New"), At: "2024-01-15T12:31:00Z", Subtype: "trigger", EventType: "New", Host: "lb-1", Severity: "Error", Body: "Triggered: Pool members down", Thread: "cd34", Incident: "INC-9", Actor: "Zenoss"},
			{ID: id("cd34", "Aged"), At: "2024-01-15T12:50:00Z", Subtype: "resolve", EventType: "Aged", Host: "lb-1", Severity: "Error", Body: "Resolved: Pool members down", Thread: "cd34", Actor: "Zenoss"},
			{ID: id("cd35", "New"), At: "2024-01-15T12:32:00Z", Subtype: "trigger", EventType: "New", Host: "lb-1", Severity: "Info", Body: "Triggered: Odd state", Thread: "cd35", Actor: "Zenoss"},
			{ID: id("cd35", "Dropped"), At: "2024-01-15T12:33:00Z", Subtype: "other", EventType: "Dropped", Host: "lb-1", Severity: "Info", Body: "Alert: Odd state", Thread: "cd35", Actor: "Zenoss"},
		}, wantRejects: []importers.Rejection{{File: "testdata/events.jsonl", Line: 4, Field: "evid", Reason: "is missing: an event needs an evid or a summary"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			if err := New().Parse(context.Background(), importertest.FileInput(tt.file), importers.Options{Location: tt.loc}, &r); err != nil {
				t.Fatal(err)
			}
			check(t, r.Events, tt.want)
			if len(r.Rejects) != len(tt.wantRejects) {
				t.Fatalf("rejects = %+v", r.Rejects)
			}
			for i := range tt.wantRejects {
				if r.Rejects[i] != tt.wantRejects[i] {
					t.Errorf("reject %d = %+v, want %+v", i, r.Rejects[i], tt.wantRejects[i])
				}
			}
		})
	}
}

// check compares the events with want and demands that they be valid.
func check(t *testing.T, got []incident.TimelineEvent, want []row) {
	t.Helper()
	importertest.Rows(t, got, want, rowOf)
	importertest.Valid(t, got)
}

func TestParse_Errors(t *testing.T) {
	tests := []struct{ name, input, want string }{
		{name: "router failure", input: `{"action":"EventsRouter","result":{"success":false,"msg":"Permission denied"},"tid":1}`, want: "success false: Permission denied"},
		{name: "exception", input: `{"type":"exception","message":"NameError","tid":3,"action":"EventsRouter"}`, want: "exception: NameError"},
		{name: "result without events", input: `{"result":{"success":true,"data":[]}}`, want: "result.events: want a list"},
		{name: "not json", input: "<html>", want: "f.json: not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().Parse(context.Background(), importertest.StringInput("f.json", tt.input), importers.Options{}, &importertest.Recorder{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseDelivery(t *testing.T) {
	push, err := os.ReadFile("testdata/push.json")
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2024, 3, 2, 9, 20, 0, 0, time.UTC)
	const link = "https://zenoss.example.com/zport/dmd/Events/viewDetail?evid=ef56"
	tests := []struct {
		name    string
		body    string
		want    []row
		wantErr string
	}{
		{name: "push notification with numeric state and severity", body: string(push), want: []row{
			{ID: id("ef56", "New"), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "New", Host: "db-1.prod", Component: "mysqld", Severity: "Critical",
				Body: "Triggered: mysqld is down\n\nProcess mysqld not running", Link: link, Thread: "ef56", Actor: "Zenoss", Count: 4},
			{ID: id("ef56", "Acknowledged"), At: "2024-03-02T09:18:20Z", Subtype: "acknowledge", EventType: "Acknowledged", Host: "db-1.prod", Component: "mysqld", Severity: "Critical",
				Body: "Acknowledged: mysqld is down\n\nProcess mysqld not running", Link: link, Thread: "ef56", Actor: "ana", Count: 4},
		}},
		{name: "clear without times uses the delivery time and no start", body: `{"evid":"x1","summary":"up again","severity":0,"eventState":"Cleared"}`, want: []row{
			{ID: id("x1", "Cleared"), At: "2024-03-02T09:20:00Z", Subtype: "resolve", EventType: "Cleared", Severity: "Clear", Body: "Resolved: up again", Thread: "x1", Actor: "Zenoss"},
		}},
		{name: "missing evid and summary", body: `{"device":"a"}`, wantErr: "evid: is missing"},
		{name: "bad time names the field", body: `[{"evid":"1","summary":"s","firstTime":"soon"}]`, wantErr: "[0].firstTime: timestamp"},
		{name: "not json", body: `nope`, wantErr: "body is not JSON"},
		{name: "not an object", body: `"x"`, wantErr: "body: want a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(tt.body), ReceivedAt: received}, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			check(t, r.Events, tt.want)
		})
	}
}

// FuzzParse checks that no input panics and that every event is valid.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/query_response.json", "testdata/events_zenoss3.json", "testdata/events.jsonl", "testdata/push.json"} {
		f.Add(string(importertest.ReadFile(f, p)))
	}
	f.Add(`{"evid":"1","summary":"<b>x</b>","eventState":9,"severity":-1,"firstTime":1e400}`)
	f.Fuzz(func(t *testing.T, data string) {
		r := importertest.ParseString(New(), "f.json", data, importers.Options{})
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(data), ReceivedAt: time.Unix(1700000000, 0)}, r)
		importertest.Check(t, importertest.Want{File: "f.json", Complete: true, Tolerate: []string{"occurred_at", "characters"}}, r.Events, r.Rejects)
	})
}
