package icinga

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

var update = flag.Bool("update", false, "rewrite the .golden files from the parser's output")

func parseFile(t *testing.T, path string) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput(path), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestImporter_ParseStream checks every event of a captured stream
// against the golden file, and the rejections exactly.
func TestImporter_ParseStream(t *testing.T) {
	r := parseFile(t, "testdata/events.jsonl")
	importertest.Golden(t, "testdata/events.jsonl.golden", r.Events, *update)
	wantRejects := []importers.Rejection{
		{File: "testdata/events.jsonl", Line: 6, Reason: "not valid JSON: unexpected end of JSON input"},
		{File: "testdata/events.jsonl", Line: 23, Field: "timestamp", Reason: "is missing"},
		{File: "testdata/events.jsonl", Line: 24, Field: "state", Reason: `must be a number, got "critical"`},
		{File: "testdata/events.jsonl", Line: 25, Field: "type", Reason: "is missing: want an Icinga 2 event-stream object or notification macros (NOTIFICATIONTYPE, HOSTNAME, …)"},
	}
	if diff := cmp.Diff(wantRejects, r.Rejects); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	ids := map[string]int{}
	for i, e := range r.Events {
		if e.Kind != incident.KindAlert || e.Source != Source {
			t.Errorf("event %d: kind %q source %q", i, e.Kind, e.Source)
		}
		if j, dup := ids[e.ExternalID]; dup {
			t.Errorf("events %d and %d share the id %s", j, i, e.ExternalID)
		}
		ids[e.ExternalID] = i
		e.Normalize()
		if err := e.Validate(); err != nil {
			t.Errorf("event %d invalid: %v", i, err)
		}
	}
	// The same capture read again gives the same ids.
	again := parseFile(t, "testdata/events.jsonl")
	for i := range again.Events {
		if again.Events[i].ExternalID != r.Events[i].ExternalID {
			t.Fatalf("event %d: id changed between reads", i)
		}
	}
}

// TestImporter_ParseShapes reads the same events as an array, as one
// pretty-printed object and as JSON Lines, and gets the same events.
func TestImporter_ParseShapes(t *testing.T) {
	stream := parseFile(t, "testdata/events.jsonl").ByID()
	for _, tc := range []struct {
		name string
		path string
		n    int
	}{
		{"array", "testdata/events_array.json", 3},
		{"one pretty object", "testdata/notification.json", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := parseFile(t, tc.path)
			if len(r.Events) != tc.n || len(r.Rejects) != 0 {
				t.Fatalf("got %d events, %d rejects; want %d, 0", len(r.Events), len(r.Rejects), tc.n)
			}
			for _, e := range r.Events {
				if diff := cmp.Diff(stream[e.ExternalID], e); diff != "" {
					t.Errorf("differs from the stream's event (-stream +got):\n%s", diff)
				}
			}
		})
	}
}

