package teams

import (
	"context"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

type recorder = importertest.Recorder

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	channel = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
	team    = "fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
	root    = "1616965872395"
)

// fixtureEvents is what testdata/channel_messages.json must give.
func fixtureEvents() []incident.TimelineEvent {
	chat := func(id, when, actor, body string, meta map[string]any) incident.TimelineEvent {
		return incident.TimelineEvent{OccurredAt: at(when), OccurredAtText: when, Source: "teams", Kind: incident.KindChat,
			Actor: actor, Body: body, ExternalID: id, ThreadID: root, ParentID: root, Metadata: meta}
	}
	first := chat(root, "2024-11-20T10:01:12.395Z", "Robin Kline",
		"Checkout errors\n\n@Megan Bowen checkout returns 502 & the [dashboard](https://grafana.example.com/d/checkout?from=now-1h) is red.\n"+
			"See https://status.example.com\n\nSteps \\<b>so far\\</b>:\n\n- rolled back `api-7f3`\n- paged **DB** on-call",
		map[string]any{
			"attachments":  []map[string]any{{"content_type": "reference", "name": "checkout-502.png", "url": "https://contoso.sharepoint.com/sites/ops/Shared%20Documents/checkout-502.png"}},
			"channel":      channel,
			"importance":   "urgent",
			"message_type": "message",
			"subject":      "Checkout errors",
			"team_id":      team,
		})
	first.ParentID = ""
	first.Link = "https://teams.microsoft.com/l/message/19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2/1616965872395?groupId=fbe2bf47-16c8-47cf-b4a5-4b9b187c508b"
	system := incident.TimelineEvent{OccurredAt: at("2024-11-20T10:02:10.5Z"), OccurredAtText: "2024-11-20T10:02:10.5Z", Source: "teams",
		Kind: incident.KindStatus, Actor: "system", ExternalID: "1616965930000", ThreadID: "1616965930000",
		Body:     "Members added by Robin Kline: Zoë Ångström, unknown user 0b7c6f1d-5a0e-4d8e-9d8e-5c2f0e0c0f02",
		Metadata: map[string]any{"channel": channel, "message_type": "systemEventMessage", "team_id": team}}
	bot := incident.TimelineEvent{OccurredAt: at("2024-11-20T10:02:25Z"), OccurredAtText: "2024-11-20T10:02:25Z", Source: "teams",
		Kind: incident.KindChat, Actor: "PagerDuty", ExternalID: "1616965945000", ThreadID: "1616965945000",
		Body: "Incident #4521 triggered",
		Metadata: map[string]any{"channel": channel, "message_type": "message", "team_id": team,
			"attachments": []map[string]any{{"content_type": "application/vnd.microsoft.card.adaptive", "name": "Incident #4521 triggered"}}}}
	return []incident.TimelineEvent{
		first,
		chat("1616965920001", "2024-11-20T10:02:00Z", "Megan Bowen", "Looking — connection pool is at 100 %.\nRaising max_conns.",
			map[string]any{"channel": channel, "message_type": "message", "team_id": team}),
		system,
		bot,
		chat("1616965990000", "2024-11-20T10:03:10Z", "Robin Kline", "Fixed 🎉 🎉 — thanks here",
			map[string]any{"edited_at": "2024-11-20T10:05:00Z", "message_type": "message"}),
		chat("1616966000000", "2024-11-20T10:03:20Z", "Megan Bowen", "(message deleted)",
			map[string]any{"deleted_at": "2024-11-20T10:04:00Z", "message_type": "message"}),
	}
}

