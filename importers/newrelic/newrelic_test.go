package newrelic

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
	ID, At, Subtype, EventType, Service, Host, Severity, Link, Thread, Incident, Actor, Title string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType),
		Service: s(importers.MetaService), Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity), Link: e.Link, Thread: e.ThreadID,
		Incident: s(importers.MetaIncident), Actor: e.Actor, Title: s(importers.MetaTitle),
	}
}

// check compares the events with want and demands that they be valid.
func check(t *testing.T, got []incident.TimelineEvent, want []row) {
	t.Helper()
	importertest.Rows(t, got, want, rowOf)
	importertest.Valid(t, got)
}

const (
	issue1 = "13bbcdca-f0b6-470d-b0be-b34583c58869"
	issue2 = "95a9344a-2590-48ce-8d83-07e28b6d22c6"
	link1  = "https://radar-api.service.newrelic.com/accounts/1234567/issues/" + issue1 + "?notifier=WEBHOOK"
	title1 = "PIETER-UBUNTU query result is > 1.0 for 5 minutes on 'Storage on Host Exceeded Threshold'"
	inc    = "163450695"
	incURL = "https://alerts.newrelic.com/accounts/2857531/incidents/163450695"
)

func sid(parts ...string) string { return importers.StableID(append([]string{Source}, parts...)...) }

