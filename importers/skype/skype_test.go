package skype

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

const room = "19:3f9a2b@thread.skype"

func ev(id string, at time.Time, text, kind, actor, body, from, typ string, extra map[string]any) incident.TimelineEvent {
	conv, channel := room, "Incident 42 war room"
	if strings.HasPrefix(id, "8:") {
		conv, _, _ = strings.Cut(id, "/")
		channel = conv
		if conv == "8:live:bob" {
			channel = "Bob Builder"
		}
	} else {
		id = room + "/" + id
	}
	m := map[string]any{"channel": channel, "conversation_id": conv, "from": from, "messagetype": typ}
	for k, v := range extra {
		m[k] = v
	}
	return incident.TimelineEvent{Source: "skype", Kind: incident.EventKind(kind), OccurredAt: at, OccurredAtText: text,
		Actor: actor, Body: body, ExternalID: id, Metadata: m}
}

func utc(h, m, s, ns int) time.Time { return time.Date(2024, 5, 1, h, m, s, ns, time.UTC) }

var (
	evBold = ev("1714557600000", utc(10, 0, 0, 0), "2024-05-01T10:00:00.000Z", "chat", "Alice Liddell",
		"**DB primary** is down, see [status page](https://status.example.com/inc/42) & @Bob Builder please look :(", "8:live:alice", "RichText", nil)
	evQuote = ev("1714557660000", utc(10, 1, 0, 0), "2024-05-01T10:01:00Z", "chat", "live:bob",
		"> Alice Liddell wrote:\n> DB primary is down\n\non it — failing over to _db-2_", "8:live:bob", "RichText", map[string]any{"edited": true})
	evStart = ev("1714557720000", utc(10, 2, 0, 0), "2024-05-01T12:02:00+02:00", "call", "Bob Builder", "call started: Bob Builder", "8:live:bob", "Event/Call", nil)
	evEnd   = ev("1714558245000", utc(10, 10, 45, 5e8), "2024-05-01T10:10:45.5Z", "call", "Bob Builder",
		"call ended (8m45s): Bob Builder, Jörg Müller", "8:live:bob", "Event/Call", nil)
	evFile = ev("1714558300000", utc(10, 11, 40, 0), "2024-05-01T10:11:40.000Z", "chat", "Jörg Müller", "[shared graph.png]", "8:live:jorg", "RichText/UriObject", nil)
	evAdd  = ev("1714558320000", utc(10, 12, 0, 0), "2024-05-01T10:12:00.000Z", "note", "Incident 42 war room", "live:alice added live:carol", room, "ThreadActivity/AddMember", nil)
	evText = ev("1714558560000", utc(10, 16, 0, 0), "2024-05-01T10:16:00.000Z", "chat", "Alice Liddell", "if x < y && y > z then *page*", "8:live:alice", "Text", nil)
	evDM   = ev("8:live:bob/1714558800000", utc(10, 20, 0, 0), "2024-05-01T10:20:00.000Z", "chat", "Bob Builder",
		`are you ok? \<script>alert(1)\</script> 🙂`, "8:live:bob", "RichText", nil)
	evNoName = ev("8:live:mallory/1714558900000", utc(10, 21, 40, 0), "2024-05-01T10:21:40.000Z", "chat", "Alice Liddell", "hi", "8:live:alice", "Text", nil)
)

