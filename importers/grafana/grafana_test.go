package grafana

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
	ID, At, AtText, Subtype, EventType, Service, Host, Severity, Body, Link, Thread, Incident string
}

func rowOf(e incident.TimelineEvent) row {
	s := func(k string) string { v, _ := e.Metadata[k].(string); return v }
	return row{
		ID: e.ExternalID, At: e.OccurredAt.Format(time.RFC3339Nano), AtText: e.OccurredAtText,
		Subtype: s(importers.MetaSubtype), EventType: s(importers.MetaEventType), Service: s(importers.MetaService),
		Host: s(importers.MetaHost), Severity: s(importers.MetaSeverity), Body: e.Body, Link: e.Link, Thread: e.ThreadID,
		Incident: s(importers.MetaIncident),
	}
}

func checkValid(t *testing.T, e incident.TimelineEvent) {
	t.Helper()
	if e.Kind != incident.KindAlert || e.Source != Source || e.Actor != "Grafana" {
		t.Errorf("kind %q source %q actor %q", e.Kind, e.Source, e.Actor)
	}
	e.Normalize()
	if err := e.Validate(); err != nil {
		t.Errorf("invalid event %+v: %v", e, err)
	}
}

func legacyID(rule, dash, panel, state, at string) string {
	return importers.StableID("legacy", "1", dash, panel, rule, state, at)
}

