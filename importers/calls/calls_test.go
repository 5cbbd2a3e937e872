package calls

import (
	"context"
	"errors"
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

var callStart = time.Date(2024, 11, 20, 10, 0, 0, 0, time.FixedZone("CET", 3600))

// cueEvent is the event of one cue, in short.
func cueEvent(file, format, id, start, end, offset, actor, body string) incident.TimelineEvent {
	d, err := time.ParseDuration(offset)
	if err != nil {
		panic(err)
	}
	return incident.TimelineEvent{
		OccurredAt: callStart.Add(d).UTC(), OccurredAtText: start, Source: "call", Kind: incident.KindCall,
		Actor: actor, Body: body, ExternalID: file + "#" + id,
		Metadata: map[string]any{"format": format, "file": file, "start": start, "end": end},
	}
}

func vttEvents(file string) []incident.TimelineEvent {
	const w = "webvtt"
	return []incident.TimelineEvent{
		cueEvent(file, w, "3f1c0b9e-1b7c-4a4e-9c1a-6d1f6f0a0b01/12-0", "00:00:05.120", "00:00:09.800", "5.12s", "Ana Lima", "Okay, everyone, checkout is returning 502s."),
		cueEvent(file, w, "3f1c0b9e-1b7c-4a4e-9c1a-6d1f6f0a0b01/15-0", "00:00:10.000", "00:00:14.250", "10s", "Bo Chen", "I rolled back api-7f3\nfive minutes ago & it did not help."),
		cueEvent(file, w, "3", "00:15.500", "00:18.000", "15.5s", "Zoë Ångström", "Connection pool is at 100 %, raising max_conns."),
		cueEvent(file, w, "42", "01:02:03.004", "01:02:05.000", "1h2m3.004s", "Ana Lima", "Ana Lima: Who owns the DB?\nBo Chen: I do \\<on-call>."),
		cueEvent(file, w, "8", "00:00:32.000", "00:00:33.500", "32s", "Cy Diaz", "Dashboard is green again."),
	}
}

func TestImporter_Parse(t *testing.T) {
	vtt, err := os.ReadFile("testdata/bridge.vtt")
	if err != nil {
		t.Fatal(err)
	}
	const s = "srt"
	srtEvents := []incident.TimelineEvent{
		cueEvent("bridge.srt", s, "1", "00:00:05,120", "00:00:09,800", "5.12s", "Ana Lima", "Okay, everyone,\ncheckout is returning 502s."),
		cueEvent("bridge.srt", s, "2", "00:00:10,000", "00:00:14,250", "10s", "Bo Chen", "I rolled back api-7f3."),
		cueEvent("bridge.srt", s, "3", "00:00:15,500", "00:00:18,000", "15.5s", "", "[phone ringing]"),
		cueEvent("bridge.srt", s, "4", "00:00:19,000", "00:00:20,000", "19s", "Ana Lima", "Ana Lima: Cy?\nCy Diaz: Here."),
		cueEvent("bridge.srt", s, "6", "99:59:59,999", "100:00:00,000", "99h59m59.999s", "Zoë Ångström", "still here"),
	}
	vttRejects := func(file string) []importers.Rejection {
		return []importers.Rejection{
			{File: file, Line: 31, Field: "timing", Reason: "cue has no timing line (want 00:00:01.000 --> 00:00:04.000)"},
			{File: file, Line: 35, Field: "end", Reason: "cue ends (00:00:21.000) before it starts (00:00:22.000)"},
		}
	}
	tests := []struct {
		name        string
		in          importers.Input
		want        []incident.TimelineEvent
		wantRejects []importers.Rejection
	}{
		{name: "webvtt", in: importertest.FileInput("testdata/bridge.vtt"), want: vttEvents("bridge.vtt"), wantRejects: vttRejects("bridge.vtt")},
		{
			name: "srt", in: importertest.FileInput("testdata/bridge.srt"), want: srtEvents,
			wantRejects: []importers.Rejection{{File: "bridge.srt", Line: 20, Field: "start", Reason: `cue start "00:00:21;000" is not a time offset like 00:01:02.500`}},
		},
		{
			name: "folder",
			in: importers.Input{Name: "rec.zip", FS: fstest.MapFS{
				"calls/a.VTT":   {Data: vtt},
				"calls/b.txt":   {Data: []byte("ignored")},
				"calls/c/d.srt": {Data: []byte("1\r00:00:01,000 --> 00:00:02,000\rBo: hi\r")},
			}},
			want: append(vttEvents("calls/a.VTT"),
				cueEvent("calls/c/d.srt", s, "1", "00:00:01,000", "00:00:02,000", "1s", "Bo", "hi")),
			wantRejects: vttRejects("calls/a.VTT"),
		},
		{
			name: "header only",
			in:   importertest.StringInput("h.vtt", "WEBVTT\n\nNOTE nothing said\n"),
		},
		{
			name: "bad end and id without timing",
			in:   importertest.StringInput("x.vtt", "WEBVTT\n\n1\n00:00:01.000 --> soon\nhi\n\nlonely id\n"),
			wantRejects: []importers.Rejection{
				{File: "x.vtt", Line: 4, Field: "end", Reason: `cue end "soon" is not a time offset like 00:01:02.500`},
				{File: "x.vtt", Line: 7, Field: "timing", Reason: "cue has no timing line (want 00:00:01.000 --> 00:00:04.000)"},
			},
		},
		{
			name: "invalid offsets",
			in:   importertest.StringInput("o.vtt", "WEBVTT\n\n00:60.000 --> 00:61.000\na\n\n0:00:01.0000 --> 0:00:02.000\nb\n"),
			wantRejects: []importers.Rejection{
				{File: "o.vtt", Line: 3, Field: "start", Reason: `cue start "00:60.000" is not a time offset like 00:01:02.500`},
				{File: "o.vtt", Line: 6, Field: "start", Reason: `cue start "0:00:01.0000" is not a time offset like 00:01:02.500`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r recorder
			start := callStart
			if err := New().Parse(context.Background(), tt.in, importers.Options{CallStart: &start}, &r); err != nil {
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
	start := callStart
	tests := []struct {
		name  string
		in    importers.Input
		start *time.Time
		want  string
	}{
		{name: "no call start", in: importertest.FileInput("testdata/bridge.vtt"), want: ErrNoCallStart.Error()},
		{name: "zero call start", in: importertest.FileInput("testdata/bridge.vtt"), start: &time.Time{}, want: ErrNoCallStart.Error()},
		{name: "empty file", in: importertest.StringInput("e.srt", "\n\n"), start: &start, want: "calls: e.srt: empty transcript"},
		{name: "folder without transcripts", in: importers.Input{Name: "d", FS: fstest.MapFS{"a.txt": {}}}, start: &start, want: "calls: d: no .vtt or .srt transcript"},
		{name: "line too long", in: importertest.StringInput("l.vtt", "WEBVTT\n\n"+strings.Repeat("x", maxLine+1)), start: &start, want: "calls: l.vtt: line 3: bufio.Scanner: token too long"},
		{name: "nothing", in: importers.Input{Name: "n"}, start: &start, want: "calls: n: nothing to read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New().Parse(context.Background(), tt.in, importers.Options{CallStart: tt.start}, &recorder{})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	if err := New().Parse(context.Background(), importertest.FileInput("testdata/bridge.vtt"), importers.Options{}, &recorder{}); !errors.Is(err, ErrNoCallStart) {
		t.Fatalf("err = %v, want ErrNoCallStart", err)
	}
}

func TestManualCall(t *testing.T) {
	when := time.Date(2024, 11, 20, 11, 5, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name                string
		who, whom, outcome  string
		wantActor, wantBody string
		wantMeta            map[string]any
	}{
		{name: "reached", who: "Ana", whom: "Bo", outcome: "reached, joined the bridge", wantActor: "Ana",
			wantBody: "Ana called Bo: reached, joined the bridge", wantMeta: map[string]any{"callee": "Bo", "outcome": "reached, joined the bridge"}},
		{name: "no outcome", who: " Ana ", whom: "Bo", wantActor: "Ana", wantBody: "Ana called Bo", wantMeta: map[string]any{"callee": "Bo"}},
		{name: "unknown caller", whom: "the DBA on-call", outcome: "voicemail", wantBody: "Someone called the DBA on-call: voicemail",
			wantMeta: map[string]any{"callee": "the DBA on-call", "outcome": "voicemail"}},
		{name: "no callee", who: "Ana", outcome: "no answer", wantActor: "Ana", wantBody: "Ana made a call: no answer", wantMeta: map[string]any{"outcome": "no answer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ManualCall(tt.who, tt.whom, tt.outcome, when)
			want := incident.TimelineEvent{OccurredAt: when.UTC(), Source: incident.SourceManual, Kind: incident.KindCall,
				Actor: tt.wantActor, Body: tt.wantBody, Metadata: tt.wantMeta}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ManualCall (-want +got):\n%s", diff)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("invalid event: %v", err)
			}
		})
	}
}

func TestImporter_Source(t *testing.T) {
	if got := New().Source(); got != "call" {
		t.Fatalf("Source() = %q", got)
	}
}
