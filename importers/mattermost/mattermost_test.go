package mattermost

import (
	"bytes"
	"context"
	"errors"
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

func at(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func incidentMeta(extra map[string]any) map[string]any {
	m := map[string]any{"team": "sre", "channel": "incident-42", "channel_display_name": "Incident 42 – DB outage"}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

const root = "sre/incident-42:1714557600000:alice"

var (
	evRoot = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557600000), OccurredAtText: "1714557600000",
		Actor: "Alice Liddell", Body: "DB primary is down :fire:", ExternalID: root, ThreadID: root,
		Metadata: incidentMeta(map[string]any{"username": "alice", "flagged_by": []string{"bob"}, "reactions": []string{":eyes: bob"}})}
	evReply1 = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557660000), OccurredAtText: "1714557660000",
		Actor: "Bobby", Body: "Failing over now", ExternalID: "sre/incident-42:1714557660000:bob", ThreadID: root, ParentID: root,
		Metadata: incidentMeta(map[string]any{"username": "bob"})}
	evReply2 = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557720000), OccurredAtText: "1714557720000",
		Actor: "jörg", Body: "Grüße — replica lag is 0 ✅", ExternalID: "sre/incident-42:1714557720000:jörg", ThreadID: root, ParentID: root,
		Metadata: incidentMeta(map[string]any{"username": "jörg"})}
	evFile = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557800000), OccurredAtText: "1714557800000",
		Actor: "Alice Liddell", Body: "[attachment: graph.png]", ExternalID: "sre/incident-42:1714557800000:alice",
		Metadata: incidentMeta(map[string]any{"username": "alice", "attachments": []string{"graph.png"}})}
	evLunch = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557900000), OccurredAtText: "1714557900000",
		Actor: "Bobby", Body: "lunch?\nanyone", ExternalID: "sre/town-square:1714557900000:bob",
		Metadata: map[string]any{"team": "sre", "channel": "town-square", "channel_display_name": "Town Square", "username": "bob"}}
	evHook = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714558000000), OccurredAtText: "1714558000000",
		Actor: "Prometheus", Body: "Alert resolved", ExternalID: "sre/incident-42:1714558000000:webhook-bot",
		Metadata: incidentMeta(map[string]any{"username": "webhook-bot", "from_webhook": true, "edited": true, "pinned": true})}
	dmRoot = "dm/alice,bob:1714557700000:bob"
	evDM   = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557700000), OccurredAtText: "1714557700000",
		Actor: "Bobby", Body: "are you ok?", ExternalID: dmRoot, ThreadID: dmRoot,
		Metadata: map[string]any{"channel": "alice,bob", "direct": true, "username": "bob"}}
	evDMReply = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557710000), OccurredAtText: "1714557710000",
		Actor: "Alice Liddell", Body: "yes", ExternalID: "dm/alice,bob:1714557710000:alice", ThreadID: dmRoot, ParentID: dmRoot,
		Metadata: map[string]any{"channel": "alice,bob", "direct": true, "username": "alice"}}
	evSame1 = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714558100000), OccurredAtText: "1714558100000",
		Actor: "Alice Liddell", Body: "same millisecond 1", ExternalID: "sre/incident-42:1714558100000:alice",
		Metadata: incidentMeta(map[string]any{"username": "alice"})}
	evSame2 = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714558100000), OccurredAtText: "1714558100000",
		Actor: "Alice Liddell", Body: "same millisecond 2", ExternalID: "sre/incident-42:1714558100000:alice#2",
		Metadata: incidentMeta(map[string]any{"username": "alice"})}
	evNoTimeRoot = incident.TimelineEvent{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714558200000), OccurredAtText: "1714558200000",
		Actor: "Bobby", Body: "reply without time", ExternalID: "sre/incident-42:1714558200000:bob",
		Metadata: incidentMeta(map[string]any{"username": "bob"})}
)

