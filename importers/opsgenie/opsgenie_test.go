package opsgenie

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
	ID, At, AtText, Subtype, EventType, Actor string
	Service, Host, Severity, Status           string
	Body, Link, Thread, Ref                   string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), AtText: e.OccurredAtText,
		Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType), Actor: e.Actor,
		Service: s(importers.MetaService), Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity), Status: s(importers.MetaStatus),
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

const (
	alertID = "8418d193-2dab-4490-b331-8c02cdd196b7"
	link    = "https://app.opsgenie.com/alert/detail/" + alertID + "/details"
	msg     = "Checkout p99 latency above 2s"
)

func TestParse_WebhookCreate(t *testing.T) {
	r := parseFile(t, "testdata/webhook_create.json")
	want := row{ID: createID(alertID), At: "2026-03-01T10:00:00.123Z", AtText: "1772359200123", Subtype: "trigger", EventType: "Create",
		Actor: "System", Service: "checkout", Host: "web-3", Severity: "critical", Status: "open",
		Body: "Triggered: " + msg + "\n\np99 latency is **2.4s** on [checkout](https://dash.example.com/checkout)\nhost: web-3\nincident: INC-7\nregion: eu-west-1\nservice: checkout",
		Link: link, Thread: alertID, Ref: "INC-7"}
	if d := cmp.Diff(want, rowOf(r.Events[0])); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	md := r.Events[0].Metadata
	if md["tiny_id"] != "1791" || md["alias"] != "checkout-latency" || md["integration"] != "Hindsight" || md["vendor_severity"] != "P1" {
		t.Errorf("metadata = %v", md)
	}
}

