package zabbix

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// row is what the tests check of one event.
type row struct {
	ID, At, Subtype, EventType, Service, Host, Severity, VendorSeverity, Body, Link, Thread, Incident, Actor string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType),
		Service: s(importers.MetaService), Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity), VendorSeverity: s(importers.MetaVendorSeverity),
		Body: e.Body, Link: e.Link, Thread: e.ThreadID, Incident: s(importers.MetaIncident), Actor: e.Actor,
	}
}

func parseFile(t *testing.T, path string, opts importers.Options) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.FileInput(path), opts, &r); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	for _, e := range r.Events {
		e.Normalize()
		if err := e.Validate(); err != nil {
			t.Errorf("invalid event %+v: %v", e, err)
		}
		if e.Kind != incident.KindAlert || e.Source != Source {
			t.Errorf("kind/source = %s/%s", e.Kind, e.Source)
		}
	}
	return &r
}

func checkRows(t *testing.T, got []incident.TimelineEvent, want []row) {
	t.Helper()
	importertest.Rows(t, got, want, rowOf)
}

const link5123 = "https://zabbix.example.com/tr_events.php?triggerid=23456&eventid=5123"

func TestParse_WebhookProblem(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data")
	}
	tests := []struct {
		name   string
		loc    *time.Location
		wantAt string
	}{
		{name: "UTC by default", wantAt: "2024-01-15T12:30:45Z"},
		{name: "server zone from options", loc: berlin, wantAt: "2024-01-15T11:30:45Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseFile(t, "testdata/webhook_problem.json", importers.Options{Location: tt.loc})
			checkRows(t, r.Events, []row{{
				ID: problemID("5123", kindProblem), At: tt.wantAt, Subtype: "trigger", EventType: "PROBLEM", Service: "checkout", Host: "api-1",
				Severity: "error", VendorSeverity: "High",
				Body: "Triggered: High CPU utilization (over 90% for 5m)\n\nProblem started at 12:30:45 on 2024.01.15\nProblem name: High CPU utilization (over 90% for 5m)\nHost: api-1\nSeverity: High\nOperational data: Current utilization: 97.3 %\nOriginal problem ID: 5123",
				Link: link5123, Thread: "5123", Incident: "INC-7", Actor: "Zabbix",
			}})
			e := r.Events[0]
			if e.OccurredAtText != "2024.01.15 12:30:45" {
				t.Errorf("AtText = %q", e.OccurredAtText)
			}
			if tags, _ := e.Metadata["tags"].([]string); strings.Join(tags, ",") != "service:checkout,scope:performance,incident:INC-7" {
				t.Errorf("tags = %v", e.Metadata["tags"])
			}
			if e.Metadata["host_ip"] != "10.0.0.11" || e.Metadata["status"] != "PROBLEM" {
				t.Errorf("metadata = %v", e.Metadata)
			}
		})
	}
}

