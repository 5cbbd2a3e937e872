package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
)

// The recurrence warning: when an open incident is created or its timeline
// grows, and a past incident is very similar to it although every
// corrective action of the past one was closed, the pair is flagged — the
// actions did not prevent the incident from happening again.
const (
	// RecurrenceThreshold is how similar a past incident must be: the share
	// of the incident's distinctive words and labels the past one holds
	// (search.Similar.Relative). Tuned on the real post-mortems
	// (TestApp_RecurrenceThreshold): live write-ups of a post-mortem find it
	// at 0.87 or more, while the best unrelated one scores 0.16 to 0.49
	// (0.23 at the median); above the threshold are other write-ups of the
	// same event and the same failure elsewhere (packet loss in a cloud
	// provider's network, Postgres transaction-id wraparound).
	RecurrenceThreshold = 0.5
	// recurrenceCandidates is how many similar incidents are considered.
	recurrenceCandidates = 5
	// recurrenceMaxFlags bounds the past incidents flagged in one check, so
	// a family of look-alikes does not flood the managers' list.
	recurrenceMaxFlags = 3
	// recurrenceWindow is how long after a check an incident is not checked
	// again; changes in between are checked once the window ends.
	recurrenceWindow = 30 * time.Second
	// recurrenceMemory bounds the incidents the checker remembers.
	recurrenceMemory = 10_000
	// recurrenceActor is who raises the flags in the audit log.
	recurrenceActor = "hindsight:recurrence"
)

// recurrenceChecker remembers when each incident was last checked, so a
// busy timeline is not compared after every line, and which incidents
// changed since, to check them once the window has passed.
type recurrenceChecker struct {
	mu      sync.Mutex
	last    map[int64]time.Time
	pending map[int64]bool
	// scheduled is true while a timer will check the pending incidents.
	scheduled bool
	// after runs f after d (time.AfterFunc; tests may replace it).
	after func(d time.Duration, f func())
}

func newRecurrenceChecker() *recurrenceChecker {
	return &recurrenceChecker{last: map[int64]time.Time{}, pending: map[int64]bool{},
		after: func(d time.Duration, f func()) { time.AfterFunc(d, f) }}
}

// due returns the ids not checked within the window before now and marks
// them checked at now. The others are kept for a later check; schedule says
// the caller must arrange one.
func (c *recurrenceChecker) due(ids []int64, now time.Time) (due []int64, schedule bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if t, ok := c.last[id]; ok && now.Sub(t) < recurrenceWindow && now.Sub(t) >= 0 {
			if len(c.pending) < recurrenceMemory {
				c.pending[id] = true
			}
			continue
		}
		delete(c.pending, id)
		c.mark(id, now)
		due = append(due, id)
	}
	if len(c.pending) > 0 && !c.scheduled {
		c.scheduled = true
		schedule = true
	}
	return due, schedule
}

// schedule runs f once the window has passed.
func (c *recurrenceChecker) schedule(f func()) {
	c.mu.Lock()
	after := c.after
	c.mu.Unlock()
	after(recurrenceWindow, f)
}

// retry keeps id for the next trailing check; schedule says the caller
// must arrange one.
func (c *recurrenceChecker) retry(id int64) (schedule bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.pending) < recurrenceMemory {
		c.pending[id] = true
	}
	if len(c.pending) > 0 && !c.scheduled {
		c.scheduled = true
		return true
	}
	return false
}

// takePending returns the incidents waiting for a check, marked checked at now.
func (c *recurrenceChecker) takePending(now time.Time) []int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	ids := make([]int64, 0, len(c.pending))
	for id := range c.pending {
		ids = append(ids, id)
		c.mark(id, now)
	}
	clear(c.pending)
	c.scheduled = false
	return ids
}

// mark records a check; when the memory is full it forgets the checks
// that no longer matter, and all of them if that is not enough (the worst
// that does is an early second check, which adds nothing twice).
func (c *recurrenceChecker) mark(id int64, now time.Time) {
	if _, ok := c.last[id]; !ok && len(c.last) >= recurrenceMemory {
		for k, t := range c.last {
			if now.Sub(t) >= recurrenceWindow || now.Sub(t) < 0 {
				delete(c.last, k)
			}
		}
		if len(c.last) >= recurrenceMemory {
			clear(c.last)
		}
	}
	c.last[id] = now
}

// CheckRecurrences is called by the indexer after it applied changes to
// the incidents ids: each open or mitigated one (not checked in the last
// recurrenceWindow) is compared with the past incidents, and the very
// similar ones whose corrective actions were all closed are flagged. Every
// replica's indexer calls it; a pair is flagged once, whichever comes
// first. It never fails: errors are logged, the index must go on.
func (a *App) CheckRecurrences(ctx context.Context, ids []int64) {
	if a.search == nil || len(ids) == 0 {
		return
	}
	open, err := a.store.UnresolvedIncidents(ctx, ids)
	if err != nil {
		a.logRecurrence(ctx, 0, err)
		return
	}
	if len(open) == 0 {
		return
	}
	byID := make(map[int64]incident.Incident, len(open))
	openIDs := make([]int64, len(open))
	for i, inc := range open {
		byID[inc.ID] = inc
		openIDs[i] = inc.ID
	}
	due, schedule := a.recur.due(openIDs, a.Now())
	if schedule {
		a.recur.schedule(func() { a.checkPending(ctx) })
	}
	for _, id := range due {
		a.runRecurrenceCheck(ctx, byID[id])
	}
}

