package dashboard

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// fakeSource is a Source over incidents held in memory, each with one
// open action, and a change feed whose last sequence number the test sets.
type fakeSource struct {
	mu      sync.Mutex
	ids     []int64
	changes []incident.Change
	// stale, when set, is what the next LastChangeSeq returns (once): a
	// value read before another request applied newer changes.
	stale int64
}

func (f *fakeSource) LastChangeSeq(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s := f.stale; s != 0 {
		f.stale = 0
		return s, nil
	}
	if len(f.changes) == 0 {
		return 0, nil
	}
	return f.changes[len(f.changes)-1].Seq, nil
}

func (f *fakeSource) Changes(_ context.Context, after int64, limit int) ([]incident.Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []incident.Change
	for _, c := range f.changes {
		if c.Seq > after && len(out) < limit {
			out = append(out, c)
		}
	}
	return out, nil
}

func (f *fakeSource) rows(ids []int64) incident.DashboardRows {
	var out incident.DashboardRows
	for _, id := range ids {
		out.Incidents = append(out.Incidents, incident.DashboardIncident{ID: id, Severity: incident.SEV3,
			Visibility: incident.VisibilityInternal, CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		out.Actions = append(out.Actions, incident.DashboardAction{ID: id, IncidentID: id, Status: incident.ActionOpen,
			Priority: incident.PriorityHigh, CreatedAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)})
	}
	return out
}

func (f *fakeSource) DashboardRows(_ context.Context, ids []int64) (incident.DashboardRows, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var have []int64
	for _, id := range ids {
		for _, x := range f.ids {
			if x == id {
				have = append(have, id)
			}
		}
	}
	return f.rows(have), nil
}

func (f *fakeSource) DashboardRowsAfter(_ context.Context, after int64, limit int) (incident.DashboardRows, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var page []int64
	for _, id := range f.ids {
		if id > after && len(page) < limit {
			page = append(page, id)
		}
	}
	return f.rows(page), nil
}

func (f *fakeSource) LowerKey(_ context.Context, v string) (string, error) { return v, nil }

func (f *fakeSource) ActionsByID(context.Context, []int64, incident.Viewer) (map[int64]incident.CorrectiveAction, error) {
	return nil, nil
}

func (f *fakeSource) IncidentsByID(context.Context, []int64, incident.Viewer) (map[int64]incident.Incident, error) {
	return nil, nil
}

func (f *fakeSource) RecurrenceFlags(context.Context) ([]incident.RecurrenceFlag, error) {
	return nil, nil
}

// set replaces the incidents and the feed (ids 1..n, changes 1..seq).
func (f *fakeSource) set(n int, seq int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids, f.changes = nil, nil
	for i := range n {
		f.ids = append(f.ids, int64(i+1))
	}
	for s := int64(1); s <= seq; s++ {
		f.changes = append(f.changes, incident.Change{Seq: s, ObjectType: incident.ObjectIncident, ObjectID: (s-1)%int64(max(n, 1)) + 1,
			Op: incident.OpUpsert})
	}
}

// openCount asks the projection for the open actions, waiting out a reload.
func openCount(t *testing.T, p *Projection) int {
	t.Helper()
	for range 200 {
		m, err := p.ActionMetrics(context.Background(), incident.ActionMetricsFilter{Viewer: incident.EveryIncident,
			Today: incident.Date{Year: 2026, Month: 2, Day: 1}})
		if errors.Is(err, ErrNotReady) {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		return m.Counts.Open
	}
	t.Fatal("the projection never became ready again")
	return 0
}

// TestProjection_Reloads checks the fallbacks: not loaded answers
// ErrNotReady; a feed behind the projection (another database) and one
// too far ahead make it load everything again, after which it answers
// from the new data.
func TestProjection_Reloads(t *testing.T) {
	src := &fakeSource{}
	src.set(3, 5)
	p := New(src, nil)
	_, err := p.ActionMetrics(context.Background(), incident.ActionMetricsFilter{})
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("before Load: err = %v; want ErrNotReady", err)
	}
	if err := p.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := openCount(t, p); n != 3 {
		t.Fatalf("loaded: %d open; want 3", n)
	}
	src.set(2, 1) // another database, with fewer changes
	if _, err := p.ActionMetrics(context.Background(), incident.ActionMetricsFilter{}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("feed behind: err = %v; want ErrNotReady while reloading", err)
	}
	if n := openCount(t, p); n != 2 {
		t.Fatalf("after the reload: %d open; want 2", n)
	}
	src.set(7, 2+maxPending+1) // far ahead
	if n := openCount(t, p); n != 7 {
		t.Fatalf("after a reload for a long feed: %d open; want 7", n)
	}
	// Two new incidents, a change each: caught up in place.
	loaded := p.Stats()
	src.mu.Lock()
	last := src.changes[len(src.changes)-1].Seq
	src.ids = append(src.ids, 8, 9)
	src.changes = append(src.changes, incident.Change{Seq: last + 1, ObjectType: incident.ObjectIncident, ObjectID: 8},
		incident.Change{Seq: last + 3, ObjectType: incident.ObjectAction, ObjectID: 9, IncidentID: 9})
	src.mu.Unlock()
	if n := openCount(t, p); n != 9 {
		t.Fatalf("caught up: %d open; want 9", n)
	}
	if p.Stats() != loaded {
		t.Fatalf("a few changes made it load everything again: %+v, was %+v", p.Stats(), loaded)
	}
}

// TestProjection_StaleLastSeq checks that a request whose newest sequence
// number was read before another request applied newer changes answers
// from the projection, without loading everything again.
func TestProjection_StaleLastSeq(t *testing.T) {
	src := &fakeSource{}
	src.set(3, 5)
	p := New(src, nil)
	if err := p.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	loaded := p.Stats()
	src.mu.Lock()
	src.stale = 4
	src.mu.Unlock()
	m, err := p.ActionMetrics(context.Background(), incident.ActionMetricsFilter{Viewer: incident.EveryIncident,
		Today: incident.Date{Year: 2026, Month: 2, Day: 1}})
	if err != nil {
		t.Fatalf("stale sequence number: %v; want the projection's answer", err)
	}
	if m.Counts.Open != 3 {
		t.Fatalf("stale sequence number: %d open; want 3", m.Counts.Open)
	}
	if !p.Ready() || p.Stats() != loaded {
		t.Fatal("a stale sequence number made the projection load everything again")
	}
}

// TestProjection_Run checks the server's lifecycle: Run loads, stays until
// its context ends, and then returns.
func TestProjection_Run(t *testing.T) {
	src := &fakeSource{}
	src.set(4, 4)
	p := New(src, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	if n := openCount(t, p); n != 4 {
		t.Fatalf("after Run loaded: %d open; want 4", n)
	}
	// Run follows the feed by itself: new incidents show without a
	// request to apply them.
	src.mu.Lock()
	src.ids = append(src.ids, 5)
	src.changes = append(src.changes, incident.Change{Seq: 5, ObjectType: incident.ObjectIncident, ObjectID: 5})
	src.mu.Unlock()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.RLock()
		seq := p.seq
		p.mu.RUnlock()
		if seq == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not follow the feed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-done:
		t.Fatal("Run returned before its context ended")
	default:
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	src.set(2, 1) // another database after shutdown: no load starts
	if _, err := p.ActionMetrics(context.Background(), incident.ActionMetricsFilter{}); !errors.Is(err, ErrNotReady) {
		t.Fatalf("feed behind after shutdown: err = %v; want ErrNotReady", err)
	}
	if p.loading.Load() {
		t.Fatal("a load started after Run returned")
	}
}
