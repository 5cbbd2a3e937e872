// Package dashboard computes the metrics dashboards (incident.ActionMetrics
// and incident.IncidentMetrics) in Go from an in-memory projection of what
// they read: compact rows of every incident and corrective action, without
// their text. The projection is loaded once from the database and kept
// current from the change feed, like the search index; before answering it
// applies every change committed so far, so a write is counted by the very
// next request, on this replica or another. The answers are exactly those
// of the store's SQL, which stays the fallback and the tests' oracle.
package dashboard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// Source is what the projection reads: the change feed and the rows
// (implemented by *store.Store).
type Source interface {
	// LastChangeSeq is the newest change's sequence number (0 for none).
	LastChangeSeq(ctx context.Context) (int64, error)
	// Changes returns up to limit changes after afterSeq, in order.
	Changes(ctx context.Context, afterSeq int64, limit int) ([]incident.Change, error)
	// DashboardRows returns the rows of the incidents ids still there.
	DashboardRows(ctx context.Context, ids []int64) (incident.DashboardRows, error)
	// DashboardRowsAfter returns the rows of the next limit incidents by id.
	DashboardRowsAfter(ctx context.Context, afterID int64, limit int) (incident.DashboardRows, error)
	// LowerKey folds a team or owner filter as the database folds the
	// stored ones.
	LowerKey(ctx context.Context, v string) (string, error)
	// ActionsByID fetches the few actions a dashboard lists, those the
	// viewer (still) may see.
	ActionsByID(ctx context.Context, ids []int64, v incident.Viewer) (map[int64]incident.CorrectiveAction, error)
	// IncidentsByID fetches the few incidents a dashboard lists, those the
	// viewer (still) may see.
	IncidentsByID(ctx context.Context, ids []int64, v incident.Viewer) (map[int64]incident.Incident, error)
	// RecurrenceFlags returns every recurrence warning (a small table,
	// not in the change feed: read on each request).
	RecurrenceFlags(ctx context.Context) ([]incident.RecurrenceFlag, error)
}

// ErrNotReady is returned while the projection is not loaded (or is being
// loaded again): the caller answers from SQL instead.
var ErrNotReady = errors.New("dashboard: projection not loaded")

// ErrLoadUnderWay is Load's answer while another load is under way.
var ErrLoadUnderWay = errors.New("dashboard: a load is already under way")

// Tuning of the catch-up.
const (
	// changesPerRound bounds the changes one round of catch-up reads.
	changesPerRound = 2000
	// maxPending is how far behind the feed (in sequence numbers) the
	// projection still catches up change by change; further behind (it
	// was not followed for long), it is loaded again in the background
	// and requests go to SQL meanwhile. Run follows the feed every second,
	// so only a burst of this many changes within a second gets there.
	maxPending = 100000
	// loadPage is how many incidents one read of a full load covers.
	loadPage = 5000
)

// Stats describe the last full load.
type Stats struct {
	// Incidents and Actions are how many rows it read.
	Incidents, Actions int
	// Took is how long it took, from the first read to the swap.
	Took time.Duration
	// Seq is the last change it included.
	Seq int64
}

// Projection is the dashboards' in-memory projection. Its methods are safe
// for concurrent use: one goroutine at a time applies changes (applyMu),
// and it swaps them in under the write lock, so a request computing under
// the read lock never sees half of a change.
type Projection struct {
	src Source
	log *slog.Logger

	applyMu sync.Mutex
	mu      sync.RWMutex
	st      *state // nil until loaded
	seq     int64  // the last change st includes
	stats   Stats

	loading atomic.Bool // a full load is under way
	// bufs holds scratch buffers (*[]float64) of the days to close a request
	// ranks, so that requests do not each allocate megabytes.
	bufs sync.Pool
	// ctx bounds the loads started later (Run's; else Background), and
	// loads counts them, for Run to wait on.
	ctx     context.Context
	loads   sync.WaitGroup
	closing bool // Run is done: no more loads
}

// New returns an empty projection over src; Load or Run fills it.
func New(src Source, log *slog.Logger) *Projection {
	if log == nil {
		log = slog.Default()
	}
	return &Projection{src: src, log: log, ctx: context.Background()}
}

