package search

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestTimeline_OneValueKeepsEvents checks the timeline stored and indexed
// as one value: a phrase inside an event matches and points at that event,
// a "phrase" made of the end of one event and the start of the next does
// not match, a separator typed inside an event stays text, and every id
// lands on its event.
func TestTimeline_OneValueKeepsEvents(t *testing.T) {
	docs := []Doc{
		{ID: 1, Key: "INC-1", Title: "Checkout errors", Visibility: "internal", Events: []Event{
			{ID: 11, Body: "deploy started"},
			{ID: 12, Body: "   "}, // empty: skipped, ids stay aligned
			{ID: 13, Body: "alerts fired for the gateway"},
			{ID: 14, Body: "rollback of the canary\x1eworked, errors stopped"},
			{ID: 15, Body: "postmortem scheduled"},
		}},
		{ID: 2, Key: "INC-2", Title: "Gateway canary", Visibility: "internal", Events: []Event{
			{ID: 21, Body: "gateway rollback done"},
		}},
	}
	ix := openBuilt(t, newMemSource(docs...))
	ctx := context.Background()
	cases := []struct {
		name   string
		q      string
		want   []string
		events []int64 // of the first hit
	}{
		{"phrase inside an event", `"alerts fired"`, []string{"INC-1"}, []int64{13}},
		{"phrase across two events", `"started alerts"`, nil, nil},
		{"separator typed inside an event", `"canary worked"`, []string{"INC-1"}, []int64{14}},
		{"word of the last event", "postmortem", []string{"INC-1"}, []int64{15}},
		{"timeline field", "timeline:gateway", []string{"INC-1", "INC-2"}, nil},
		{"phrase in another incident", `"gateway rollback"`, []string{"INC-2"}, []int64{21}},
		// The timeline is indexed without its pairs (they are in the
		// combined field): a phrase asked of it still matches only there.
		{"timeline phrase", `timeline:"gateway rollback"`, []string{"INC-2"}, []int64{21}},
		{"timeline phrase across two events", `timeline:"started alerts"`, nil, nil},
		{"timeline phrase only in the title", `timeline:"gateway canary"`, nil, nil}, // see also TestPhrases_StayInOneField
		{"title phrase", `title:"gateway canary"`, []string{"INC-2"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ix.Search(ctx, Request{Q: c.q})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, h := range r.Items {
				keys = append(keys, h.Key)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, c.want) {
				t.Fatalf("%s: got %v, want %v", c.q, keys, c.want)
			}
			if c.events == nil || len(r.Items) == 0 {
				return
			}
			var ids []int64
			for _, e := range r.Items[0].Events {
				ids = append(ids, e.ID)
				if !strings.Contains(e.Fragment, "<mark>") {
					t.Errorf("%s: event %d fragment without a mark: %q", c.q, e.ID, e.Fragment)
				}
				if strings.ContainsRune(e.Fragment, eventSep) {
					t.Errorf("%s: fragment holds the separator: %q", c.q, e.Fragment)
				}
			}
			if len(ids) != len(c.events) || ids[0] != c.events[0] {
				t.Errorf("%s: events %v, want %v", c.q, ids, c.events)
			}
		})
	}
}