func TestImporter_Parse(t *testing.T) {
	page, err := os.ReadFile("testdata/channel_messages.json")
	if err != nil {
		t.Fatal(err)
	}
	fixtureRejects := []importers.Rejection{
		{File: "channel_messages.json", Line: 223, Field: "createdDateTime", Reason: "message has no timestamp"},
		{File: "channel_messages.json", Line: 231, Field: "from.user", Reason: "not a chatMessage: json: cannot unmarshal string into Go struct field fromSet.from.user of type teams.identity"},
	}
	const reply = `{"id":"2","replyToId":"1","createdDateTime":"2024-11-20T11:00:00Z","from":{"user":{"id":"u2","displayName":"Bo"}},"body":{"contentType":"text","content":"ack"}}`
	const top = `{"id":"1","createdDateTime":"2024-11-20T10:59:00Z","channelIdentity":{"channelId":"c1"},"from":{"user":{"id":"u1","displayName":""}},"body":{"contentType":"html","content":"<p>db down</p>"}}`
	ev := func(id, when, actor, body, thread, parent string, meta map[string]any) incident.TimelineEvent {
		return incident.TimelineEvent{OccurredAt: at(when), OccurredAtText: when, Source: "teams", Kind: incident.KindChat,
			Actor: actor, Body: body, ExternalID: id, ThreadID: thread, ParentID: parent, Metadata: meta}
	}
	arrayEvents := []incident.TimelineEvent{
		ev("1", "2024-11-20T10:59:00Z", "unknown user u1", "db down", "1", "", map[string]any{"channel": "c1", "user_id": "u1"}),
		ev("2", "2024-11-20T11:00:00Z", "Bo", "ack", "1", "1", map[string]any{}),
	}
	tests := []struct {
		name        string
		in          importers.Input
		opts        importers.Options
		want        []incident.TimelineEvent
		wantRejects []importers.Rejection
	}{
		{name: "graph page", in: importertest.FileInput("testdata/channel_messages.json"), want: fixtureEvents(), wantRejects: fixtureRejects},
		{name: "bare array", in: importertest.StringInput("export/msgs.json", "\uFEFF[\n"+top+",\n"+reply+"\n]"), want: arrayEvents},
		{
			name: "folder of pages",
			in: importers.Input{Name: "export", FS: fstest.MapFS{
				"General/page1.json": {Data: page},
				"General/page2.json": {Data: []byte(`{"value":[` + top + `,` + reply + `]}`)},
				"General/readme.txt": {Data: []byte("not json")},
			}},
			want: append(fixtureEvents(), arrayEvents...),
			wantRejects: []importers.Rejection{
				{File: "General/page1.json", Line: 223, Field: "createdDateTime", Reason: "message has no timestamp"},
				{File: "General/page1.json", Line: 231, Field: "from.user", Reason: fixtureRejects[1].Reason},
			},
		},
		{name: "channel filter by id", in: importertest.StringInput("a.json", "["+top+","+reply+"]"), opts: importers.Options{Channels: []string{"c1"}}, want: arrayEvents[:1]},
		{name: "channel filter by file name", in: importertest.StringInput("c9.json", "["+top+"]"), opts: importers.Options{Channels: []string{"c9"}}, want: arrayEvents[:1]},
		{name: "channel filter drops others", in: importertest.FileInput("testdata/channel_messages.json"), opts: importers.Options{Channels: []string{"other"}}, wantRejects: fixtureRejects[1:]},
		{
			name: "no id and no text",
			in:   importertest.StringInput("b.json", `{"value":[{"createdDateTime":"2024-11-20T10:59:00Z"},`+"\n"+`{"id":"3","createdDateTime":"2024-11-20T10:59:00Z","body":{"contentType":"html","content":"<p> </p>"}}]}`),
			wantRejects: []importers.Rejection{
				{File: "b.json", Line: 1, Field: "id", Reason: "message has no id"},
				{File: "b.json", Line: 2, Field: "body", Reason: "message has no text, event detail or attachment"},
			},
		},
		{
			name:        "bad timestamp",
			in:          importertest.StringInput("c.json", `[{"id":"4","createdDateTime":"yesterday","body":{"content":"x"}}]`),
			wantRejects: []importers.Rejection{{File: "c.json", Line: 1, Field: "createdDateTime", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			if err := New().Parse(context.Background(), tt.in, tt.opts, &r); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, r.Events); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRejects, r.Rejects); diff != "" {
				t.Errorf("rejections (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImporter_ParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   importers.Input
		want string
	}{
		{name: "truncated", in: importertest.StringInput("t.json", "{\"value\": [\n{\"id\": \"1\",\n"), want: "teams: t.json: line 2: unexpected EOF"},
		{name: "not a page", in: importertest.StringInput("p.json", `{"ok": true}`), want: `teams: p.json: line 1: no "value" array: not a Graph chatMessage page`},
		{name: "value not array", in: importertest.StringInput("v.json", `{"value": 3}`), want: `teams: v.json: line 1: field "value" must be an array of chatMessage`},
		{name: "scalar", in: importertest.StringInput("s.json", `42`), want: `teams: s.json: line 1: want a Graph page {"value": [...]} or a JSON array of chatMessage`},
		{name: "not json", in: importertest.StringInput("n.json", `hello`), want: "teams: n.json: line 1: not JSON: invalid character 'h' looking for beginning of value"},
		{name: "empty folder", in: importers.Input{Name: "dir", FS: fstest.MapFS{"a.txt": {Data: []byte("x")}}}, want: "teams: dir: no .json files with Graph channel messages"},
		{name: "nothing", in: importers.Input{Name: "x"}, want: "teams: x: nothing to read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().Parse(context.Background(), tt.in, importers.Options{}, &recorder{})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestImporter_Source(t *testing.T) {
	if got := New().Source(); got != "teams" {
		t.Fatalf("Source() = %q", got)
	}
}

// TestImporter_AlertCardWithoutName: alerting bots post messages whose body
// is only an <attachment> tag pointing at an Adaptive Card with no name; the
// card's text becomes the event instead of a rejection.
func TestImporter_AlertCardWithoutName(t *testing.T) {
	card := `{\"type\":\"AdaptiveCard\",\"body\":[{\"type\":\"TextBlock\",\"text\":\"Fired: CPU > 90% on api-7\"},{\"type\":\"FactSet\",\"facts\":[{\"title\":\"Severity\",\"value\":\"Sev1\"}]}]}`
	page := `{"value":[{"id":"1700000000001","createdDateTime":"2024-11-20T10:00:00Z","messageType":"message",
		"from":{"application":{"displayName":"Azure Monitor"}},
		"body":{"contentType":"html","content":"<attachment id=\"abc\"></attachment>"},
		"attachments":[{"id":"abc","contentType":"application/vnd.microsoft.card.adaptive","name":null,"content":"` + card + `"}]}]}`
	var r recorder
	if err := New().Parse(context.Background(), importertest.StringInput("teams.json", page), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Rejects) != 0 || len(r.Events) != 1 {
		t.Fatalf("events %d, rejects %+v", len(r.Events), r.Rejects)
	}
	if got := r.Events[0].Body; !strings.Contains(got, "Fired: CPU > 90% on api-7") || !strings.Contains(got, "Severity: Sev1") {
		t.Fatalf("body = %q", got)
	}
}