func TestParse_WebhookActions(t *testing.T) {
	r := parseFile(t, "testdata/webhooks.jsonl")
	if len(r.Rejects) != 0 || len(r.Events) != 16 {
		t.Fatalf("%d events, rejects %v", len(r.Events), r.Rejects)
	}
	// updatedAt is in nanoseconds; the text keeps all its digits.
	tests := []struct {
		name                           string
		i                              int
		at, sub, typ, actor, body, ref string
		severity, status               string
	}{
		{"acknowledge", 0, "2026-03-01T10:02:00.000000111Z", "acknowledge", "Acknowledge", "ana@example.com", "Acknowledged: " + msg, "", "unknown", "acknowledged"},
		{"note", 1, "2026-03-01T10:03:00.000000222Z", "note", "AddNote", "ana@example.com", "Note: " + msg + "\n\nRolling back release 2026.03.01-2", "", "unknown", ""},
		{"second note", 2, "2026-03-01T10:04:00.000000333Z", "note", "AddNote", "ana@example.com", "Note: " + msg + "\n\nRollback done, watching", "", "unknown", ""},
		{"unacknowledge", 3, "2026-03-01T10:05:00.000000444Z", "unacknowledge", "UnAcknowledge", "System", "Unacknowledged: " + msg, "", "unknown", ""},
		{"assign ownership", 4, "2026-03-01T10:06:00.000000555Z", "assign", "AssignOwnership", "ana@example.com", "Assigned: " + msg + "\n\nOwner: bo@example.com", "", "unknown", ""},
		{"take ownership", 5, "2026-03-01T10:07:00.000000666Z", "assign", "TakeOwnership", "bo@example.com", "Assigned: " + msg + "\n\nOwner: bo@example.com", "", "unknown", ""},
		{"tag names the incident", 6, "2026-03-01T10:08:00.000000777Z", "update", "AddTags", "ana@example.com", "Updated: " + msg + "\n\nTags added: hindsight:INC-9", "INC-9", "unknown", ""},
		{"remove tags", 7, "2026-03-01T10:08:20.000000777Z", "update", "RemoveTags", "ana@example.com", "Updated: " + msg + "\n\nTags removed: critical", "", "unknown", ""},
		{"priority", 8, "2026-03-01T10:09:00.000000888Z", "update", "UpdatePriority", "ana@example.com", "Updated: " + msg + "\n\nPriority: P2 (was P1)", "", "error", ""},
		{"recipient", 9, "2026-03-01T10:09:10.000000888Z", "update", "AddRecipient", "ana@example.com", "Updated: " + msg + "\n\nRecipient added: dba_team", "", "unknown", ""},
		{"team", 10, "2026-03-01T10:09:15.000000888Z", "update", "AddTeam", "ana@example.com", "Updated: " + msg + "\n\nTeam added: dba", "", "unknown", ""},
		{"snooze", 11, "2026-03-01T10:09:20.000000999Z", "snooze", "Snooze", "ana@example.com", "Snoozed: " + msg + "\n\nSnoozed until 2026-03-01T10:45:00Z", "", "unknown", ""},
		{"close", 12, "2026-03-01T10:20:00.000000123Z", "resolve", "Close", "ana@example.com", "Resolved: " + msg, "", "unknown", "closed"},
		{"delete", 13, "2026-03-01T10:21:40.000000123Z", "update", "Delete", "ana@example.com", "Updated: " + msg + "\n\nAlert deleted", "", "unknown", ""},
		{"custom action kept as other", 14, "2026-03-01T10:23:20.000000123Z", "other", "TestAction", "ana@example.com", "Alert: " + msg, "", "unknown", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rowOf(r.Events[tt.i])
			want := row{ID: got.ID, At: tt.at, AtText: got.AtText, Subtype: tt.sub, EventType: tt.typ, Actor: tt.actor,
				Service: "checkout", Host: "web-3.prod", Severity: tt.severity, Status: tt.status, Body: tt.body, Link: link, Thread: alertID, Ref: tt.ref}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	ids := map[string]bool{}
	for _, e := range r.Events {
		if ids[e.ExternalID] {
			t.Errorf("id %s twice", e.ExternalID)
		}
		ids[e.ExternalID] = true
	}
	// A sender giving the priority as a number and no service detail.
	q := rowOf(r.Events[15])
	if q.Severity != "warning" || q.Service != "queue-1" || q.Host != "queue-1" || q.Actor != "OpsGenie" || q.AtText != "1772359800000" || q.ID != createID("ec03dad6-62c8-4c94-b38b-d88f398e900f") {
		t.Errorf("numeric priority create = %+v", q)
	}
}

func TestParseDelivery(t *testing.T) {
	esc, _ := os.ReadFile("testdata/webhook_escalate.json")
	create, _ := os.ReadFile("testdata/webhook_create.json")
	recv := time.Date(2026, 3, 1, 10, 1, 0, 0, time.UTC)
	tests := []struct {
		name, body, wantErr string
		want                row
	}{
		{name: "escalate has no time: the delivery's", body: string(esc), want: row{
			ID: "", At: "2026-03-01T10:01:00Z", AtText: "received 2026-03-01T10:01:00Z", Subtype: "escalate", EventType: "Escalate", Actor: "OpsGenie",
			Severity: "unknown", Body: "Escalated: OpsGenie alert " + alertID + "\n\nEscalation: checkout_escalation → bo@example.com", Link: link, Thread: alertID}},
		{name: "create", body: string(create), want: row{Subtype: "trigger"}},
		{name: "not json", body: "action=Create", wantErr: "body: not JSON"},
		{name: "no action", body: `{"alert":{"alertId":"a"}}`, wantErr: "action: is missing"},
		{name: "no alert id", body: `{"action":"Close","alert":{"message":"x","updatedAt":1}}`, wantErr: "alert.alertId: is missing"},
		{name: "bad time", body: `{"action":"Close","alert":{"alertId":"a","updatedAt":"noon"}}`, wantErr: "alert.updatedAt: timestamp"},
		{name: "wrong type", body: `{"action":"Close","alert":{"alertId":"a","message":5}}`, wantErr: "alert.message: is a JSON number, want a string"},
		{name: "array body", body: `[]`, wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(tt.body), ReceivedAt: recv}, &r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(r.Events) != 1 {
				t.Fatalf("err %v, %d events", err, len(r.Events))
			}
			got := rowOf(r.Events[0])
			if tt.want.ID == "" && tt.want.At != "" {
				tt.want.ID = importers.StableID(alertID, "Escalate", "51859f57-7fad-467b-ad79-59acbc69cb6a", "0", "0", "checkout_escalation")
			}
			if tt.want.At == "" {
				if got.Subtype != tt.want.Subtype {
					t.Errorf("subtype %q", got.Subtype)
				}
				return
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	// The same escalation delivered twice, received at other times, is one event.
	var a, b importertest.Recorder
	_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: esc, ReceivedAt: recv}, &a)
	_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: esc, ReceivedAt: recv.Add(time.Minute)}, &b)
	if a.Events[0].ExternalID != b.Events[0].ExternalID {
		t.Error("a redelivered escalation got a new id")
	}
}

