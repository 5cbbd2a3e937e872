package hipchat

import (
	"bytes"
	"context"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"io"
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

// failOnFailBody is a recorder whose sink fails on an event with body "fail".
func failOnFailBody() *recorder {
	return &recorder{FailOn: func(e incident.TimelineEvent, _ int) bool { return e.Body == "fail" }}
}

func at(h, m, s, ns int) time.Time { return time.Date(2016, 5, 17, h, m, s, ns, time.UTC) }

func ev(id string, t time.Time, text string, kind incident.EventKind, actor, body string, meta map[string]any) incident.TimelineEvent {
	return incident.TimelineEvent{Source: "hipchat", Kind: kind, OccurredAt: t, OccurredAtText: text, Actor: actor, Body: body, ExternalID: id, Metadata: meta}
}

const uid = "7f1c5c4e-5a1c-4c8b-9a51-0e0c1f1c000"

var singleFile = []incident.TimelineEvent{
	ev(uid+"1", at(18, 49, 48, 0), "2016-05-17T18:49:48.000000Z", incident.KindChat, "Alice Liddell", "DB primary is down — @bob can you look?",
		map[string]any{"message_type": "UserMessage", "user_id": "101", "mention_name": "alice"}),
	ev(uid+"2", at(18, 50, 30, 25e7), "2016-05-17T20:50:30.250000+02:00", incident.KindChat, "Bob Builder", "[attachment: graph.png](https://hipchat.example.com/files/1/graph.png)",
		map[string]any{"message_type": "UserMessage", "user_id": "102", "mention_name": "bob", "attachment_url": "https://hipchat.example.com/files/1/graph.png"}),
	ev(uid+"3", at(18, 51, 0, 0), "2016-05-17T18:51:00Z", incident.KindNote, "Nagios", "**CRITICAL**: db-1 is [down](https://nagios.example.com/db-1) & paging",
		map[string]any{"message_type": "NotificationMessage"}),
	ev(uid+"4", at(18, 52, 0, 0), "2016-05-17 18:52:00 UTC", incident.KindChat, "Guest Jörg", "Grüße vom Kunden 👋",
		map[string]any{"message_type": "GuestAccessMessage", "user_id": "900"}),
	ev(uid+"9", at(18, 55, 0, 0), "2016-05-17T20:55:00", incident.KindChat, "carol", "local time",
		map[string]any{"message_type": "UserMessage", "user_id": "103", "mention_name": "carol"}),
}

var singleRejects = []importers.Rejection{
	{File: "testdata/history.json", Line: 5, Field: "timestamp", Reason: "timestamp is empty"},
	{File: "testdata/history.json", Line: 6, Field: "message", Reason: "is empty"},
	{File: "testdata/history.json", Line: 7, Field: "id", Reason: "is missing"},
	{File: "testdata/history.json", Line: 8, Reason: "not a JSON object: json: cannot unmarshal string into Go value of type map[string]json.RawMessage"},
}

func exportFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, name := range []string{"rooms.json", "users.json", "rooms/1234/history.json", "rooms/5678/history.json"} {
		b, err := os.ReadFile("testdata/export/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m["hipchat_export/"+name] = &fstest.MapFile{Data: b}
	}
	return m
}

func TestImporter_Parse(t *testing.T) {
	ops := func(extra map[string]any) map[string]any {
		m := map[string]any{"channel": "Ops War Room", "room_id": "1234", "message_type": "UserMessage"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	opsEvents := []incident.TimelineEvent{
		ev("a1", at(19, 0, 0, 0), "2016-05-17T19:00:00.000000Z", incident.KindChat, "Bob Builder", "failing over", ops(map[string]any{"user_id": "102"})),
		ev("a2", at(19, 1, 0, 0), "2016-05-17T19:01:00.000000Z", incident.KindChat, "Alice Liddell", "INC-42 ongoing", ops(map[string]any{"user_id": "101", "message_type": "TopicRoomMessage"})),
	}
	opsRejects := []importers.Rejection{{File: "hipchat_export/rooms/1234/history.json", Line: 3, Reason: `broken JSON near byte 294: invalid character '\n' in string literal`}}
	randomEvents := []incident.TimelineEvent{
		ev("b1", time.Date(2016, 5, 17, 19, 5, 0, 123456000, time.UTC), "2016-05-17T19:05:00.123456+00:00", incident.KindChat, "Bob Builder", "lunch?",
			map[string]any{"channel": "Random", "room_id": "5678", "message_type": "message", "user_id": "102", "mention_name": "bob"}),
		ev("b2", at(19, 6, 0, 0), "2016-05-17T19:06:00+00:00", incident.KindNote, "JIRA", "INC-42 _resolved_",
			map[string]any{"channel": "Random", "room_id": "5678", "message_type": "notification"}),
	}
	tests := []struct {
		name        string
		in          func(t *testing.T) importers.Input
		opts        importers.Options
		want        []incident.TimelineEvent
		wantRejects []importers.Rejection
	}{
		{
			name:        "one history.json, mixed timestamps",
			in:          func(*testing.T) importers.Input { return importertest.FileInput("testdata/history.json") },
			opts:        importers.Options{Location: time.FixedZone("CEST", 2*3600)},
			want:        singleFile,
			wantRejects: singleRejects,
		},
		{
			name:        "whole export folder",
			in:          func(t *testing.T) importers.Input { return importers.Input{Name: "export.zip", FS: exportFS(t)} },
			want:        append(append([]incident.TimelineEvent{}, opsEvents...), randomEvents...),
			wantRejects: opsRejects,
		},
		{
			name: "one room by name",
			in:   func(t *testing.T) importers.Input { return importers.Input{Name: "export.zip", FS: exportFS(t)} },
			opts: importers.Options{Channels: []string{"random"}},
			want: randomEvents,
		},
		{
			name:        "one room by id",
			in:          func(t *testing.T) importers.Input { return importers.Input{Name: "export.zip", FS: exportFS(t)} },
			opts:        importers.Options{Channels: []string{"1234"}},
			want:        opsEvents,
			wantRejects: opsRejects,
		},
		{
			name: "lone room file names its room by folder",
			in: func(*testing.T) importers.Input {
				return importertest.StringInput("x/rooms/ops/history.json", `[{"UserMessage":{"id":"1","message":"hi","sender":{"id":5,"name":"Ann"},"timestamp":"2016-05-17T19:00:00Z"}}]`)
			},
			want: []incident.TimelineEvent{ev("1", at(19, 0, 0, 0), "2016-05-17T19:00:00Z", incident.KindChat, "Ann", "hi",
				map[string]any{"channel": "ops", "room_id": "ops", "message_type": "UserMessage", "user_id": "5"})},
		},
		{
			name:        "not an array",
			in:          func(*testing.T) importers.Input { return importertest.StringInput("h.json", `"x"`) },
			wantRejects: []importers.Rejection{{File: "h.json", Line: 1, Reason: "want a JSON array of messages"}},
		},
		{
			name:        "object without items",
			in:          func(*testing.T) importers.Input { return importertest.StringInput("h.json", `{"links":{}}`) },
			wantRejects: []importers.Rejection{{File: "h.json", Line: 1, Field: "items", Reason: "is missing: not a HipChat history"}},
		},
		{
			name:        "empty file",
			in:          func(*testing.T) importers.Input { return importertest.StringInput("h.json", ``) },
			wantRejects: []importers.Rejection{{File: "h.json", Line: 1, Reason: "broken JSON near byte 0: EOF"}},
		},
		{
			name: "unknown sender",
			in: func(*testing.T) importers.Input {
				return importertest.StringInput("h.json", `[{"UserMessage":{"id":"1","message":"m","sender":{"id":7},"timestamp":"2016-05-17T19:00:00Z"}},{"UserMessage":{"id":"2","message":"m","timestamp":"2016-05-17T19:00:00Z"}}]`)
			},
			want: []incident.TimelineEvent{
				ev("1", at(19, 0, 0, 0), "2016-05-17T19:00:00Z", incident.KindChat, "unknown user 7", "m", map[string]any{"message_type": "UserMessage", "user_id": "7"}),
				ev("2", at(19, 0, 0, 0), "2016-05-17T19:00:00Z", incident.KindChat, "unknown user", "m", map[string]any{"message_type": "UserMessage"}),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			if err := New().Parse(context.Background(), tt.in(t), tt.opts, &r); err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := cmp.Diff(tt.want, r.Events); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.wantRejects, r.Rejects); d != "" {
				t.Errorf("rejections (-want +got):\n%s", d)
			}
		})
	}
}

func TestImporter_ParseErrors(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		in      importers.Input
		wantErr string
	}{
		{name: "folder without rooms", ctx: context.Background(), in: importers.Input{Name: "dir", FS: fstest.MapFS{"users.json": {Data: []byte("[]")}}}, wantErr: "hipchat: dir: no rooms/<room>/history.json: not a HipChat export"},
		{name: "broken rooms.json", ctx: context.Background(), in: importers.Input{Name: "dir", FS: fstest.MapFS{"rooms.json": {Data: []byte("[{")}, "rooms/1/history.json": {Data: []byte("[]")}}}, wantErr: "hipchat: rooms.json: unexpected EOF"},
		{name: "nothing", ctx: context.Background(), in: importers.Input{Name: "x"}, wantErr: "hipchat: x: nothing to read"},
		{name: "ctx done", ctx: canceled, in: importertest.FileInput("testdata/history.json"), wantErr: "context canceled"},
		{name: "sink fails", ctx: context.Background(), in: importertest.StringInput("h.json", `[{"UserMessage":{"id":"1","message":"fail","timestamp":"2016-05-17T19:00:00Z"}}]`), wantErr: "sink full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().Parse(tt.ctx, tt.in, importers.Options{}, failOnFailBody())
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("testdata/history.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"items":[{"date":"2016-05-17T19:05:00Z","from":"x","id":"b1","message":"<b>m</b>","message_format":"html"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r recorder
		in := importers.Input{Name: "h.json", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		if err := New().Parse(context.Background(), in, importers.Options{}, &r); err != nil && err.Error() != "sink full" {
			t.Fatalf("Parse: %v", err)
		}
		for _, e := range r.Events {
			if e.ExternalID == "" || e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" || e.Actor == "" {
				t.Fatalf("incomplete event %+v", e)
			}
		}
		for _, x := range r.Rejects {
			if x.Line < 1 || x.Reason == "" {
				t.Fatalf("rejection without position or reason: %+v", x)
			}
		}
	})
}
