package slack

import (
	"archive/zip"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func meta(kv ...any) map[string]any {
	m := map[string]any{"channel": "general", "channel_id": "C01GENERAL"}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestImporter_Events(t *testing.T) {
	got := parseDir(t, "testdata/export", importers.Options{}).ByID()
	const thread = "C01GENERAL:1732111200.000200"
	tests := []struct {
		name string
		want incident.TimelineEvent
	}{
		{name: "thread parent with markup, entities and reactions", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: thread, ThreadID: thread,
			OccurredAt: at("2024-11-20T14:00:00.0002Z"), OccurredAtText: "1732111200.000200", Actor: "ann.oncall",
			Body:     "@here checkout is down: [status page](https://status.example.com/i/42) & https://grafana.example.com/d/abc — see #incidents and #general, ping @Bob Builder <3 >_<",
			Metadata: meta("reactions", 3, "reply_count", 3),
		}},
		{name: "edited reply in the same day", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111260.000300", ThreadID: thread, ParentID: thread,
			OccurredAt: at("2024-11-20T14:01:00.0003Z"), OccurredAtText: "1732111260.000300", Actor: "Bob Builder",
			Body: "Looking. Rolling back deploy 🚀 now", Metadata: meta("edited_at", "2024-11-20T14:01:30.000000Z"),
		}},
		{name: "reply in a later day file, RTL and emoji", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732179600.000100", ThreadID: thread, ParentID: thread,
			OccurredAt: at("2024-11-21T09:00:00.0001Z"), OccurredAtText: "1732179600.000100", Actor: "نور",
			Body: "مرحبا، it is fixed ✅ 👍🏽", Metadata: meta(),
		}},
		{name: "thread broadcast", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732179660.000200", ThreadID: thread, ParentID: thread,
			OccurredAt: at("2024-11-21T09:01:00.0002Z"), OccurredAtText: "1732179660.000200", Actor: "Bob Builder",
			Body: "Postmortem on Friday", Metadata: meta("subtype", "thread_broadcast"),
		}},
		{name: "message_changed in a later day: edited text wins, original id kept", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111620.000900",
			OccurredAt: at("2024-11-20T14:07:00.0009Z"), OccurredAtText: "1732111620.000900", Actor: "نور",
			Body: "first guess: connection pool", Metadata: meta("edited_at", "2024-11-21T09:01:40.000000Z"),
		}},
		{name: "message_deleted becomes a note", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindNote, ExternalID: "C01GENERAL:1732179760.000400",
			OccurredAt: at("2024-11-21T09:02:40.0004Z"), OccurredAtText: "1732179760.000400", Actor: "ann.oncall",
			Body: "Message deleted", Metadata: meta("subtype", "message_deleted", "deleted_ts", "1732111500.000700"),
		}},
		{name: "tombstone thread parent", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindNote, ExternalID: "C01GENERAL:1732111680.001000", ThreadID: "C01GENERAL:1732111680.001000",
			OccurredAt: at("2024-11-20T14:08:00.001Z"), OccurredAtText: "1732111680.001000",
			Body: "Message deleted", Metadata: meta("subtype", "tombstone", "reply_count", 1),
		}},
		{name: "reply by a user missing from users.json named by user_profile", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111740.001100",
			ThreadID: "C01GENERAL:1732111680.001000", ParentID: "C01GENERAL:1732111680.001000",
			OccurredAt: at("2024-11-20T14:09:00.0011Z"), OccurredAtText: "1732111740.001100", Actor: "Former Colleague",
			Body: "reply under a deleted message", Metadata: meta(),
		}},
		{name: "bot_message by username", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111320.000400",
			OccurredAt: at("2024-11-20T14:02:00.0004Z"), OccurredAtText: "1732111320.000400", Actor: "Deploy Bot",
			Body: "Deploy *v2.3.1* rolled back", Metadata: meta("subtype", "bot_message", "bot_id", "B05DEPLOY"),
		}},
		{name: "app bot by bot_profile with attachment fallback", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111380.000500",
			OccurredAt: at("2024-11-20T14:03:00.0005Z"), OccurredAtText: "1732111380.000500", Actor: "PagerDuty",
			Body: "Triggered: checkout 5xx > 5%", Metadata: meta("bot_id", "B06ALERT"),
		}},
		{name: "files[] with a deleted file", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111440.000600",
			OccurredAt: at("2024-11-20T14:04:00.0006Z"), OccurredAtText: "1732111440.000600", Actor: "نور",
			Body: "graph of the error rate\nFile: [Error rate](https://example.slack.com/files/U03NOUR/F01GRAPH/errors.png)\nFile: file F02GONE (deleted)",
			Metadata: meta("subtype", "file_share", "files", []map[string]any{
				{"name": "Error rate", "url": "https://example.slack.com/files/U03NOUR/F01GRAPH/errors.png"},
				{"name": "file F02GONE (deleted)", "url": ""},
			}),
		}},
		{name: "old single file whose link is in the text", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111500.000700",
			OccurredAt: at("2024-11-20T14:05:00.0007Z"), OccurredAtText: "1732111500.000700", Actor: "ann.oncall",
			Body: "@ann.oncall uploaded a file: [runbook.txt](https://example.slack.com/files/U01ANN/F03OLD/runbook.txt)",
			Metadata: meta("subtype", "file_share", "files", []map[string]any{
				{"name": "runbook.txt", "url": "https://example.slack.com/files/U01ANN/F03OLD/runbook.txt"},
			}),
		}},
		{name: "unknown user id is named, not rejected", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111800.001200",
			OccurredAt: at("2024-11-20T14:10:00.0012Z"), OccurredAtText: "1732111800.001200", Actor: "unknown user U08NOBODY",
			Body: "who is @unknown user U08NOBODY?", Metadata: meta(),
		}},
		{name: "no type and no text", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "C01GENERAL:1732111860.001300",
			OccurredAt: at("2024-11-20T14:11:00.0013Z"), OccurredAtText: "1732111860.001300", Actor: "Bob Builder",
			Body: "(message with no text)", Metadata: meta(),
		}},
		{name: "direct message folder named by id", want: incident.TimelineEvent{
			Source: "slack", Kind: incident.KindChat, ExternalID: "D0DM00001:1732179800.000500",
			OccurredAt: at("2024-11-21T09:03:20.0005Z"), OccurredAtText: "1732179800.000500", Actor: "ann.oncall",
			Body: "can you take the bridge?", Metadata: map[string]any{"channel": "D0DM00001", "channel_id": "D0DM00001"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := got[tt.want.ExternalID]
			if !ok {
				t.Fatalf("no event %s", tt.want.ExternalID)
			}
			if diff := cmp.Diff(tt.want, e); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
			e.Normalize()
			if err := e.Validate(); err != nil {
				t.Errorf("event does not validate: %v", err)
			}
		})
	}
}