func TestParse_API(t *testing.T) {
	one := parseFile(t, "testdata/alert.json")
	var got []row
	for _, e := range one.Events {
		got = append(got, rowOf(e))
	}
	base := row{Service: "checkout", Host: "web-3", Severity: "critical", Link: link, Thread: alertID, Ref: "INC-7"}
	mk := func(id, at, atText, sub, typ, actor, status, body string) row {
		r := base
		r.ID, r.At, r.AtText, r.Subtype, r.EventType, r.Actor, r.Status, r.Body = id, at, atText, sub, typ, actor, status, body
		return r
	}
	want := []row{
		mk(createID(alertID), "2026-03-01T10:00:00.123Z", "2026-03-01T10:00:00.123Z", "trigger", "Create", "Datadog", "open",
			"Triggered: "+msg+"\n\np99 latency is 2.4s\nhost: web-3\nincident: INC-7\nservice: checkout"),
		mk(importers.StableID(alertID, "report", "Acknowledge"), "2026-03-01T10:02:00.123Z", "2026-03-01T10:00:00.123Z + 120000 ms", "acknowledge", "Acknowledge", "ana@example.com", "acknowledged", "Acknowledged: "+msg),
		mk(importers.StableID(alertID, "report", "Close"), "2026-03-01T10:20:00.123Z", "2026-03-01T10:00:00.123Z + 1200000 ms", "resolve", "Close", "bo@example.com", "closed", "Resolved: "+msg),
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("alert (-want +got):\n%s", d)
	}
	if one.Events[0].Metadata[importers.MetaCount] != 3 {
		t.Errorf("count = %v", one.Events[0].Metadata[importers.MetaCount])
	}

	list := parseFile(t, "testdata/alerts_list.json")
	if len(list.Events) != 4 {
		t.Fatalf("%d events from the list", len(list.Events))
	}
	if z := rowOf(list.Events[3]); z.Ref != "INC-8" || z.Service != "db-7" || z.Severity != "warning" || z.Subtype != "trigger" {
		t.Errorf("tagged alert = %+v", z)
	}
	wantRej := []importers.Rejection{{File: "testdata/alerts_list.json", Line: 3, Field: "data[2].id", Reason: "is missing"}}
	if d := cmp.Diff(wantRej, list.Rejects); d != "" {
		t.Errorf("rejects (-want +got):\n%s", d)
	}
}

