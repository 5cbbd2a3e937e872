package e2e

import (
	"fmt"
	"testing"
	"time"
)

// appendEvents adds events to an incident's timeline through the API.
func (s *server) appendEvents(key string, evs []map[string]any) {
	s.t.Helper()
	r := s.api(s.AdminToken, "POST", "/incidents/"+key+"/timeline", map[string]any{"events": evs}, "", 0)
	if r.Status/100 != 2 {
		s.t.Fatalf("append to the timeline: %d %s", r.Status, r.Body)
	}
}

// TestStarTimelineEvents stars two events on the incident's timeline; the
// server has them as key events, and they are still starred after a
// reload. The visual timeline is shown too.
func TestStarTimelineEvents(t *testing.T) {
	s := startSQLite(t)
	start := time.Now().UTC().Add(-6 * time.Hour).Truncate(time.Minute)
	inc := s.createIncident("Search latency above 5 s", "SEV2", start, map[string]any{
		"detected_at": start.Add(4 * time.Minute).Format(time.RFC3339),
		"resolved_at": start.Add(95 * time.Minute).Format(time.RFC3339),
	})
	var evs []map[string]any
	for i, e := range []struct{ kind, actor, body string }{
		{"alert", "Prometheus", "FIRING: search p99 latency > 5s"},
		{"chat", "ann", "Looking at the search cluster"},
		{"chat", "bob", "Shard rebalancing started after the deploy"},
		{"change", "ci", "Rolled back search-indexer to v41"},
		{"chat", "ann", "Latency is back under 300 ms"},
	} {
		evs = append(evs, map[string]any{"source": "manual", "kind": e.kind, "actor": e.actor, "body": e.body,
			"occurred_at": start.Add(time.Duration(5+i*15) * time.Minute).Format(time.RFC3339)})
	}
	s.appendEvents(inc.Key, evs)
	all := s.timeline(inc.Key)
	if len(all) != len(evs) {
		t.Fatalf("the timeline has %d events, want %d", len(all), len(evs))
	}
	starred := []int64{all[0].ID, all[3].ID}

	b := s.newBrowser(t)
	b.allowNoRCA()
	b.signedIn(editorEmail, editorPassword)
	b.open("/incidents/" + inc.Key)
	for _, id := range starred {
		row := fmt.Sprintf(`%s[data-event-id="%d"]`, dt("event"), id)
		b.click(row + " " + dt("star"))
		b.waitVisible(row + `[data-starred="true"]`)
	}
	b.screenshot("incident-timeline")

	keys := map[int64]bool{}
	for _, e := range s.timeline(inc.Key) {
		keys[e.ID] = e.KeyEvent
	}
	for _, id := range starred {
		if !keys[id] {
			t.Errorf("event %d is starred on the page but not a key event on the server", id)
		}
	}

	b.open("/incidents/" + inc.Key)
	b.waitVisible(dt("event"))
	for _, id := range starred {
		b.waitVisible(fmt.Sprintf(`%s[data-event-id="%d"][data-starred="true"]`, dt("event"), id))
	}
	if n := b.count(dt("event") + `[data-starred="true"]`); n != len(starred) {
		t.Errorf("after a reload %d events are starred, want %d", n, len(starred))
	}

	b.click(dt("tab-visual"))
	b.waitVisible(dt("visual-timeline"))
	b.waitVisible(dt("timeline-svg"))
	b.screenshot("visual-timeline")
}
