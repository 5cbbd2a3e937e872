package importertest

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// goldenEvent is what a golden file keeps of an event: the fields a
// parser sets.
type goldenEvent struct {
	OccurredAt     time.Time
	OccurredAtText string
	Source         string
	Kind           incident.EventKind
	Actor          string
	Body           string
	Link           string `json:",omitempty"`
	ExternalID     string
	ThreadID       string
	Metadata       map[string]any
}

// Golden compares events with the golden file at path or, when update is
// set (each package's -update flag), rewrites it.
func Golden(t testing.TB, path string, events []incident.TimelineEvent, update bool) {
	t.Helper()
	got := make([]goldenEvent, len(events))
	for i, e := range events {
		got[i] = goldenEvent{e.OccurredAt, e.OccurredAtText, e.Source, e.Kind, e.Actor, e.Body, e.Link, e.ExternalID, e.ThreadID, e.Metadata}
	}
	b, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(b)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// ReadFile is the content of the fixture at path; a missing fixture fails t.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Rows fails t unless the events, each read through rowOf (the fields a
// test compares), are want.
func Rows[R comparable](t testing.TB, got []incident.TimelineEvent, want []R, rowOf func(incident.TimelineEvent) R) {
	t.Helper()
	if len(got) != len(want) {
		for _, e := range got {
			t.Logf("got %+v", rowOf(e))
		}
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i := range want {
		if g := rowOf(got[i]); g != want[i] {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, g, want[i])
		}
	}
}

// Valid fails t for every event that Validate refuses once normalised.
func Valid(t testing.TB, events []incident.TimelineEvent) {
	t.Helper()
	for i, e := range events {
		e.Normalize()
		if err := e.Validate(); err != nil {
			t.Errorf("event %d invalid: %v", i, err)
		}
	}
}
