package generic

import (
	"context"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

type recorder = importertest.Recorder

// ev is an event in short; at is RFC 3339.
func ev(source, file, at, text string, kind incident.EventKind, actor, body, id, thread, link string) incident.TimelineEvent {
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		panic(err)
	}
	return incident.TimelineEvent{OccurredAt: t, OccurredAtText: text, Source: source, Kind: kind, Actor: actor, Body: body,
		ExternalID: id, ThreadID: thread, Link: link, Metadata: map[string]any{"file": file}}
}

func TestImporters_Parse(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	const (
		csvF  = "timeline.csv"
		jsonF = "events.jsonl"
		note  = incident.KindNote
	)
	formats := `timestamp "yesterday" is in no known format (want RFC 3339, "2006-01-02 15:04:05" or Unix seconds)`
	csvWant := []incident.TimelineEvent{
		ev("csv", csvF, "2024-11-20T10:00:05Z", "2024-11-20T10:00:05Z", incident.KindAlert, "Ana Lima", "Checkout returns 502, paging DB", "a1", "", "https://grafana.example.com/d/checkout"),
		ev("csv", csvF, "2024-11-20T09:01:00Z", "2024-11-20 10:01:00", incident.KindChat, "Bo Chen", "Rolled back \"api-7f3\"\nstill failing", "a2", "", ""),
		ev("csv", csvF, "2024-11-20T10:03:20Z", "1732097000", note, "Zoë Ångström", "Raised max_conns", "sha256:0897684a5b752c5403c251afd8f440c3", "", ""),
		ev("csv", csvF, "2024-11-20T10:05:00.123Z", "1732097100123", incident.KindStatus, "", "Recovered 🎉", "a4", "", ""),
		ev("csv", csvF, "2024-11-20T10:13:00Z", "2024-11-20T10:13:00Z", note, "Ana Lima", "short row", "sha256:96bb538089af7b9a4a6c85253ba14958", "", ""),
	}
	csvRejects := []importers.Rejection{
		{File: csvF, Line: 7, Field: "Timestamp", Reason: "row has no timestamp"},
		{File: csvF, Line: 8, Field: "Message", Reason: "row has no text"},
		{File: csvF, Line: 9, Field: "Kind", Reason: `kind "tweet" is not one of chat, alert, ticket, status, call, note, change`},
		{File: csvF, Line: 10, Field: "Link", Reason: "link must be an http(s) URL"},
		{File: csvF, Line: 11, Field: "Timestamp", Reason: formats},
	}
	jsonMap := map[string]string{"time": "ts", "actor": "user.name", "text": "msg", "id": "event_id"}
	jsonWant := []incident.TimelineEvent{
		ev("jsonl", jsonF, "2024-11-20T09:00:05.25Z", "2024-11-20T10:00:05.250+01:00", note, "Ana Lima", "Deploy api-7f3 started", "e1", "t1", ""),
		ev("jsonl", jsonF, "2024-11-20T09:01:40Z", "1732093300", note, "Bo Chen", "Errors ↑ on checkout", "e2", "t1", ""),
		ev("deploybot", jsonF, "2024-11-20T08:03:00Z", "2024-11-20 09:03:00", note, "Zoë Ångström", "Rolled back", "sha256:54be84d954594016da3ff61139e02bc2", "", ""),
		ev("jsonl", jsonF, "2024-11-20T09:04:00Z", "2024-11-20T09:04:00Z", note, "", `{"text":"structured"}`, "7", "", ""),
	}
	jsonRejects := []importers.Rejection{
		{File: jsonF, Line: 6, Field: "msg", Reason: "row has no text"},
		{File: jsonF, Line: 7, Field: "ts", Reason: "row has no timestamp"},
		{File: jsonF, Line: 8, Reason: "invalid JSON: unexpected EOF"},
		{File: jsonF, Line: 9, Reason: "not a JSON object"},
		{File: jsonF, Line: 10, Field: "source", Reason: `source "Not A Source!" must be a lower-case name such as pagerduty`},
	}
	tests := []struct {
		name        string
		imp         importers.Importer
		in          importers.Input
		mapping     map[string]string
		want        []incident.TimelineEvent
		wantRejects []importers.Rejection
	}{
		{name: "csv with default names", imp: NewCSV(), in: importertest.FileInput("testdata/timeline.csv"), want: csvWant, wantRejects: csvRejects},
		{
			name: "csv semicolon with mapping", imp: NewCSV(), in: importertest.FileInput("testdata/semicolon.csv"),
			mapping:     map[string]string{"time": "zeit", "actor": "wer", "text": "was"},
			want:        []incident.TimelineEvent{ev("csv", "semicolon.csv", "2024-11-20T10:00:00Z", "2024-11-20 11:00", note, "Bo; Chen", "semi;colon", "sha256:9bc6eb8fa9f700f04487094224bcd9a1", "", "")},
			wantRejects: []importers.Rejection{{File: "semicolon.csv", Line: 2, Field: "zeit", Reason: `timestamp "20.11.2024" is not a Unix time`}},
		},
		{
			name: "tsv", imp: NewCSV(), in: importertest.StringInput("t.tsv", "ts\ttext\tthread\n2024-11-20T10:00:00Z\ta, b; c\tT1\n"),
			want: []incident.TimelineEvent{ev("csv", "t.tsv", "2024-11-20T10:00:00Z", "2024-11-20T10:00:00Z", note, "", "a, b; c", "sha256:bb8c399092a90980ccfd8b960924a66c", "T1", "")},
		},
		{
			name: "csv bad quote rejected and reading goes on", imp: NewCSV(), in: importertest.StringInput("q.csv", "time,text\n2024-11-20T10:00:00Z,a \"b\" c\n2024-11-20T10:01:00Z,ok\n"),
			want:        []incident.TimelineEvent{ev("csv", "q.csv", "2024-11-20T10:01:00Z", "2024-11-20T10:01:00Z", note, "", "ok", "sha256:deb6e4596ab38d23536e91e46797a308", "", "")},
			wantRejects: []importers.Rejection{{File: "q.csv", Line: 2, Reason: `bare " in non-quoted-field`}},
		},
		{
			name: "csv folder", imp: NewCSV(),
			in:   importers.Input{Name: "x.zip", FS: fstest.MapFS{"b/one.CSV": {Data: []byte("date,body\n2024-11-20 10:00,hi\n")}, "a.txt": {}}},
			want: []incident.TimelineEvent{ev("csv", "b/one.CSV", "2024-11-20T09:00:00Z", "2024-11-20 10:00", note, "", "hi", "sha256:623bcc4af5e0aa866032b2f1c4b4c0d0", "", "")},
		},
		{
			name: "jsonl with dotted mapping", imp: NewJSONL(), in: importertest.FileInput("testdata/events.jsonl"), mapping: jsonMap,
			want: jsonWant, wantRejects: jsonRejects,
		},
		{
			name: "jsonl default names", imp: NewJSONL(), in: importertest.StringInput("d.ndjson", "\uFEFF{\"Timestamp\":\"2024-11-20T10:00:00Z\",\"author\":\"Ana\",\"message\":\"hi\",\"id\":\"m1\",\"kind\":\"CHAT\",\"url\":\"https://x.example/1\"}\n"),
			want: []incident.TimelineEvent{ev("jsonl", "d.ndjson", "2024-11-20T10:00:00Z", "2024-11-20T10:00:00Z", incident.KindChat, "Ana", "hi", "m1", "", "https://x.example/1")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			if err := tt.imp.Parse(context.Background(), tt.in, importers.Options{Mapping: tt.mapping, Location: berlin}, &r); err != nil {
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

func TestImporters_ParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		imp     importers.Importer
		in      importers.Input
		mapping map[string]string
		want    string
	}{
		{name: "unknown mapping field", imp: NewCSV(), in: importertest.StringInput("a.csv", "time,text\n"), mapping: map[string]string{"when": "ts"},
			want: `csv: mapping: unknown field "when" (want one of time, actor, text, id, thread, kind, link, source)`},
		{name: "empty mapping value", imp: NewJSONL(), in: importertest.StringInput("a.jsonl", ""), mapping: map[string]string{"time": " "},
			want: `jsonl: mapping: field "time" maps to an empty name`},
		{name: "mapped column missing", imp: NewCSV(), in: importertest.StringInput("a.csv", "when,text\n"), mapping: map[string]string{"time": "ts"},
			want: `csv: a.csv: mapping time=ts: no column "ts" in the header (columns: when, text)`},
		{name: "no text column", imp: NewCSV(), in: importertest.StringInput("a.csv", "time,what\n"),
			want: "csv: a.csv: no text column: name one with --map text=<column> (tried text, message, body; columns: time, what)"},
		{name: "empty csv", imp: NewCSV(), in: importertest.StringInput("a.csv", "\uFEFF"), want: "csv: a.csv: empty file: a header row is required"},
		{name: "csv folder without csv", imp: NewCSV(), in: importers.Input{Name: "d", FS: fstest.MapFS{"a.txt": {}}}, want: "csv: d: no .csv or .tsv files"},
		{name: "jsonl line too long", imp: NewJSONL(), in: importertest.StringInput("l.jsonl", "{}\n"+strings.Repeat(" ", maxLine+1)),
			want: "jsonl: l.jsonl: line 2: bufio.Scanner: token too long"},
		{name: "nothing", imp: NewJSONL(), in: importers.Input{Name: "n"}, want: "jsonl: n: nothing to read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.imp.Parse(context.Background(), tt.in, importers.Options{Mapping: tt.mapping}, &recorder{})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
}

func TestContentID_Dedupes(t *testing.T) {
	const file = "time,actor,text\n2024-11-20T10:00:00Z,Ana,hi\n"
	var a, b recorder
	if err := NewCSV().Parse(context.Background(), importertest.StringInput("a.csv", file), importers.Options{}, &a); err != nil {
		t.Fatal(err)
	}
	if err := NewCSV().Parse(context.Background(), importertest.StringInput("b.csv", strings.Replace(file, "Z", "+00:00", 1)), importers.Options{}, &b); err != nil {
		t.Fatal(err)
	}
	if len(a.Events) != 1 || len(b.Events) != 1 || a.Events[0].ExternalID != b.Events[0].ExternalID {
		t.Fatalf("same row, different ids: %+v %+v", a.Events, b.Events)
	}
}

func TestSources(t *testing.T) {
	if NewCSV().Source() != "csv" || NewJSONL().Source() != "jsonl" {
		t.Fatal("wrong source names")
	}
}

// TestCSV_TimeFormat: a spreadsheet export in a local date format reads with
// a time_format layout in the mapping.
func TestCSV_TimeFormat(t *testing.T) {
	csv := "\ufeffTime;User;Message\r\n01.03.2024 10:00;Ana;\"checkout down\r\nsince 09:58\"\r\n01.03.2024 10:05;Bo;rolled back\r\n"
	tests := []struct {
		name     string
		mapping  map[string]string
		want     int
		rejected int
	}{
		{name: "with layout", mapping: map[string]string{"time": "Time", "actor": "User", "text": "Message", TimeFormat: "02.01.2006 15:04"}, want: 2},
		{name: "without layout", mapping: map[string]string{"time": "Time", "actor": "User", "text": "Message"}, rejected: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			err := NewCSV().Parse(context.Background(), importertest.StringInput("excel.csv", csv), importers.Options{Mapping: tt.mapping}, &r)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Events) != tt.want || len(r.Rejects) != tt.rejected {
				t.Fatalf("events %d rejects %+v", len(r.Events), r.Rejects)
			}
			if tt.want > 0 && r.Events[0].OccurredAt.Format(time.RFC3339) != "2024-03-01T10:00:00Z" {
				t.Fatalf("time = %v", r.Events[0].OccurredAt)
			}
		})
	}
}