// runRecurrenceCheck checks one incident. An index that cannot answer
// similar incidents yet (being built, or serving an older shape while its
// rebuild runs) has the check tried again after the window, rather than
// lost until the incident changes again.
func (a *App) runRecurrenceCheck(ctx context.Context, inc incident.Incident) {
	err := a.checkRecurrence(ctx, inc)
	switch {
	case err == nil:
	case errors.Is(err, search.ErrNotReady) && ctx.Err() == nil:
		if a.recur.retry(inc.ID) {
			a.recur.schedule(func() { a.checkPending(ctx) })
		}
	default:
		a.logRecurrence(ctx, inc.ID, err)
	}
}

// checkPending checks the incidents that changed while their window ran.
func (a *App) checkPending(ctx context.Context) {
	ids := a.recur.takePending(a.Now())
	if ctx.Err() != nil || len(ids) == 0 {
		return
	}
	open, err := a.store.UnresolvedIncidents(ctx, ids)
	if err != nil {
		a.logRecurrence(ctx, 0, err)
		return
	}
	for _, inc := range open {
		a.runRecurrenceCheck(ctx, inc)
	}
}

func (a *App) logRecurrence(ctx context.Context, id int64, err error) {
	if ctx.Err() != nil {
		return // shutting down
	}
	a.log.Warn("Recurrence check failed", "incident_id", id, "error", err)
}

// checkRecurrence compares one open incident with the past ones and flags
// those that qualify (see recurrenceCandidate), in one transaction with
// their audit entries.
func (a *App) checkRecurrence(ctx context.Context, inc incident.Incident) error {
	bs, err := a.store.Bundles(ctx, []int64{inc.ID})
	if err != nil {
		return err
	}
	b, ok := bs[inc.ID]
	if !ok {
		return nil // deleted meanwhile
	}
	d := docOf(b)
	// Every incident counts, whoever will look: the flag is stored, and
	// the lists apply the reader's visibility.
	sims, err := a.search.Similar(ctx, search.SimilarRequest{ID: inc.ID, Doc: &d, Limit: recurrenceCandidates,
		Viewer: search.Viewer{All: true}})
	if err != nil {
		return err
	}
	withActs, err := a.withActions(ctx, sims)
	if err != nil {
		return err
	}
	var flags []SimilarIncident
	for _, s := range withActs {
		if recurrenceCandidate(inc, s) && len(flags) < recurrenceMaxFlags {
			flags = append(flags, s)
		}
	}
	if len(flags) == 0 {
		return nil
	}
	now := a.Now()
	return a.store.InTx(ctx, func(tx *store.Store) error {
		for _, s := range flags {
			id, added, err := tx.AddRecurrence(ctx, incident.Recurrence{
				IncidentID: inc.ID, PastIncidentID: s.ID, Relative: s.Relative, Score: s.Score,
				Reasons: matchReasons(s.Reasons), ActionsClosed: s.Actions.Done + s.Actions.WontDo, CreatedAt: now,
			})
			if err != nil {
				return err
			}
			if !added {
				continue // flagged before, by this replica or another
			}
			incID := inc.ID
			if err := tx.AppendAudit(ctx, incident.AuditEntry{Actor: recurrenceActor, Action: "recurrence.flag",
				ObjectType: "recurrence", ObjectID: id, IncidentID: &incID, CreatedAt: now,
				Detail: fmt.Sprintf("%s looks like %s (%.0f%% similar), whose corrective actions were all closed",
					inc.Key, s.Key, 100*s.Relative)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// recurrenceCandidate reports whether s, similar to inc, is a past incident
// inc repeats: it happened before inc (by start, else creation; the older
// row when both say the same time), it is similar enough, and it had
// corrective actions, all closed.
func recurrenceCandidate(inc incident.Incident, s SimilarIncident) bool {
	if s.ID == inc.ID || s.Relative < RecurrenceThreshold || !s.Actions.AllClosed || s.StartedAt == nil {
		return false
	}
	when := inc.CreatedAt
	if inc.StartedAt != nil {
		when = *inc.StartedAt
	}
	return s.StartedAt.Before(when) || (s.StartedAt.Equal(when) && s.ID < inc.ID)
}

// matchReasons copies search's reasons into the domain's.
func matchReasons(rs []search.Reason) []incident.MatchReason {
	out := make([]incident.MatchReason, len(rs))
	for i, r := range rs {
		out[i] = incident.MatchReason{Kind: r.Kind, Values: r.Values, Text: r.Text}
	}
	return out
}