func TestParse_WebhookLines(t *testing.T) {
	r := parseFile(t, "testdata/webhooks.jsonl", importers.Options{})
	upd := func(date, tm, action, msg, at string) string {
		return importers.StableID(Source, "5123", kindUpdate, date, tm, "", action, msg, at)
	}
	checkRows(t, r.Events, []row{
		{ID: problemID("5123", kindProblem), At: "2024-01-15T12:30:45Z", Subtype: "trigger", EventType: "PROBLEM", Service: "checkout", Host: "api-1",
			Severity: "error", VendorSeverity: "High", Body: "Triggered: High CPU utilization (over 90% for 5m)\n\nProblem started at 12:30:45 on 2024.01.15",
			Link: link5123, Thread: "5123", Actor: "Zabbix"},
		{ID: upd("2024.01.15", "12:34:10", "acknowledged, commented", "Looking into it, **rolling back** deploy 42", "2024.01.15 12:34:10"),
			At: "2024-01-15T12:34:10Z", Subtype: "acknowledge", EventType: "UPDATE", Host: "api-1", Severity: "error", VendorSeverity: "High",
			Body: "Acknowledged: High CPU utilization (over 90% for 5m)\n\nLooking into it, **rolling back** deploy 42", Link: link5123, Thread: "5123", Actor: "Ana Lima"},
		{ID: upd("2024.01.15", "12:36:00", "changed severity from High to Disaster", "", "2024.01.15 12:36:00"),
			At: "2024-01-15T12:36:00Z", Subtype: "update", EventType: "UPDATE", Host: "api-1", Severity: "critical", VendorSeverity: "Disaster",
			Body: "Updated: High CPU utilization (over 90% for 5m)", Thread: "5123", Actor: "Ana Lima"},
		{ID: upd("2024.01.15", "12:40:00", "commented", "Rollback done.", "2024.01.15 12:40:00"),
			At: "2024-01-15T12:40:00Z", Subtype: "note", EventType: "UPDATE", Host: "api-1", Severity: "error", VendorSeverity: "High",
			Body: "Note: High CPU utilization (over 90% for 5m)\n\nRollback done.", Thread: "5123", Actor: "Bo Chen"},
		{ID: problemID("5123", kindRecovery), At: "2024-01-15T12:45:30Z", Subtype: "resolve", EventType: "RESOLVED", Host: "api-1",
			Severity: "error", VendorSeverity: "High", Body: "Resolved: High CPU utilization (over 90% for 5m)\n\nProblem has been resolved in 14m 45s at 12:45:30 on 2024.01.15",
			Link: link5123, Thread: "5123", Actor: "Zabbix"},
		{ID: importers.StableID(Source, "5200", kindUpdate, "2024.01.15", "13:00:00", "", "closed", "False alarm, closing.", "2024.01.15 13:00:00"),
			At: "2024-01-15T13:00:00Z", Subtype: "resolve", EventType: "UPDATE", Host: "db-1", Severity: "warning", VendorSeverity: "Warning",
			Body: "Resolved: Disk space low on /var\n\nFalse alarm, closing.", Thread: "5200", Actor: "Bo Chen"},
		{ID: importers.StableID(Source, "5201", kindUpdate, "2024.01.15", "13:05:00", "", "suppressed", "", "2024.01.15 13:05:00"),
			At: "2024-01-15T13:05:00Z", Subtype: "suppress", EventType: "UPDATE", Host: "db-2", Severity: "unknown",
			Body: "Suppressed: Agent is not available", Thread: "5201", Actor: "Bo Chen"},
		{ID: importers.StableID(Source, "5203", kindOther, "discovery", "2024.01.15 13:10:00"), At: "2024-01-15T13:10:00Z", Subtype: "other",
			EventType: "discovery", Severity: "unknown", Body: "Alert: Discovered host", Thread: "5203", Actor: "Zabbix"},
	})
	want := []importers.Rejection{
		{File: "testdata/webhooks.jsonl", Line: 8, Reason: "not JSON: invalid character 'o' in literal null (expecting 'u')"},
		{File: "testdata/webhooks.jsonl", Line: 9, Field: "event_date", Reason: `timestamp "2024.13.45 25:00:00" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
	}
	if len(r.Rejects) != len(want) {
		t.Fatalf("rejects = %+v", r.Rejects)
	}
	for i := range want {
		if r.Rejects[i] != want[i] {
			t.Errorf("reject %d = %+v, want %+v", i, r.Rejects[i], want[i])
		}
	}
}

func TestParse_CustomMapping(t *testing.T) {
	m := map[string]string{"id": "problem.id", "title": "problem.name", "time": "when", "time_format": "02/01/2006 15:04", "status": "state",
		"severity": "prio", "host": "box", "service": "svc", "incident": "inc", "text": "text", "actor": "who"}
	r := parseFile(t, "testdata/custom_mapping.json", importers.Options{Mapping: m})
	checkRows(t, r.Events, []row{
		{ID: problemID("901", kindProblem), At: "2024-01-15T12:30:00Z", Subtype: "trigger", EventType: "PROBLEM", Service: "checkout", Host: "web-2",
			Severity: "warning", VendorSeverity: "Average", Body: "Triggered: Checkout latency p99 > 2s\n\np99 is 2.4s", Thread: "901", Incident: "INC-9", Actor: "Zabbix"},
		{ID: problemID("901", kindRecovery), At: "2024-01-15T12:50:00Z", Subtype: "resolve", EventType: "RESOLVED", Service: "checkout", Host: "web-2",
			Severity: "warning", VendorSeverity: "Average", Body: "Resolved: Checkout latency p99 > 2s\n\nback to normal", Thread: "901", Incident: "INC-9", Actor: "Zabbix"},
	})
	var rec importertest.Recorder
	err := New().Parse(context.Background(), importertest.FileInput("testdata/custom_mapping.json"), importers.Options{Mapping: map[string]string{"hots": "box"}}, &rec)
	if err == nil || !strings.Contains(err.Error(), `mapping field "hots"`) {
		t.Errorf("unknown mapping field: err = %v", err)
	}
}

func TestParse_API(t *testing.T) {
	r := parseFile(t, "testdata/event_get.json", importers.Options{})
	ack := func(id string) string { return importers.StableID(Source, "acknowledge", id) }
	base := row{Service: "checkout", Host: "api-1", Severity: "error", VendorSeverity: "High", Thread: "5123", Incident: "INC-7"}
	with := func(r row, f func(*row)) row { f(&r); return r }
	checkRows(t, r.Events, []row{
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = problemID("5123", kindProblem), "2024-01-15T12:30:45.123456789Z", "trigger", "PROBLEM", "Zabbix"
			r.Body = "Triggered: High CPU utilization (over 90% for 5m)\n\nCurrent utilization: 97.3 %"
		}),
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = problemID("5123", kindRecovery), "2024-01-15T12:45:30Z", "resolve", "RESOLVED", "Zabbix"
			r.Body = "Resolved: High CPU utilization (over 90% for 5m)"
		}),
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = ack("301"), "2024-01-15T12:34:10Z", "acknowledge", "acknowledge, message", "Ana Lima"
			r.Body = "Acknowledged: High CPU utilization (over 90% for 5m)\n\nLooking into it"
		}),
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = ack("302"), "2024-01-15T12:36:00Z", "update", "change severity", "Ana Lima"
			r.Severity, r.VendorSeverity = "critical", "Disaster"
			r.Body = "Updated: High CPU utilization (over 90% for 5m)\n\nSeverity changed from High to Disaster."
		}),
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = ack("303"), "2024-01-15T12:40:00Z", "note", "message", "bo"
			r.Body = "Note: High CPU utilization (over 90% for 5m)\n\nRollback done."
		}),
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = ack("304"), "2024-01-15T12:41:40Z", "suppress", "suppress", "Zabbix user 4"
			r.Body = "Suppressed: High CPU utilization (over 90% for 5m)\n\nSuppressed until 2024-01-15T13:41:40Z."
		}),
		with(base, func(r *row) {
			r.ID, r.At, r.Subtype, r.EventType, r.Actor = ack("305"), "2024-01-15T12:43:20Z", "resolve", "close, message", "Zabbix user 9"
			r.Body = "Resolved: High CPU utilization (over 90% for 5m)\n\nClosing by hand"
		}),
	})
	if len(r.Rejects) != 1 || r.Rejects[0].Field != "result[2].clock" || r.Rejects[0].Line != 1 {
		t.Errorf("rejects = %+v", r.Rejects)
	}
}

func TestParse_ProblemGetAndErrors(t *testing.T) {
	r := parseFile(t, "testdata/problem_get.json", importers.Options{})
	checkRows(t, r.Events, []row{
		{ID: problemID("7001", kindProblem), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "PROBLEM", Service: "mysql", Severity: "critical",
			VendorSeverity: "Disaster", Body: "Triggered: MySQL: Service is down", Thread: "7001", Actor: "Zabbix"},
		{ID: problemID("7001", kindRecovery), At: "2024-03-02T09:30:00.5Z", Subtype: "resolve", EventType: "RESOLVED", Service: "mysql", Severity: "critical",
			VendorSeverity: "Disaster", Body: "Resolved: MySQL: Service is down", Thread: "7001", Actor: "Zabbix"},
	})
	tests := []struct {
		name, input, want string
	}{
		{name: "rpc error", input: string(importertest.ReadFile(t, "testdata/rpc_error.json")), want: "Zabbix API error -32602: Invalid params: Not authorized."},
		{name: "not json", input: "hello", want: "f.json: not JSON"},
		{name: "empty", input: " \n", want: "f.json: the file is empty"},
		{name: "result not a list", input: `{"jsonrpc":"2.0","result":{"eventids":["1"]},"id":1}`, want: "result: want a list of events"},
		{name: "scalar", input: `"x"`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("f.json", tt.input), importers.Options{}, &rec)
			if tt.want == "" {
				if err != nil || len(rec.Rejects) != 1 {
					t.Fatalf("err = %v, rejects = %+v", err, rec.Rejects)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseDelivery(t *testing.T) {
	received := time.Date(2024, 3, 2, 9, 15, 7, 0, time.UTC)
	tests := []struct {
		name     string
		body     string
		mapping  map[string]string
		want     []row
		wantText string
		wantErr  string
	}{
		{name: "official media type params without dates use the delivery time", body: string(importertest.ReadFile(t, "testdata/opsgenie_style.json")),
			want: []row{{ID: problemID("8001", kindProblem), At: "2024-03-02T09:15:07Z", Subtype: "trigger", EventType: "PROBLEM", Service: "mysql",
				Severity: "critical", VendorSeverity: "Disaster", Body: "Triggered: Problem: MySQL: Service is down\n\nProblem started at 09:15:00 on 2024.03.02\nProblem name: MySQL: Service is down\nHost: db-1\nSeverity: Disaster\nOriginal problem ID: 8001",
				Thread: "8001", Incident: "INC-12", Actor: "Zabbix"}},
			wantText: "received 2024-03-02T09:15:07Z"},
		{name: "unix timestamp and zone win", body: `{"event_id":"1","event_name":"x","event_value":"1","event_timestamp":"1709370900","event_date":"2024.03.02","event_time":"10:15:00","timezone":"Europe/Berlin"}`,
			want:     []row{{ID: problemID("1", kindProblem), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "PROBLEM", Severity: "unknown", Body: "Triggered: x", Thread: "1", Actor: "Zabbix"}},
			wantText: "1709370900"},
		{name: "mapped zone as offset", body: `{"event_id":"1","event_name":"x","event_value":"1","event_date":"2024.03.02","event_time":"10:15:00","tz":"+01:00"}`,
			mapping:  map[string]string{"zone": "tz"},
			want:     []row{{ID: problemID("1", kindProblem), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "PROBLEM", Severity: "unknown", Body: "Triggered: x", Thread: "1", Actor: "Zabbix"}},
			wantText: "2024.03.02 10:15:00"},
		{name: "unknown status kept", body: `{"event_id":"2","event_name":"y","event_status":"FLAPPING","event_date":"2024.03.02","event_time":"10:15:00"}`,
			want: []row{{ID: importers.StableID(Source, "2", kindOther, "FLAPPING", "2024.03.02 10:15:00"), At: "2024-03-02T10:15:00Z", Subtype: "other", EventType: "FLAPPING",
				Severity: "unknown", Body: "Alert: y", Thread: "2", Actor: "Zabbix"}},
			wantText: "2024.03.02 10:15:00"},
		{name: "event_tags holding {EVENT.TAGSJSON}, as Zabbix's own templates send", body: `{"event_id":"3","event_name":"z","event_value":"1","event_timestamp":"1709370900","event_tags":"[{\"tag\":\"component\",\"value\":\"cpu\"},{\"tag\":\"service\",\"value\":\"checkout\"},{\"tag\":\"incident\",\"value\":\"INC-4\"}]"}`,
			want:     []row{{ID: problemID("3", kindProblem), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "PROBLEM", Service: "checkout", Severity: "unknown", Body: "Triggered: z", Thread: "3", Incident: "INC-4", Actor: "Zabbix"}},
			wantText: "1709370900"},
		{name: "event_tags that look like JSON but are not", body: `{"event_id":"1","event_value":"1","event_tags":"[oops"}`, wantErr: "event_tags: looks like a JSON list"},
		{name: "no id and no name", body: `{"event_value":"1"}`, wantErr: "event_id: is missing"},
		{name: "bad tags json", body: `{"event_id":"1","event_value":"1","event_tagsjson":"[oops"}`, wantErr: "event_tagsjson: is not a JSON list"},
		{name: "bad date", body: `{"event_id":"1","event_value":"1","event_date":"yesterday","event_time":"10:00:00"}`, wantErr: "event_date: timestamp"},
		{name: "bad zone", body: `{"event_id":"1","event_value":"1","timezone":"Mars/Olympus"}`, wantErr: "timezone: zone Mars/Olympus"},
		{name: "array element named", body: `[{"event_id":"1","event_value":"1"},{"event_value":"1"}]`, wantErr: "[1].event_id: is missing"},
		{name: "not json", body: `{`, wantErr: "body is not JSON"},
		{name: "bad mapping", body: `{}`, mapping: map[string]string{"colour": "x"}, wantErr: "hook mapping"},
		{name: "rpc error", body: `{"jsonrpc":"2.0","error":{"code":-32500,"message":"Application error.","data":"No permissions."},"id":1}`, wantErr: "Zabbix API error -32500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(tt.body), ReceivedAt: received, Mapping: tt.mapping}, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, r.Events, tt.want)
			if r.Events[0].OccurredAtText != tt.wantText {
				t.Errorf("AtText = %q, want %q", r.Events[0].OccurredAtText, tt.wantText)
			}
		})
	}
}

// TestParse_HookAndAPIAgree checks that a problem delivered by webhook and
// pulled from the API gets the same keys, so it is stored once.
func TestParse_HookAndAPIAgree(t *testing.T) {
	hook := parseFile(t, "testdata/webhooks.jsonl", importers.Options{}).ByID()
	api := parseFile(t, "testdata/event_get.json", importers.Options{}).ByID()
	for _, id := range []string{problemID("5123", kindProblem), problemID("5123", kindRecovery)} {
		h, a := hook[id], api[id]
		if h.ExternalID == "" || a.ExternalID == "" || h.ThreadID != a.ThreadID || !h.OccurredAt.Truncate(time.Second).Equal(a.OccurredAt.Truncate(time.Second)) {
			t.Errorf("%s: hook %+v\napi %+v", id, h, a)
		}
	}
}

func TestMacroFree(t *testing.T) {
	for in, want := range map[string]string{"{EVENT.RECOVERY.DATE}": "", "{$ZABBIX.URL}": "", "*UNKNOWN*": "", " x ": "x", "{not a macro}": "{not a macro}", `{"a":1}`: `{"a":1}`} {
		if got := macroFree(in); got != want {
			t.Errorf("macroFree(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParse_SuppressedProblem(t *testing.T) {
	in := `{"jsonrpc":"2.0","result":[{"eventid":"9001","source":"0","object":"0","objectid":"77","clock":"1709370900","ns":"0","r_eventid":"0","r_clock":"0","name":"Disk full","severity":"4",` +
		`"suppressed":"1","suppression_data":[{"maintenanceid":"3","suppress_until":"1709380000"}],"hosts":[{"hostid":"10084"}],"acknowledges":[],"tags":[]}],"id":1}`
	var r importertest.Recorder
	if err := New().Parse(context.Background(), importertest.StringInput("p.json", in), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Events) != 1 {
		t.Fatalf("events: %+v", r.Events)
	}
	e := r.Events[0]
	if e.Metadata["suppressed"] != true || e.Metadata["host"] != "host 10084" ||
		!strings.Contains(e.Body, "Suppressed by maintenance 3 until 2024-03-02T11:46:40Z.") {
		t.Fatalf("suppressed problem: %q %v", e.Body, e.Metadata)
	}
}