// scratch returns a scratch buffer for a request; put it back in p.bufs.
func (p *Projection) scratch() *[]float64 {
	if b, ok := p.bufs.Get().(*[]float64); ok {
		return b
	}
	return new([]float64)
}

// Ready reports whether the projection is loaded and not being reloaded.
func (p *Projection) Ready() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.st != nil && !p.loading.Load()
}

// Stats returns the figures of the last full load.
func (p *Projection) Stats() Stats {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.stats
}

// Run loads the projection, retrying with a growing pause until it
// succeeds or ctx ends; it then follows the change feed (every
// FollowEvery), and each request applies what is left. It loads everything
// again every RebuildEvery (which also sees writes made outside the change
// feed, and drops strings no row names any more), and returns when ctx ends
// and the loads it started are done.
func (p *Projection) Run(ctx context.Context) {
	p.mu.Lock()
	p.ctx = ctx
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.closing = true // no load starts after this
		p.mu.Unlock()
		p.loads.Wait()
	}()
	if p.loading.CompareAndSwap(false, true) {
		p.loadRetrying(ctx)
		p.loading.Store(false)
	}
	rebuild, follow := time.NewTicker(RebuildEvery), time.NewTicker(FollowEvery)
	defer rebuild.Stop()
	defer follow.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rebuild.C:
			p.reload("scheduled rebuild")
		case <-follow.C:
			p.follow(ctx)
		}
	}
}

// FollowEvery is how often Run applies the changes committed meanwhile, so
// that a burst of writes (an alert storm) is applied in the background and
// requests find only the last few changes to apply.
const FollowEvery = time.Second

// follow applies the changes committed so far, if the projection is loaded.
func (p *Projection) follow(ctx context.Context) {
	if !p.Ready() {
		return
	}
	last, err := p.src.LastChangeSeq(ctx)
	if err == nil {
		err = p.catchUp(ctx, last)
	}
	if err != nil && !errors.Is(err, ErrNotReady) && ctx.Err() == nil {
		p.log.Warn("Dashboard projection: cannot apply changes; requests will try again", "error", err)
	}
}

// RebuildEvery is how often Run loads the projection again from scratch.
const RebuildEvery = 24 * time.Hour