func TestParse_AlertWithLogs(t *testing.T) {
	r := parseFile(t, "testdata/alert_logs.json")
	type short struct{ At, Subtype, EventType, Actor, Body string }
	var got []short
	for _, e := range r.Events {
		x := rowOf(e)
		got = append(got, short{x.At, x.Subtype, x.EventType, x.Actor, x.Body})
		if x.Thread != alertID || x.Ref != "INC-7" || x.Service != "checkout" {
			t.Errorf("%s: %+v", x.ID, x)
		}
	}
	// Newest first as the API gave them; each log keeps its own time.
	want := []short{
		{"2026-03-01T10:20:00.123Z", "resolve", "system", "bo@example.com", "Resolved: " + msg + "\n\nAlert closed via web"},
		{"2026-03-01T10:04:00Z", "note", "system", "ana@example.com", "Note: " + msg + "\n\nNote added: Rollback done, watching"},
		{"2026-03-01T10:02:00.123Z", "acknowledge", "system", "ana@example.com", "Acknowledged: " + msg + "\n\nAlert acknowledged via web"},
		{"2026-03-01T10:00:05Z", "other", "alertRecipient", "ana@example.com", "Alert: " + msg + "\n\nNotified ana@example.com via sms"},
		{"2026-03-01T10:00:01Z", "escalate", "system", "System", "Escalated: " + msg + "\n\nAlert escalated to payments_escalation"},
		{"2026-03-01T10:00:00.123Z", "trigger", "system", "System", "Triggered: " + msg + "\n\nAlert created via Datadog[Datadog] with message: " + msg + "\np99 latency is 2.4s\nhost: web-3\nincident: INC-7\nservice: checkout"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	// The creation log has the key of the Create webhook: no double trigger.
	if r.Events[5].ExternalID != createID(alertID) {
		t.Errorf("creation log id = %s", r.Events[5].ExternalID)
	}
	wantRej := []importers.Rejection{{File: "testdata/alert_logs.json", Line: 7, Field: "logs.data[6].log", Reason: "is empty"}}
	if d := cmp.Diff(wantRej, r.Rejects); d != "" {
		t.Errorf("rejects (-want +got):\n%s", d)
	}
}

func TestParse_Shapes(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
		events, rejects   int
	}{
		{name: "array of webhooks", in: `[{"action":"Acknowledge","alert":{"alertId":"a","updatedAt":1772359320000000111}},{"action":"Close","alert":{"alertId":"a","updatedAt":1772359330000000111}}]`, events: 2},
		{name: "escalate without time in a list is rejected", in: `[{"action":"Escalate","alert":{"alertId":"a"}}]`, rejects: 1},
		{name: "bare alert", in: `{"id":"a","message":"m","createdAt":"2026-03-01T10:00:00Z"}`, events: 1},
		{name: "logs without their alert", in: `{"data":[{"log":"Alert acknowledged","type":"system","createdAt":"2026-03-01T10:00:00Z"}]}`, wantErr: `in.json: data: holds alert logs, which do not name their alert: save them as {"alert":…,"logs":[…]}`},
		{name: "alert with no logs", in: `{"alert":{"id":"a","message":"m","createdAt":"2026-03-01T10:00:00Z"},"logs":[]}`, events: 1},
		{name: "unknown", in: `{"foo":1}`, wantErr: "in.json: is none of the known shapes"},
		{name: "not json", in: `<xml/>`, wantErr: `opsgenie: in.json: not JSON (it starts with "<"); want an OpsGenie webhook payload`},
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
			if err != nil || len(r.Events) != tt.events || len(r.Rejects) != tt.rejects {
				t.Fatalf("err %v, %d events, rejects %v", err, len(r.Events), r.Rejects)
			}
		})
	}
}

func TestLinkUsesAppURL(t *testing.T) {
	var r importertest.Recorder
	imp := Importer{AppURL: "https://app.eu.opsgenie.com"}
	if err := imp.ParseDelivery(context.Background(), importers.Delivery{Body: []byte(`{"action":"Close","alert":{"alertId":"a b","updatedAt":1772359320000000111}}`)}, &r); err != nil {
		t.Fatal(err)
	}
	if got := r.Events[0].Link; got != "https://app.eu.opsgenie.com/alert/detail/a%20b/details" {
		t.Errorf("link = %s", got)
	}
}