var fixtureRejects = []importers.Rejection{
	{File: "testdata/export.jsonl", Line: 12, Reason: "not a JSON object: invalid character 'h' in literal true (expecting 'r')"},
	{File: "testdata/export.jsonl", Line: 14, Field: "post.create_at", Reason: "is missing"},
	{File: "testdata/export.jsonl", Line: 19, Field: "post.replies[0].create_at", Reason: "is missing"},
	{File: "testdata/export.jsonl", Line: 20, Field: "post.create_at", Reason: `must be milliseconds since 1970, got "soon"`},
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
			in:          importertest.FileInput("testdata/export.jsonl"),
			want:        []incident.TimelineEvent{evRoot, evReply1, evReply2, evFile, evLunch, evHook, evDM, evDMReply, evSame1, evSame2, evNoTimeRoot},
			wantRejects: fixtureRejects,
		},
		{
			name:        "one channel by name",
			in:          importertest.FileInput("testdata/export.jsonl"),
			opts:        importers.Options{Channels: []string{"Town-Square"}},
			want:        []incident.TimelineEvent{evLunch},
			wantRejects: []importers.Rejection{fixtureRejects[0]},
		},
		{
			name:        "direct channel by members and channel by display name",
			in:          importertest.FileInput("testdata/export.jsonl"),
			opts:        importers.Options{Channels: []string{"alice,bob", "town square"}},
			want:        []incident.TimelineEvent{evLunch, evDM, evDMReply},
			wantRejects: []importers.Rejection{fixtureRejects[0]},
		},
		{
			name: "zip or folder with the jsonl inside",
			in: importers.Input{Name: "export.zip", FS: fstest.MapFS{
				"export/data/x.png":    {Data: []byte("png")},
				"export/import.jsonl":  {Data: []byte(`{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"hi","create_at":1714557600000}}`)},
				"export/manifest.json": {Data: []byte(`{}`)},
			}},
			want: []incident.TimelineEvent{{Source: "mattermost", Kind: incident.KindChat, OccurredAt: at(1714557600000), OccurredAtText: "1714557600000",
				Actor: "u", Body: "hi", ExternalID: "t/c:1714557600000:u", Metadata: map[string]any{"team": "t", "channel": "c", "username": "u"}}},
		},
		{
			name: "missing fields and unknown types",
			in: importertest.StringInput("x.jsonl", `{"type":"scheme","scheme":{"name":"s"}}
{"version":1}
{"type":"post"}
{"type":"post","post":{"channel":"c","user":"u","message":"m","create_at":1}}
{"type":"post","post":{"team":"t","user":"u","message":"m","create_at":1}}
{"type":"post","post":{"team":"t","channel":"c","message":"m","create_at":1}}
{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"  ","create_at":1}}
{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"m","create_at":-5}}
{"type":"direct_post","direct_post":{"user":"u","message":"m","create_at":1}}
{"type":"direct_post"}
[1,2]`),
			wantRejects: []importers.Rejection{
				{File: "x.jsonl", Line: 2, Field: "type", Reason: "is missing"},
				{File: "x.jsonl", Line: 3, Field: "post", Reason: "is missing"},
				{File: "x.jsonl", Line: 4, Field: "post.team", Reason: "is missing"},
				{File: "x.jsonl", Line: 5, Field: "post.channel", Reason: "is missing"},
				{File: "x.jsonl", Line: 6, Field: "post.user", Reason: "is missing"},
				{File: "x.jsonl", Line: 7, Field: "post.message", Reason: "is empty and there are no attachments"},
				{File: "x.jsonl", Line: 8, Field: "post.create_at", Reason: `must be milliseconds since 1970, got "-5"`},
				{File: "x.jsonl", Line: 9, Field: "direct_post.channel_members", Reason: "is empty"},
				{File: "x.jsonl", Line: 10, Field: "direct_post", Reason: "is missing"},
				{File: "x.jsonl", Line: 11, Reason: "not a JSON object: json: cannot unmarshal array into Go value of type mattermost.line"},
			},
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
			for _, e := range r.Events {
				e.Normalize()
				if err := e.Validate(); err != nil {
					t.Errorf("event %s does not validate: %v", e.ExternalID, err)
				}
			}
		})
	}
}

func TestImporter_ParseErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		in      importers.Input
		sink    *recorder
		wantErr string
	}{
		{name: "folder without jsonl", ctx: context.Background(), in: importers.Input{Name: "dir", FS: fstest.MapFS{"a.json": {}}}, sink: &recorder{}, wantErr: "mattermost: dir: no .jsonl file: not a Mattermost bulk export"},
		{name: "no input", ctx: context.Background(), in: importers.Input{Name: "x"}, sink: &recorder{}, wantErr: "mattermost: x: nothing to read"},
		{name: "open fails", ctx: context.Background(), in: importers.Input{Name: "x", Open: func() (io.ReadCloser, error) { return nil, errors.New("gone") }}, sink: &recorder{}, wantErr: "mattermost: open x: gone"},
		{name: "ctx done", ctx: ctx, in: importertest.FileInput("testdata/export.jsonl"), sink: &recorder{}, wantErr: "context canceled"},
		{name: "sink fails", ctx: context.Background(), in: importertest.FileInput("testdata/export.jsonl"), sink: &recorder{FailOn: func(_ incident.TimelineEvent, n int) bool { return n == 2 }}, wantErr: "sink full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().Parse(tt.ctx, tt.in, importers.Options{}, tt.sink)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestImporter_LongLine(t *testing.T) {
	old := maxLineBytes
	maxLineBytes = 200
	t.Cleanup(func() { maxLineBytes = old })
	ok := `{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"short","create_at":1714557600000}}`
	long := `{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"` + strings.Repeat("x", 70000) + `","create_at":1714557600001}}`
	var r recorder
	if err := New().Parse(context.Background(), importertest.StringInput("big.jsonl", long+"\r\n"+ok+"\n"+long), importers.Options{}, &r); err != nil {
		t.Fatal(err)
	}
	want := []importers.Rejection{
		{File: "big.jsonl", Line: 1, Reason: "line is longer than 200 bytes"},
		{File: "big.jsonl", Line: 3, Reason: "line is longer than 200 bytes"},
	}
	if d := cmp.Diff(want, r.Rejects); d != "" {
		t.Errorf("rejections (-want +got):\n%s", d)
	}
	if len(r.Events) != 1 || r.Events[0].Body != "short" {
		t.Errorf("events = %+v, want the short post only", r.Events)
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("testdata/export.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"m","create_at":1,"replies":[{"user":"v","message":"r","create_at":2}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r recorder
		in := importers.Input{Name: "f.jsonl", Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }}
		if err := New().Parse(context.Background(), in, importers.Options{}, &r); err != nil {
			t.Fatalf("Parse: %v", err)
		}
		for _, e := range r.Events {
			if e.ExternalID == "" || e.OccurredAt.IsZero() || strings.TrimSpace(e.Body) == "" || e.Kind != incident.KindChat {
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