func TestImporter_ChannelFilter(t *testing.T) {
	tests := []struct {
		name     string
		channels []string
		want     int
	}{
		{name: "all", want: 18},
		{name: "by name", channels: []string{"incidents"}, want: 1},
		{name: "by name with hash", channels: []string{"#INCIDENTS"}, want: 1},
		{name: "by id", channels: []string{"D0DM00001"}, want: 1},
		{name: "two", channels: []string{"general", "C02INCIDENT"}, want: 17},
		{name: "none matches", channels: []string{"random"}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := parseDir(t, "testdata/export", importers.Options{Channels: tt.channels})
			if len(rec.Events) != tt.want {
				t.Errorf("got %d events, want %d", len(rec.Events), tt.want)
			}
		})
	}
}

func TestImporter_Rejections(t *testing.T) {
	rec := parseDir(t, "testdata/broken", importers.Options{})
	want := []importers.Rejection{
		{File: "general/2024-11-20.json", Line: 2, Field: "ts", Reason: "message 1: ts is a JSON number, want string"},
		{File: "general/2024-11-20.json", Line: 8, Field: "ts", Reason: "message 2: message has no timestamp"},
		{File: "general/2024-11-20.json", Line: 19, Field: "ts", Reason: `message 4: timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`},
		{File: "general/2024-11-21.json", Line: 10, Reason: "message 2: broken JSON (invalid character '\\n' in string literal); the rest of the file is skipped"},
		{File: "general/2024-11-22.json", Line: 1, Reason: "a day file must hold a JSON array of messages"},
		{File: "general/2024-11-23.json", Line: 7, Reason: "message 2: broken JSON (the file ends in the middle of a message: truncated?); the rest of the file is skipped"},
	}
	if diff := cmp.Diff(want, rec.Rejects); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	var bodies []string
	for _, e := range rec.Events {
		bodies = append(bodies, e.Body)
	}
	if diff := cmp.Diff([]string{"still imported", "before the cut", "cut after the comma"}, bodies); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestImporter_Errors(t *testing.T) {
	tests := []struct {
		name    string
		in      importers.Input
		wantErr string
	}{
		{name: "single file", in: importers.Input{Name: "x.json"}, wantErr: "x.json is not a Slack export"},
		{name: "folder without conversation lists", in: importers.Input{Name: "testdata/export/general", FS: os.DirFS("testdata/export/general")}, wantErr: "has no channels.json"},
		{name: "broken users.json", in: importers.Input{Name: "m", FS: memFS(map[string]string{"users.json": "[\n{\"id\": 7}\n]", "channels.json": "[]"})}, wantErr: `users.json line 2: field "id" is a JSON number, want string`},
		{name: "truncated channels.json", in: importers.Input{Name: "m", FS: memFS(map[string]string{"channels.json": "[{\"id\":"})}, wantErr: "channels.json line 1: broken JSON: the file ends in the middle of a message: truncated?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := NewImporter().Parse(context.Background(), tt.in, importers.Options{}, &recorder{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestImporter_Zip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir("testdata/export", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata", p) // one top-level folder, as Slack zips it
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fsys, err := importers.OpenZip(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "export.zip", importers.ZipLimits{})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if err := NewImporter().Parse(context.Background(), importers.Input{Name: "export.zip", FS: fsys}, importers.Options{}, rec); err != nil {
		t.Fatal(err)
	}
	want := parseDir(t, "testdata/export", importers.Options{})
	if diff := cmp.Diff(want.Events, rec.Events); diff != "" {
		t.Errorf("zip and folder differ (-folder +zip):\n%s", diff)
	}
}

func TestImporter_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := NewImporter().Parse(ctx, importers.Input{Name: "e", FS: os.DirFS("testdata/export")}, importers.Options{}, &recorder{})
	if err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