var roomRejects = []importers.Rejection{
	{File: "testdata/messages.json", Line: 8, Field: "conversations[0].MessageList[7].originalarrivaltime", Reason: "timestamp is empty"},
	{File: "testdata/messages.json", Line: 9, Field: "conversations[0].MessageList[8].originalarrivaltime", Reason: `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
	{File: "testdata/messages.json", Line: 11, Field: "conversations[0].MessageList[10].id", Reason: "has the wrong type: number"},
}

func TestImporter_Parse(t *testing.T) {
	tests := []struct {
		name        string
		in          importers.Input
		opts        importers.Options
		want        []incident.TimelineEvent
		wantRejects []importers.Rejection
	}{
		{
			name:        "whole export",
			in:          importertest.FileInput("testdata/messages.json"),
			want:        []incident.TimelineEvent{evBold, evQuote, evStart, evEnd, evFile, evAdd, evText, evDM, evNoName},
			wantRejects: roomRejects,
		},
		{
			name: "conversation by display name, list before id",
			in:   importertest.FileInput("testdata/messages.json"),
			opts: importers.Options{Channels: []string{"bob builder"}},
			want: []incident.TimelineEvent{evDM},
		},
		{
			name: "conversation by id",
			in:   importertest.FileInput("testdata/messages.json"),
			opts: importers.Options{Channels: []string{"8:live:mallory"}},
			want: []incident.TimelineEvent{evNoName},
		},
		{
			name: "folder export",
			in: importers.Input{Name: "export.tar", FS: fstest.MapFS{
				"8_live_alice_export/media/x.png":   {Data: []byte("png")},
				"8_live_alice_export/messages.json": {Data: []byte(`{"conversations":[{"id":"8:a","displayName":"A","MessageList":[{"id":"1","originalarrivaltime":"2024-05-01 10:00:00","messagetype":"Text","content":"zone-less","from":"8:a"}]}]}`)},
			}},
			opts: importers.Options{Location: time.FixedZone("CEST", 2*3600)},
			want: []incident.TimelineEvent{{Source: "skype", Kind: incident.KindChat, OccurredAt: utc(8, 0, 0, 0), OccurredAtText: "2024-05-01 10:00:00",
				Actor: "A", Body: "zone-less", ExternalID: "8:a/1", Metadata: map[string]any{"channel": "A", "conversation_id": "8:a", "from": "8:a", "messagetype": "Text"}}},
		},
		{
			name: "missing fields",
			in: importertest.StringInput("messages.json", `{"conversations":[{"id":"8:x","MessageList":[
				{"originalarrivaltime":"2024-05-01T10:00:00Z","messagetype":"RichText","content":"no id"},
				{"id":"2","originalarrivaltime":"2024-05-01T10:00:00Z","messagetype":"Event/Call","content":"<partlist type=\"missed\"></partlist>"},
				{"id":"3","originalarrivaltime":"2024-05-01T10:00:00Z","content":"<e_m ts=\"1\"></e_m>"}],"properties":{}},
				{"id":"8:y","MessageList":null}]}`),
			want: []incident.TimelineEvent{{Source: "skype", Kind: incident.KindCall, OccurredAt: utc(10, 0, 0, 0), OccurredAtText: "2024-05-01T10:00:00Z",
				Actor: "unknown user", Body: "call missed", ExternalID: "8:x/2", Metadata: map[string]any{"channel": "8:x", "conversation_id": "8:x", "messagetype": "Event/Call"}}},
			wantRejects: []importers.Rejection{{File: "messages.json", Line: 1, Field: "conversations[0].MessageList[0].id", Reason: "is missing"}},
		},
		{
			name:        "truncated file keeps what came before",
			in:          importertest.StringInput("messages.json", `{"conversations":[{"id":"8:x","MessageList":[{"id":"1","originalarrivaltime":"2024-05-01T10:00:00Z","messagetype":"Text","content":"ok"},{"id":"2","origi`),
			want:        []incident.TimelineEvent{{Source: "skype", Kind: incident.KindChat, OccurredAt: utc(10, 0, 0, 0), OccurredAtText: "2024-05-01T10:00:00Z", Actor: "unknown user", Body: "ok", ExternalID: "8:x/1", Metadata: map[string]any{"channel": "8:x", "conversation_id": "8:x", "messagetype": "Text"}}},
			wantRejects: []importers.Rejection{{File: "messages.json", Line: 2, Field: "conversations[0].MessageList[1]", Reason: "broken JSON near byte 137: unexpected EOF"}},
		},
		{
			name:        "not a skype export",
			in:          importertest.StringInput("messages.json", `{"messages":[]}`),
			wantRejects: []importers.Rejection{{File: "messages.json", Line: 1, Field: "conversations", Reason: "is missing: not a Skype messages.json"}},
		},
		{
			name:        "an array",
			in:          importertest.StringInput("messages.json", `[]`),
			wantRejects: []importers.Rejection{{File: "messages.json", Line: 1, Reason: `want "{" near byte 1`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			if err := New().Parse(context.Background(), tt.in, tt.opts, &r); err != nil {
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
		{name: "folder without messages.json", ctx: context.Background(), in: importers.Input{Name: "dir", FS: fstest.MapFS{"endpoints.json": {}}}, wantErr: "skype: dir: no messages.json: not a Skype export"},
		{name: "nothing", ctx: context.Background(), in: importers.Input{Name: "x"}, wantErr: "skype: x: nothing to read"},
		{name: "ctx done", ctx: canceled, in: importertest.FileInput("testdata/messages.json"), wantErr: "context canceled"},
		{name: "sink fails", ctx: context.Background(), in: importertest.StringInput("messages.json", `{"conversations":[{"id":"8:x","MessageList":[{"id":"1","originalarrivaltime":"2024-05-01T10:00:00Z","messagetype":"Text","content":"fail"}]}]}`), wantErr: "sink full"},
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
	seed, err := os.ReadFile("testdata/messages.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"conversations":[{"MessageList":[{"id":"1","originalarrivaltime":"2024-05-01T10:00:00Z","messagetype":"RichText","content":"<quote><b>x</quote>"}],"id":"8:x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r recorder
		in := importers.Input{Name: "m.json", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		if err := New().Parse(context.Background(), in, importers.Options{}, &r); err != nil && err.Error() != "sink full" {
			t.Fatalf("Parse: %v", err)
		}
		for _, e := range r.Events {
			if e.ExternalID == "" || e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" {
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