// TestTimeline_Bound checks the bound of the timeline text indexed for one
// incident: an event that crosses it is indexed up to it (not dropped
// whole, even when it is the first), and later events are not indexed.
func TestTimeline_Bound(t *testing.T) {
	filler := strings.Repeat("lorem ipsum dolor ", maxTimelineBytes/18) // about the whole bound
	docs := []Doc{
		{ID: 1, Key: "INC-1", Title: "Alert storm", Visibility: "internal", Events: []Event{
			{ID: 11, Body: "zyxfirst " + filler + " zyxcrossing"},
			{ID: 12, Body: "zyxafter the bound"},
		}},
		{ID: 2, Key: "INC-2", Title: "Big paste", Visibility: "internal", Events: []Event{
			{ID: 21, Body: "zyxhead é" + strings.Repeat("é", maxTimelineBytes) + " zyxtail"},
		}},
	}
	ix := openBuilt(t, newMemSource(docs...))
	ctx := context.Background()
	for q, want := range map[string]string{"zyxfirst": "INC-1", "zyxcrossing": "", "zyxafter": "", "zyxhead": "INC-2", "zyxtail": ""} {
		r, err := ix.Search(ctx, Request{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if len(r.Items) > 0 {
			got = r.Items[0].Key
		}
		if got != want || len(r.Items) > 1 {
			t.Errorf("%s: got %d hits (first %q), want %q", q, len(r.Items), got, want)
		}
	}
	if got := cutUTF8("aé", 2); got != "a" {
		t.Errorf("cutUTF8 cut inside a character: %q", got)
	}
}

// TestTimeline_VersionTwoFields checks that the stored fields of a
// version-2 index (one value per event, their text not cleaned of the
// separator) are not cut at the separator: each event keeps its id while
// such an index answers during the rebuild to version 3.
func TestTimeline_VersionTwoFields(t *testing.T) {
	texts, ids := timelineEvents(map[string]any{
		FieldTimeline: []any{"alpha\x1ebeta", "gamma"},
		FieldEventIDs: []any{"11", "12"},
	})
	if !slices.Equal(texts, []string{"alpha\x1ebeta", "gamma"}) || !slices.Equal(ids, []string{"11", "12"}) {
		t.Errorf("version 2: texts %q, ids %q", texts, ids)
	}
	texts, ids = timelineEvents(map[string]any{FieldTimeline: "alpha\x1ebeta", FieldEventIDs: "11,12"})
	if !slices.Equal(texts, []string{"alpha", "beta"}) || !slices.Equal(ids, []string{"11", "12"}) {
		t.Errorf("version 3: texts %q, ids %q", texts, ids)
	}
}

// TestTimeline_SeparatorElsewhereIsASpace checks that the event separator
// typed in another text field (an import, a paste) is a space there: a
// phrase across it matches and the highlight does not show it.
func TestTimeline_SeparatorElsewhereIsASpace(t *testing.T) {
	ix := openBuilt(t, newMemSource(Doc{ID: 1, Key: "INC-1", Title: "Disk\x1efull", Summary: "quota\x1eexceeded on the primary",
		Visibility: "internal"}))
	for _, q := range []string{`"disk full"`, `"quota exceeded"`} {
		r, err := ix.Search(context.Background(), Request{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Items) != 1 {
			t.Fatalf("%s: %d hits, want 1", q, len(r.Items))
		}
		for field, frags := range r.Items[0].Highlights {
			for _, f := range frags {
				if strings.ContainsRune(f, eventSep) {
					t.Errorf("%s: %s highlight holds the separator: %q", q, field, f)
				}
			}
		}
	}
}

// TestPhrases_StayInOneField checks that a phrase matches only where one
// field holds it: a fielded phrase on a long field is not made of a pair
// from another field and words from two events, and a phrase of three
// words is not made of pairs from two fields. From the review of lane q
// (P1-2, P2-1).
func TestPhrases_StayInOneField(t *testing.T) {
	docs := []Doc{
		// A 3-word phrase split across title and summary.
		{ID: 1, Key: "INC-1", Title: "payment gateway", Summary: "gateway timeout on login", Visibility: "internal"},
		// The pair only in the title, its words in two timeline events.
		{ID: 2, Key: "INC-2", Title: "Broker rollback failed", Visibility: "internal", Events: []Event{
			{ID: 21, Body: "broker alarms fired"}, {ID: 22, Body: "rollback started"}}},
		// The pair only in the summary, its words apart in the RCA.
		{ID: 3, Key: "INC-3", Title: "Storage incident", Summary: "inode exhaustion on db", Visibility: "internal",
			Sections: []Section{{Title: "Cause", Body: "every inode was used; exhaustion followed"}},
			Events:   []Event{{ID: 31, Body: "disk quota exceeded on the primary"}}},
	}
	ix := openBuilt(t, newMemSource(docs...))
	cases := []struct {
		q    string
		want []string
	}{
		{`"payment gateway timeout"`, nil},
		{`timeline:"broker rollback"`, nil},
		{`rca:"inode exhaustion"`, nil},
		{`actions:"inode exhaustion"`, nil},
		// and what is there is still found
		{`"payment gateway"`, []string{"INC-1"}},
		{`"gateway timeout on login"`, []string{"INC-1"}},
		{`"broker rollback"`, []string{"INC-2"}},
		{`timeline:"broker alarms"`, []string{"INC-2"}},
		{`"inode exhaustion"`, []string{"INC-3"}},
		{`"quota exceeded on the primary"`, []string{"INC-3"}},
		{`timeline:"quota exceeded"`, []string{"INC-3"}},
		{`rca:"inode was used"`, []string{"INC-3"}},
	}
	for _, c := range cases {
		r, err := ix.Search(context.Background(), Request{Q: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(r); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.q, got, c.want)
		}
	}
}