func TestParse(t *testing.T) {
	tests := []struct {
		name        string
		file        string
		want        []row
		wantBody0   string
		wantRejects []importers.Rejection
	}{
		{name: "workflow default payload", file: "testdata/workflow_activated.json", want: []row{
			{ID: sid("c5faa7e6-7b54-402d-af79-f99601e0278c", "ACTIVATED", "1705321846000"), At: "2024-01-15T12:30:45.123Z", Subtype: "trigger", EventType: "ACTIVATED",
				Service: "checkout-api", Severity: "critical", Link: "https://radar-api.service.newrelic.com/accounts/1234567/issues/c5faa7e6-7b54-402d-af79-f99601e0278c?notifier=WEBHOOK",
				Thread: "c5faa7e6-7b54-402d-af79-f99601e0278c", Incident: "INC-7", Actor: "New Relic", Title: "checkout-api query result is > 5.0 for 5 minutes on 'Checkout error rate'"},
		}, wantBody0: "Triggered: checkout-api query result is > 5.0 for 5 minutes on 'Checkout error rate'\n\nPolicy: Golden Signals\nCondition: Checkout error rate\nEntities: checkout-api"},
		{name: "workflow lifecycle as JSON Lines", file: "testdata/workflows.jsonl", want: []row{
			{ID: sid(issue1, "CREATED", "1713769949494"), At: "2024-04-22T07:12:29.493Z", Subtype: "trigger", EventType: "CREATED", Service: "PIETER-UBUNTU", Severity: "error", Link: link1, Thread: issue1, Actor: "New Relic", Title: title1},
			{ID: sid(issue1, "ACTIVATED", "1713770077412"), At: "2024-04-22T07:14:37Z", Subtype: "acknowledge", EventType: "ACTIVATED", Service: "PIETER-UBUNTU", Severity: "error", Link: link1, Thread: issue1, Actor: "Pieter Cardillo Kwok", Title: title1},
			{ID: sid(issue1, "ACTIVATED", "1713770100000"), At: "2024-04-22T07:15:00Z", Subtype: "update", EventType: "ACTIVATED", Service: "PIETER-UBUNTU", Severity: "critical", Thread: issue1, Actor: "New Relic", Title: title1},
			{ID: sid(issue1, "CLOSED", "1713770400000"), At: "2024-04-22T07:19:59Z", Subtype: "resolve", EventType: "CLOSED", Service: "PIETER-UBUNTU", Severity: "critical", Thread: issue1, Actor: "New Relic", Title: title1},
			{ID: sid(issue2, "ACKNOWLEDGED", "1713766657383"), At: "2024-04-22T06:17:37.383Z", Subtype: "acknowledge", EventType: "ACKNOWLEDGED", Severity: "warning", Thread: issue2, Actor: "bo@example.com", Title: "High CPU"},
		}, wantRejects: []importers.Rejection{
			{File: "testdata/workflows.jsonl", Line: 6, Field: "createdAt", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
			{File: "testdata/workflows.jsonl", Line: 7, Reason: "is not a New Relic payload: want a workflow payload (id, state, issueUrl …) or a legacy webhook (incident_id, current_state …)"},
		}},
		{name: "legacy webhooks", file: "testdata/legacy.json", want: []row{
			{ID: sid(inc, "open", "1600457850876"), At: "2020-09-18T19:37:30.876Z", Subtype: "trigger", EventType: "open", Service: "checkout-api", Severity: "critical", Link: incURL, Thread: inc, Incident: "INC-7", Actor: "New Relic", Title: "Checkout API error rate"},
			{ID: sid(inc, "acknowledged", "1600457910000"), At: "2020-09-18T19:38:30Z", Subtype: "acknowledge", EventType: "acknowledged", Host: "web-1", Severity: "critical", Link: incURL, Thread: inc, Actor: "Ana Lima", Title: "Checkout API error rate"},
			{ID: sid(inc, "closed", "1600458210000"), At: "2020-09-18T19:43:30Z", Subtype: "resolve", EventType: "closed", Severity: "critical", Thread: inc, Actor: "New Relic", Title: "Checkout API error rate"},
			{ID: sid("99", "flapping", "1600458210000"), At: "2020-09-18T19:43:30Z", Subtype: "other", EventType: "flapping", Severity: "unknown", Thread: "99", Actor: "New Relic", Title: "x"},
		}, wantBody0: "Triggered: Checkout API error rate\n\nError percentage > 5.0% for at least 5 minutes on 'checkout-api'\nPolicy: Checkout policy\nRunbook: https://runbooks.example.com/checkout",
			wantRejects: []importers.Rejection{{File: "testdata/legacy.json", Line: 5, Field: "[4].timestamp", Reason: "is missing: the payload has no time (timestamp)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			if err := New().Parse(context.Background(), importertest.FileInput(tt.file), importers.Options{}, &r); err != nil {
				t.Fatal(err)
			}
			check(t, r.Events, tt.want)
			if tt.wantBody0 != "" && r.Events[0].Body != tt.wantBody0 {
				t.Errorf("body = %q\nwant %q", r.Events[0].Body, tt.wantBody0)
			}
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
	err := New().Parse(context.Background(), importertest.StringInput("f.json", "<xml/>"), importers.Options{}, &importertest.Recorder{})
	if err == nil || !strings.Contains(err.Error(), "f.json: not JSON") {
		t.Errorf("not JSON: err = %v", err)
	}
}

func TestParseDelivery(t *testing.T) {
	received := time.Date(2024, 3, 2, 9, 20, 0, 0, time.UTC)
	tests := []struct {
		name, body, wantErr string
		want                []row
	}{
		{name: "no times uses the delivery time", body: `{"id":"i1","title":"t","state":"CLOSED","priority":"LOW"}`, want: []row{
			{ID: sid("i1", "CLOSED", "", ""), At: "2024-03-02T09:20:00Z", Subtype: "resolve", EventType: "CLOSED", Severity: "info", Thread: "i1", Actor: "New Relic", Title: "t"}}},
		{name: "title as a list and tags", body: `{"id":"i2","title":["a","b"],"state":"ACTIVATED","createdAt":1709370900000,"updatedAt":1709370900000,"tags":["team:x","hindsight:INC-3"]}`, want: []row{
			{ID: sid("i2", "ACTIVATED", "1709370900000"), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "ACTIVATED", Severity: "unknown", Thread: "i2", Incident: "INC-3", Actor: "New Relic", Title: "a"}}},
		{name: "the default workflow payload of a new issue is a trigger", body: `{"id":"i3","title":"CPU high","state":"CREATED","trigger":"INCIDENT_ADDED","priority":"CRITICAL","createdAt":1709370900000,"updatedAt":1709370900000}`, want: []row{
			{ID: sid("i3", "CREATED", "1709370900000"), At: "2024-03-02T09:15:00Z", Subtype: "trigger", EventType: "CREATED", Severity: "critical", Thread: "i3", Actor: "New Relic", Title: "CPU high"}}},
		{name: "missing id", body: `{"state":"ACTIVATED"}`, wantErr: "id: is missing"},
		{name: "bad time", body: `{"incident_id":5,"current_state":"open","timestamp":"soon"}`, wantErr: "timestamp: timestamp"},
		{name: "unknown shape", body: `{"foo":1}`, wantErr: "is not a New Relic payload"},
		{name: "array element named", body: `[{"id":"x","state":"CLOSED"},{"foo":1}]`, wantErr: "[1]: is not a New Relic payload"},
		{name: "not json", body: `{`, wantErr: "body is not JSON"},
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
	for _, p := range []string{"testdata/workflow_activated.json", "testdata/workflows.jsonl", "testdata/legacy.json"} {
		f.Add(string(importertest.ReadFile(f, p)))
	}
	f.Fuzz(func(t *testing.T, data string) {
		r := importertest.ParseString(New(), "f.json", data, importers.Options{})
		_ = New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(data), ReceivedAt: time.Unix(1700000000, 0)}, r)
		importertest.Check(t, importertest.Want{File: "f.json", Complete: true, Tolerate: []string{"occurred_at", "characters"}}, r.Events, r.Rejects)
	})
}