func TestParse_Files(t *testing.T) {
	mem := "c6eadffa33fcdf37"
	ruleURL := "http://grafana.example.com:3000/d/abc/checkout?tab=alert&editPanel=2&orgId=1"
	queueURL := "http://grafana.example.com:3000/d/q/queues?orgId=1"
	tests := []struct {
		name    string
		file    string
		want    []row
		rejects []importers.Rejection
	}{
		{
			name: "unified firing", file: "testdata/unified_firing.json",
			want: []row{
				{ID: importers.StableID(mem, "firing", "2021-10-12T07:51:03.157076Z"), At: "2021-10-12T07:51:03.157076Z", AtText: "2021-10-12T09:51:03.157076+02:00",
					Subtype: "trigger", EventType: "firing", Service: "checkout", Severity: "critical",
					Body: "Triggered: Memory above 90% in zone us-1\n\nThe system has high memory usage\n\nRunbook: https://runbooks.example.com/memory\n\nValues: B=94.23943737541908, C=1",
					Link: "https://grafana.example.com/alerting/grafana/1afz29v7z/view", Thread: mem},
				{ID: importers.StableID("bc97ff14869b13e3", "firing", "2021-10-12T07:56:03.157076Z"), At: "2021-10-12T07:56:03.157076Z", AtText: "2021-10-12T09:56:03.157076+02:00",
					Subtype: "trigger", EventType: "firing", Host: "web-3:9100", Severity: "unknown",
					Body: "Triggered: High CPU usage\n\nThe system has high CPU usage\n\nValues: [ metric='' labels={} value=14151.331895396988 ]",
					Link: "https://grafana.example.com/d/cpu01?orgId=1", Thread: "bc97ff14869b13e3", Incident: "INC-3"},
			},
		},
		{
			name: "unified resolved", file: "testdata/unified_resolved.json",
			want: []row{{ID: importers.StableID(mem, "resolved", "2021-10-12T07:51:03.157076Z", "2021-10-12T08:06:03.157076Z"), At: "2021-10-12T08:06:03.157076Z",
				AtText: "2021-10-12T10:06:03.157076+02:00", Subtype: "resolve", EventType: "resolved", Service: "checkout", Severity: "critical",
				Body: "Resolved: Memory above 90% in zone us-1\n\nThe system has high memory usage\n\nRunbook: https://runbooks.example.com/memory\n\nValues: B=61.5, C=0",
				Link: "https://grafana.example.com/alerting/grafana/1afz29v7z/view", Thread: mem}},
		},
		{
			name: "legacy states; a record without time is rejected", file: "testdata/legacy.jsonl",
			want: []row{
				{ID: legacyID("7", "1", "2", "alerting", "2020-06-02T14:00:05Z"), At: "2020-06-02T14:00:05Z", AtText: "2020-06-02T14:00:05Z", Subtype: "trigger", EventType: "alerting",
					Service: "checkout", Severity: "error",
					Body: "Triggered: Checkout latency alert\n\nSomeone is testing the alert notification within Grafana.\n\nMatches:\n- High value = 100\n- Higher Value = 200\n\nImage: https://grafana.com/static/assets/img/blog/mixed_styles.png",
					Link: ruleURL, Thread: "rule:1/7", Incident: "INC-9"},
				{ID: legacyID("7", "1", "2", "ok", "2020-06-02T14:15:05Z"), At: "2020-06-02T14:15:05Z", AtText: "1591107305", Subtype: "resolve", EventType: "ok",
					Service: "checkout", Severity: "error", Body: "Resolved: Checkout latency alert", Link: ruleURL, Thread: "rule:1/7"},
				{ID: legacyID("9", "3", "1", "no_data", "2020-06-02T16:40:00Z"), At: "2020-06-02T16:40:00Z", AtText: "2020-06-02 16:40:00", Subtype: "update", EventType: "no_data",
					Severity: "unknown", Body: "Updated: Queue depth", Link: queueURL, Thread: "rule:1/9"},
				{ID: legacyID("9", "3", "1", "paused", "2020-06-02T15:00:00Z"), At: "2020-06-02T15:00:00Z", AtText: "2020-06-02T17:00:00+02:00", Subtype: "suppress", EventType: "paused",
					Severity: "unknown", Body: "Suppressed: Queue depth", Link: queueURL, Thread: "rule:1/9"},
				{ID: legacyID("9", "3", "1", "pending", "2020-06-02T17:05:00Z"), At: "2020-06-02T17:05:00Z", AtText: "2020-06-02T17:05:00Z", Subtype: "other", EventType: "pending",
					Severity: "unknown", Body: "Alert: Queue depth", Thread: "rule:1/9"},
			},
			rejects: []importers.Rejection{{File: "testdata/legacy.jsonl", Line: 6, Field: "time",
				Reason: `is missing: a legacy Grafana notification carries no time, so a file needs a top-level "time" (RFC 3339 or Unix seconds) on each of them`}},
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
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/unified_firing.json"), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	md := r.Events[0].Metadata
	for k, want := range map[string]any{
		"org_id": "1", "receiver": "hindsight-webhook", "panel_url": "https://grafana.example.com/d/mem01?orgId=1&viewPanel=2",
		"silence_url": "https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+memory+usage",
		"runbook_url": "https://runbooks.example.com/memory",
	} {
		if md[k] != want {
			t.Errorf("metadata[%s] = %v, want %v", k, md[k], want)
		}
	}
	if v, _ := md["values"].(map[string]any); len(v) != 2 {
		t.Errorf("values = %v", md["values"])
	}
	r = importertest.Recorder{}
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/legacy.jsonl"), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	md = r.Events[0].Metadata
	if m, _ := md["eval_matches"].([]map[string]any); len(m) != 2 || md["rule_id"] != "7" || md["notification_title"] != "[Alerting] Checkout latency alert" {
		t.Errorf("legacy metadata = %v", md)
	}
}

func TestParseDelivery(t *testing.T) {
	firing, err := os.ReadFile("testdata/unified_firing.json")
	if err != nil {
		t.Fatal(err)
	}
	received := time.Date(2020, 6, 2, 14, 0, 5, 250e6, time.UTC)
	legacy := `{"dashboardId":1,"evalMatches":[{"value":100,"metric":"High value","tags":null}],"message":"Someone is testing","orgId":1,"panelId":2,"ruleId":0,` +
		`"ruleName":"Test notification","ruleUrl":"http://localhost:3000/","state":"alerting","tags":{},"title":"[Alerting] Test notification"}`
	tests := []struct {
		name    string
		body    string
		want    []row
		wantN   int
		wantErr string
	}{
		{name: "unified", body: string(firing), wantN: 2},
		{name: "legacy test notification is dated by the delivery", body: legacy, want: []row{{
			ID: legacyID("0", "1", "2", "alerting", "2020-06-02T14:00:00Z"), At: "2020-06-02T14:00:05.25Z", AtText: "received 2020-06-02T14:00:05.25Z",
			Subtype: "trigger", EventType: "alerting", Severity: "unknown", Body: "Triggered: Test notification\n\nSomeone is testing\n\nMatches:\n- High value = 100",
			Link: "http://localhost:3000/", Thread: "rule:1/0"}}},
		{name: "unified test message without labels is told by its group", body: `{"receiver":"hs","status":"resolved","orgId":1,"alerts":[{"status":"resolved","labels":{},"annotations":{},"startsAt":"2024-05-01T10:00:00Z","endsAt":"2024-05-01T10:05:00Z","generatorURL":"","fingerprint":"57c6d9296de2ad39"}],` +
			`"groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"https://grafana.example.com/","version":"1","groupKey":"test-57c6d9296de2ad39","truncatedAlerts":0,"title":"[RESOLVED:1]  (TestAlert Grafana)","state":"ok","message":"Webhook test message."}`,
			want: []row{{ID: importers.StableID("57c6d9296de2ad39", "resolved", "2024-05-01T10:00:00Z", "2024-05-01T10:05:00Z"), At: "2024-05-01T10:05:00Z", AtText: "2024-05-01T10:05:00Z",
				Subtype: "resolve", EventType: "resolved", Severity: "unknown", Body: "Resolved: [RESOLVED:1]  (TestAlert Grafana)\n\nWebhook test message.",
				Link: "https://grafana.example.com/", Thread: "57c6d9296de2ad39"}}},
		{name: "legacy without state", body: `{"ruleId":1,"ruleName":"x"}`, wantErr: "state: is missing"},
		{name: "unified alert with bad endsAt", body: `{"status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"x"},"startsAt":"2021-10-12T09:51:03Z","endsAt":"later"}]}`,
			wantErr: `alerts[0].endsAt: timestamp "later"`},
		{name: "something else", body: `{"text":"hello"}`, wantErr: "body: want a Grafana webhook notification"},
		{name: "array of notifications names the element", body: `[` + legacy + `,{"ruleName":"y"}]`, wantErr: "[1].state: is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().ParseDelivery(context.Background(), importers.Delivery{Body: []byte(tt.body), ReceivedAt: received}, &r)
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

// TestParseDelivery_Retry: a legacy notification retried within the same
// minute is the same event; the same rule alerting later is a new one.
func TestParseDelivery_Retry(t *testing.T) {
	body := []byte(`{"orgId":1,"dashboardId":1,"panelId":2,"ruleId":7,"ruleName":"r","state":"alerting"}`)
	ids := map[string]bool{}
	for _, at := range []time.Time{time.Date(2020, 6, 2, 14, 0, 5, 0, time.UTC), time.Date(2020, 6, 2, 14, 0, 35, 0, time.UTC), time.Date(2020, 6, 2, 15, 0, 5, 0, time.UTC)} {
		var r importertest.Recorder
		if err := New().ParseDelivery(context.Background(), importers.Delivery{Body: body, ReceivedAt: at}, &r); err != nil {
			t.Fatal(err)
		}
		ids[r.Events[0].ExternalID] = true
	}
	if len(ids) != 2 {
		t.Errorf("%d distinct ids, want 2", len(ids))
	}
}