// loadRetrying loads until it succeeds or ctx ends.
func (p *Projection) loadRetrying(ctx context.Context) {
	backoff := time.Second
	for {
		err := p.load(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		p.log.Warn("Dashboard projection: cannot load; dashboards answer from SQL meanwhile", "error", err, "retry_in", backoff.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, time.Minute)
	}
}

// Load loads the projection once (see load); ErrLoadUnderWay at once when
// another load is under way.
func (p *Projection) Load(ctx context.Context) error {
	if !p.loading.CompareAndSwap(false, true) {
		return ErrLoadUnderWay
	}
	defer p.loading.Store(false)
	return p.load(ctx)
}

// load reads every incident and action into a new state, applies the
// changes made meanwhile and puts it in place of the current one (which,
// with requests going to SQL while loading is set, is not used until then).
func (p *Projection) load(ctx context.Context) error {
	t0 := time.Now()
	// Changes after seq are applied after the load; they may touch
	// incidents it already read, which are only read again.
	seq, err := p.src.LastChangeSeq(ctx)
	if err != nil {
		return fmt.Errorf("dashboard: load: %w", err)
	}
	st := newState()
	st.bulk = true // the durations are ordered once, after the pages
	var after int64
	for {
		rows, err := p.src.DashboardRowsAfter(ctx, after, loadPage)
		if err != nil {
			return fmt.Errorf("dashboard: load: %w", err)
		}
		if len(rows.Incidents) == 0 {
			break
		}
		st.put(rows)
		after = rows.Incidents[len(rows.Incidents)-1].ID
	}
	st.sortDurations()
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	for {
		chs, err := p.src.Changes(ctx, seq, changesPerRound)
		if err != nil {
			return fmt.Errorf("dashboard: load: %w", err)
		}
		if len(chs) == 0 {
			break
		}
		if err := p.applyTo(ctx, st, chs); err != nil {
			return err
		}
		seq = chs[len(chs)-1].Seq
	}
	stats := Stats{Incidents: len(st.slot), Actions: st.nActs, Took: time.Since(t0), Seq: seq}
	p.mu.Lock()
	p.st, p.seq, p.stats = st, seq, stats
	p.mu.Unlock()
	p.log.Info("Dashboard projection loaded", "incidents", stats.Incidents, "actions", stats.Actions,
		"took", stats.Took.Round(time.Millisecond).String())
	return nil
}

// applyTo reads the incidents chs touched into st (removing those gone).
func (p *Projection) applyTo(ctx context.Context, st *state, chs []incident.Change) error {
	ids := incident.TouchedIncidents(chs)
	if len(ids) == 0 {
		return nil
	}
	rows, err := p.src.DashboardRows(ctx, ids)
	if err != nil {
		return fmt.Errorf("dashboard: apply changes: %w", err)
	}
	for _, id := range ids {
		st.remove(id)
	}
	st.put(rows)
	return nil
}

// fresh brings the projection up to the newest committed change and
// returns its state, read-locked: the caller computes, then calls
// p.mu.RUnlock. ErrNotReady when it is not loaded or must be loaded again
// (too far behind, or ahead of the database: another database).
func (p *Projection) fresh(ctx context.Context) (*state, error) {
	if !p.Ready() {
		return nil, ErrNotReady
	}
	last, err := p.src.LastChangeSeq(ctx)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	if err := p.catchUp(ctx, last); err != nil {
		return nil, err
	}
	p.mu.RLock()
	if p.st == nil || p.loading.Load() {
		p.mu.RUnlock()
		return nil, ErrNotReady
	}
	return p.st, nil
}

// catchUp applies the changes up to last.
func (p *Projection) catchUp(ctx context.Context, last int64) error {
	p.mu.RLock()
	seq := p.seq
	p.mu.RUnlock()
	if seq == last {
		return nil
	}
	p.applyMu.Lock()
	defer p.applyMu.Unlock()
	for {
		p.mu.RLock()
		st, seq := p.st, p.seq
		p.mu.RUnlock()
		switch {
		case st == nil:
			return ErrNotReady
		case seq > last:
			// last may be stale: another request applied newer changes
			// after it was read. Only a database still behind the
			// projection now, read while no one applies, is another one.
			now, err := p.src.LastChangeSeq(ctx)
			if err != nil {
				return fmt.Errorf("dashboard: %w", err)
			}
			if now >= seq {
				return nil
			}
			p.reload(fmt.Sprintf("it has changes the database does not (another database?): %d > %d", seq, now))
			return ErrNotReady
		case seq == last:
			return nil
		case last-seq > maxPending:
			p.reload(fmt.Sprintf("%d changes behind", last-seq))
			return ErrNotReady
		}
		chs, err := p.src.Changes(ctx, seq, changesPerRound)
		if err != nil {
			return fmt.Errorf("dashboard: %w", err)
		}
		if len(chs) == 0 {
			return nil // nothing committed after seq after all
		}
		ids := incident.TouchedIncidents(chs)
		var rows incident.DashboardRows
		if len(ids) > 0 {
			if rows, err = p.src.DashboardRows(ctx, ids); err != nil {
				return fmt.Errorf("dashboard: apply changes: %w", err)
			}
		}
		p.mu.Lock()
		for _, id := range ids {
			st.remove(id)
		}
		st.put(rows)
		p.seq = chs[len(chs)-1].Seq
		p.mu.Unlock()
	}
}

// reload starts a full load in the background; requests go to SQL until
// it is done.
func (p *Projection) reload(why string) {
	if !p.loading.CompareAndSwap(false, true) {
		return
	}
	p.log.Warn("Dashboard projection: loading it again", "reason", why)
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		p.loading.Store(false)
		return
	}
	ctx := p.ctx
	p.loads.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.loads.Done()
		defer p.loading.Store(false)
		p.loadRetrying(ctx)
	}()
}