func TestImporter_ParseBadFiles(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "  \n", "icinga: f.json is empty"},
		{"not json", "PROBLEM web01", `icinga: f.json is not JSON (starts with 'P')`},
		{"broken array", `[{"type":"StateChange"}, {"type":`, "icinga: f.json: record 2: not valid JSON"},
		{"broken pretty object", "{\n \"type\": \"StateChange\",\n", "icinga: f.json: record 1: not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("f.json", tc.body), importers.Options{}, &r)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

// TestImporter_Record checks single events field by field.
func TestImporter_Record(t *testing.T) {
	at := time.Date(2024, 1, 15, 12, 30, 45, 0, time.UTC)
	tests := []struct {
		name string
		json string
		want importers.Alert
	}{
		{
			name: "hard service state change triggers",
			json: `{"type":"StateChange","timestamp":1705321845,"host":"web01","service":"http","state":2,"state_type":1,"check_result":{"output":"HTTP CRITICAL","state":2,"exit_status":2}}`,
			want: importers.Alert{Subtype: "trigger", EventType: "StateChange", AlertID: "web01!http", Title: "http on web01 is CRITICAL", Details: "HTTP CRITICAL",
				Service: "http", Host: "web01", Severity: "CRITICAL", Status: "CRITICAL", Actor: "Icinga", At: at, AtText: "1705321845",
				Extra: map[string]any{"state_type": "hard", "exit_status": 2}},
		},
		{
			name: "soft state change updates",
			json: `{"type":"StateChange","timestamp":1705321845,"host":"web01","service":"http","state":1,"state_type":0}`,
			want: importers.Alert{Subtype: "update", EventType: "StateChange", AlertID: "web01!http", Title: "http on web01 is WARNING",
				Service: "http", Host: "web01", Severity: "WARNING", Status: "WARNING", Actor: "Icinga", At: at, AtText: "1705321845",
				Extra: map[string]any{"state_type": "soft"}},
		},
		{
			name: "host recovery resolves",
			json: `{"type":"StateChange","timestamp":"1705321845.5","host":"db02","state":0,"state_type":1}`,
			want: importers.Alert{Subtype: "resolve", EventType: "StateChange", AlertID: "db02", Title: "db02 is UP",
				Host: "db02", Severity: "UP", Status: "UP", Actor: "Icinga", At: at.Add(500 * time.Millisecond), AtText: "1705321845.5",
				Extra: map[string]any{"state_type": "hard"}},
		},
		{
			name: "host check result reads the check state as UP or DOWN",
			json: `{"type":"CheckResult","timestamp":1.705321845e9,"host":"db02","check_result":{"output":"PING CRITICAL","state":2.0}}`,
			want: importers.Alert{Subtype: "check", EventType: "CheckResult", AlertID: "db02", Title: "db02 is DOWN", Details: "PING CRITICAL",
				Host: "db02", Severity: "DOWN", Status: "DOWN", Actor: "Icinga", At: at, AtText: "1.705321845e9", Extra: map[string]any{}},
		},
		{
			name: "acknowledgement by its author with an incident tag",
			json: `{"type":"AcknowledgementSet","timestamp":1705321845,"host":"web01","service":"http","state":2,"state_type":1,"author":"alice","comment":"on it hindsight:inc-7","acknowledgement_type":2,"expiry":1705325445}`,
			want: importers.Alert{Subtype: "acknowledge", EventType: "AcknowledgementSet", AlertID: "web01!http", Title: "http on web01 is CRITICAL", Details: "on it hindsight:inc-7",
				Service: "http", Host: "web01", Severity: "CRITICAL", Status: "CRITICAL", Actor: "alice", At: at, AtText: "1705321845", IncidentRef: "INC-7",
				Extra: map[string]any{"state_type": "hard", "sticky": true, "expiry": "2024-01-15T13:30:45Z"}},
		},
		{
			name: "notification in Icinga's own spelling, incident field from a relay",
			json: `{"type":"Notification","timestamp":1705321845,"host":"web01","service":"http","notification_type":"DowntimeStart","author":"carol","text":"patching","users":["oncall"],"incident":"INC-9"}`,
			want: importers.Alert{Subtype: "suppress", EventType: "Notification", AlertID: "web01!http", Title: "http on web01", Details: "patching",
				Service: "http", Host: "web01", Actor: "carol", At: at, AtText: "1705321845", IncidentRef: "INC-9",
				Extra: map[string]any{"notification_type": "DowntimeStart", "users": []string{"oncall"}}},
		},
		{
			name: "unknown notification type is kept as other",
			json: `{"type":"Notification","timestamp":1705321845,"host":"web01","notification_type":"SOMETHINGNEW"}`,
			want: importers.Alert{Subtype: "other", EventType: "Notification", AlertID: "web01", Title: "web01",
				Host: "web01", Actor: "Icinga", At: at, AtText: "1705321845", Extra: map[string]any{"notification_type": "SOMETHINGNEW"}},
		},
		{
			name: "time falls back to the check's end",
			json: `{"type":"CheckResult","host":"web01","service":"disk","check_result":{"output":"DISK OK","state":0,"execution_end":1705321845}}`,
			want: importers.Alert{Subtype: "check", EventType: "CheckResult", AlertID: "web01!disk", Title: "disk on web01 is OK", Details: "DISK OK",
				Service: "disk", Host: "web01", Severity: "OK", Status: "OK", Actor: "Icinga", At: at, AtText: "1705321845", Extra: map[string]any{}},
		},
		{
			name: "Icinga 2 runtime macro names",
			json: `{"notification.type":"RECOVERY","host.name":"web01","service.name":"http","service.state":"OK","service.output":"HTTP OK","icinga.long_date_time":"2024-01-15 13:30:45 +0100","notification_icingaweb2url":"https://icinga.example.com/icingaweb2"}`,
			want: importers.Alert{Subtype: "resolve", EventType: "RECOVERY", AlertID: "web01!http", Title: "http on web01 is OK", Details: "HTTP OK",
				Service: "http", Host: "web01", Severity: "OK", Status: "OK", Actor: "Icinga", At: at, AtText: "2024-01-15 13:30:45 +0100",
				Link:  "https://icinga.example.com/icingaweb2/monitoring/service/show?host=web01&service=http",
				Extra: map[string]any{"notification_type": "RECOVERY"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			alerts, ferr := parser{}.record([]byte(tc.json))
			if ferr != nil {
				t.Fatal(ferr)
			}
			if len(alerts) != 1 {
				t.Fatalf("got %d alerts", len(alerts))
			}
			got := alerts[0]
			if got.ID == "" {
				t.Error("no id")
			}
			got.ID = ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestImporter_ParseDelivery(t *testing.T) {
	received := time.Date(2024, 1, 15, 12, 31, 0, 0, time.UTC)
	macros := importertest.ReadFile(t, "testdata/nagios_macros.json")
	form := url.Values{"HOSTNAME": {"db02"}, "HOSTSTATE": {"DOWN"}, "HOSTOUTPUT": {"PING CRITICAL - Packet loss = 100%"}, "NOTIFICATIONTYPE": {"PROBLEM"}}
	tests := []struct {
		name        string
		contentType string
		body        string
		query       url.Values
		want        []incident.TimelineEvent
		wantErr     string
	}{
		{
			name: "one event without a timestamp is dated on receipt",
			body: `{"type":"StateChange","host":"web01","service":"http","state":2,"state_type":1}`,
			want: []incident.TimelineEvent{{
				OccurredAt: received, OccurredAtText: "received 2024-01-15T12:31:00Z", Source: "icinga", Kind: incident.KindAlert, Actor: "Icinga",
				Body: "Triggered: http on web01 is CRITICAL", ExternalID: importers.StableID("icinga", "StateChange", "web01", "http", "", "2", "1", "", "", "", "", ""),
				ThreadID: "web01!http",
				Metadata: map[string]any{"subtype": "trigger", "event_type": "StateChange", "alert_id": "web01!http", "title": "http on web01 is CRITICAL",
					"service": "http", "host": "web01", "status": "CRITICAL", "vendor_severity": "CRITICAL", "severity": "critical", "state_type": "hard"},
			}},
		},
		{
			name:  "Nagios macros as JSON, incident from a custom variable",
			body:  string(macros),
			query: url.Values{"incident": {"INC-99"}},
			want: []incident.TimelineEvent{{
				OccurredAt: time.Date(2024, 1, 15, 12, 35, 45, 0, time.UTC), OccurredAtText: "1705322145", Source: "icinga", Kind: incident.KindAlert,
				Actor: "Alice Example", Body: "Acknowledged: HTTP on web01 is CRITICAL\n\nOn it\n\nHTTP CRITICAL: HTTP/1.1 503 Service Unavailable - 394 bytes in 0.017 second response time",
				ExternalID: importers.StableID("icinga-macros", "ACKNOWLEDGEMENT", "web01", "HTTP", "CRITICAL", "1705322145", "Alice Example", "On it", "4711", "", "0"),
				ThreadID:   "web01!HTTP",
				Metadata: map[string]any{"subtype": "acknowledge", "event_type": "ACKNOWLEDGEMENT", "alert_id": "web01!HTTP", "title": "HTTP on web01 is CRITICAL",
					"service": "HTTP", "host": "web01", "status": "CRITICAL", "vendor_severity": "CRITICAL", "severity": "critical", "incident": "INC-12",
					"notification_type": "ACKNOWLEDGEMENT", "address": "10.0.0.5", "serviceproblemid": "4711"},
			}},
		},
		{
			name:        "host macros as a form post",
			contentType: "application/x-www-form-urlencoded",
			body:        form.Encode(),
			want: []incident.TimelineEvent{{
				OccurredAt: received, OccurredAtText: "received 2024-01-15T12:31:00Z", Source: "icinga", Kind: incident.KindAlert, Actor: "Icinga",
				Body:       "Triggered: db02 is DOWN\n\nPING CRITICAL - Packet loss = 100%",
				ExternalID: importers.StableID("icinga-macros", "PROBLEM", "db02", "", "DOWN", "", "", "", "", "", ""), ThreadID: "db02",
				Metadata: map[string]any{"subtype": "trigger", "event_type": "PROBLEM", "alert_id": "db02", "title": "db02 is DOWN",
					"host": "db02", "status": "DOWN", "vendor_severity": "DOWN", "severity": "critical", "notification_type": "PROBLEM"},
			}},
		},
		{name: "array with a bad record refuses the delivery", body: `[{"type":"StateChange","host":"a","state":0},{"type":"StateChange","host":"b","state":"x"}]`, wantErr: `[1].state: must be a number, got "x"`},
		{name: "an object of neither kind", body: `{"hello":"world"}`, wantErr: "[0].type: is missing"},
		{name: "empty array", body: `[]`, wantErr: "body holds no event"},
		{name: "not JSON", body: `hello`, wantErr: "icinga: body is not JSON"},
		{name: "form without macros", contentType: "application/x-www-form-urlencoded", body: "a=b", wantErr: "NOTIFICATIONTYPE: is missing"},
		{name: "broken JSON sent as a form is told as JSON", contentType: "application/x-www-form-urlencoded", body: `{"type":`, wantErr: "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			d := importers.Delivery{Header: http.Header{}, Query: tc.query, ContentType: ct, Body: []byte(tc.body), ReceivedAt: received}
			var r importertest.Recorder
			err := New().ParseDelivery(context.Background(), d, &r)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if len(r.Events) != 0 {
					t.Fatalf("a refused delivery stored %d events", len(r.Events))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, r.Events); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			// Delivered again later: the same ids.
			d.ReceivedAt = d.ReceivedAt.Add(time.Minute)
			var again importertest.Recorder
			if err := New().ParseDelivery(context.Background(), d, &again); err != nil {
				t.Fatal(err)
			}
			for i := range again.Events {
				if again.Events[i].ExternalID != r.Events[i].ExternalID {
					t.Errorf("event %d: redelivery changed the id", i)
				}
			}
		})
	}
}

func TestImporter_ParseJSONLinesDelivery(t *testing.T) {
	body := importertest.ReadFile(t, "testdata/events_array.json")
	var events []json.RawMessage
	if err := json.Unmarshal(body, &events); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for _, e := range events {
		var c bytes.Buffer
		if err := json.Compact(&c, e); err != nil {
			t.Fatal(err)
		}
		lines.Write(c.Bytes())
		lines.WriteString("\r\n")
	}
	var r importertest.Recorder
	if err := New().ParseDelivery(context.Background(), importers.Delivery{ContentType: "application/x-ndjson", Body: lines.Bytes()}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 3 {
		t.Fatalf("got %d events, want 3", len(r.Events))
	}
}
