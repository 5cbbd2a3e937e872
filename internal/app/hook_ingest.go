package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// ingestBatch bounds the deliveries one transaction stores.
const ingestBatch = 256

// ingestTimeout bounds one batch's transaction.
const ingestTimeout = 30 * time.Second

// ingester stores webhook deliveries with group commit: deliveries that
// arrive while a transaction runs wait and are stored together in the
// next one, so a burst costs a few commits instead of one per delivery,
// and each sender still hears back only after its alerts are committed.
// On PostgreSQL a few workers run transactions side by side (their reads
// and inserts overlap; the outbox lock orders their ends); SQLite has one
// writer, so one worker. Deliveries of one alert (one thread) are never
// stored by two workers at once: each would miss the other's events and
// could route a resolve apart from its trigger.
type ingester struct {
	a       *App
	mu      sync.Mutex
	queue   []*ingestJob
	running int
	workers int
	// inflight holds the threads of the jobs some worker is storing.
	inflight map[store.ThreadKey]bool
	// touched is when each hook's last delivery time was last written.
	touched map[int64]time.Time
	// keys remembers incident keys (they never change).
	keys map[int64]string
}

// key returns the remembered key of incident id (keys never change).
func (in *ingester) key(id int64) (string, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	k, ok := in.keys[id]
	return k, ok
}

func (in *ingester) rememberKey(id int64, key string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.keys) >= 10000 {
		in.keys = map[int64]string{}
	}
	in.keys[id] = key
}

// touch reports whether hook id's last delivery time should be written at
// now (it was not written in the last minute), and notes it.
func (in *ingester) touch(id int64, now time.Time) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if t, ok := in.touched[id]; ok && now.Sub(t) < time.Minute && !now.Before(t) {
		return false
	}
	in.touched[id] = now
	return true
}

type ingestJob struct {
	ctx     context.Context
	hook    incident.Hook
	alerts  []incident.Alert
	threads []store.ThreadKey
	done    chan ingestOut
}

type ingestOut struct {
	stored     []incident.Alert
	duplicates int
	err        error
}

// pgIngestWorkers is how many transactions PostgreSQL ingest runs at once.
const pgIngestWorkers = 3

func newIngester(a *App) *ingester {
	in := &ingester{a: a, workers: 1, inflight: map[store.ThreadKey]bool{}, touched: map[int64]time.Time{}, keys: map[int64]string{}}
	if a.store != nil && a.store.Dialect() == store.DialectPostgres {
		in.workers = pgIngestWorkers
	}
	return in
}

// submit queues alerts and waits until they are stored. When ctx ends
// first the alerts may still be stored: the sender retries, and the
// retry is a duplicate.
func (in *ingester) submit(ctx context.Context, h incident.Hook, alerts []incident.Alert) (ingestOut, error) {
	job := &ingestJob{ctx: ctx, hook: h, alerts: alerts, done: make(chan ingestOut, 1)}
	seen := map[store.ThreadKey]bool{}
	for _, al := range alerts {
		k := store.ThreadKey{Source: al.Event.Source, ThreadID: al.Event.ThreadID}
		if k.ThreadID != "" && !seen[k] {
			seen[k] = true
			job.threads = append(job.threads, k)
		}
	}
	in.mu.Lock()
	in.queue = append(in.queue, job)
	if in.running < in.workers {
		in.running++
		go in.loop()
	}
	in.mu.Unlock()
	select {
	case out := <-job.done:
		return out, out.err
	case <-ctx.Done():
		return ingestOut{}, ctx.Err()
	}
}

// loop stores queued jobs until none is left that it may take: a job
// whose threads another worker is storing stays queued for that worker,
// which looks at the queue again when it is done.
func (in *ingester) loop() {
	for {
		in.mu.Lock()
		batch, rest := in.take()
		in.queue = rest
		if len(batch) == 0 {
			in.running--
			in.mu.Unlock()
			return
		}
		in.mu.Unlock()
		in.run(batch)
		in.mu.Lock()
		for _, j := range batch {
			for _, k := range j.threads {
				delete(in.inflight, k)
			}
		}
		in.mu.Unlock()
	}
}

// take picks, in arrival order, up to ingestBatch queued jobs whose
// threads no other worker holds, marks their threads, and returns them
// with the jobs left queued. Call it with mu held.
func (in *ingester) take() (batch, rest []*ingestJob) {
	rest = in.queue[:0:0]
	// mine are the threads this batch holds; blocked those of jobs left
	// queued, which later jobs of the same thread must not overtake.
	mine, blocked := map[store.ThreadKey]bool{}, map[store.ThreadKey]bool{}
	for _, j := range in.queue {
		free := len(batch) < ingestBatch
		for _, k := range j.threads {
			if blocked[k] || (in.inflight[k] && !mine[k]) {
				free = false
				break
			}
		}
		if !free {
			for _, k := range j.threads {
				blocked[k] = true
			}
			rest = append(rest, j)
			continue
		}
		for _, k := range j.threads {
			in.inflight[k], mine[k] = true, true
		}
		batch = append(batch, j)
	}
	return batch, rest
}

// run stores a batch in one transaction; when that fails, each job whose
// sender still waits is tried alone so that one bad delivery does not fail
// the others. A panic fails the batch instead of the server.
func (in *ingester) run(batch []*ingestJob) {
	defer func() {
		if p := recover(); p != nil {
			in.a.log.Error("Webhook ingest panicked", "panic", p, "stack", string(debug.Stack()))
			for _, j := range batch {
				select {
				case j.done <- ingestOut{err: fmt.Errorf("webhook ingest failed: %v", p)}:
				default: // already answered
				}
			}
		}
	}()
	outs, err := in.store(batch)
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			if j.ctx.Err() != nil { // the sender is gone and will retry
				j.done <- ingestOut{err: j.ctx.Err()}
				continue
			}
			o, err := in.store([]*ingestJob{j})
			if err != nil {
				j.done <- ingestOut{err: err}
				continue
			}
			j.done <- o[0]
		}
		return
	}
	for i, j := range batch {
		if err != nil {
			j.done <- ingestOut{err: err}
			continue
		}
		j.done <- outs[i]
	}
}

// store runs one transaction for the jobs.
func (in *ingester) store(jobs []*ingestJob) ([]ingestOut, error) {
	a := in.a
	ctx, cancel := context.WithTimeout(context.WithoutCancel(jobs[0].ctx), ingestTimeout)
	defer cancel()
	var outs []ingestOut
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		r := &router{a: a, tx: tx, refs: map[string]int64{}, keys: map[int64]string{}, status: map[int64]incident.Status{}, services: map[string]int64{}, now: a.Now()}
		var err error
		if outs, err = r.storeJobs(ctx, jobs); err != nil {
			return err
		}
		return r.finish(ctx)
	})
	return outs, err
}

// router decides where each alert of a transaction goes and records what
// it did. It works on the whole batch with a few statements: one insert of
// all alerts, one read of their threads' latest alerts, one lookup per
// service and per named incident, one timeline insert and one routing
// update per incident.
type router struct {
	a        *App
	tx       *store.Store
	now      time.Time
	refs     map[string]int64 // incident refs named by payloads → id (0: none)
	keys     map[int64]string // incident id → key
	status   map[int64]incident.Status
	services map[string]int64 // service and minute → open incident id (0: none)
	changes  []incident.Change
	groups   map[auditGroup]*auditCount
	hookIDs  []int64
}

type auditGroup struct {
	hook       string
	incidentID int64
	remote     string
	requestID  string
}

type auditCount struct{ added, inbox int }

// pending is one alert of the batch on its way.
type pending struct {
	job   int
	al    *incident.Alert
	group auditGroup
	// where it goes
	incidentID int64
	by         string
	dismissed  bool
}

// storeJobs stores the jobs' alerts, oldest first so a trigger is routed
// before its resolve.
func (r *router) storeJobs(ctx context.Context, jobs []*ingestJob) ([]ingestOut, error) {
	outs := make([]ingestOut, len(jobs))
	var all []*pending
	for i, j := range jobs {
		outs[i].stored = []incident.Alert{}
		actor := incident.ActorFrom(j.ctx)
		g := auditGroup{hook: j.hook.Name, remote: actor.RemoteAddr, requestID: actor.RequestID}
		for k := range j.alerts {
			al := j.alerts[k]
			al.Service = strings.ToLower(strings.TrimSpace(al.Service))
			all = append(all, &pending{job: i, al: &al, group: g})
		}
		if !slices.Contains(r.hookIDs, j.hook.ID) {
			r.hookIDs = append(r.hookIDs, j.hook.ID)
		}
	}
	sort.SliceStable(all, func(x, y int) bool { return all[x].al.Event.OccurredAt.Before(all[y].al.Event.OccurredAt) })

	// The threads' latest alerts as they were before this batch.
	seenThread := map[store.ThreadKey]bool{}
	var threads []store.ThreadKey
	for _, p := range all {
		k := store.ThreadKey{Source: p.al.Event.Source, ThreadID: p.al.Event.ThreadID}
		if k.ThreadID != "" && !seenThread[k] {
			seenThread[k] = true
			threads = append(threads, k)
		}
	}
	heads, err := r.tx.AlertThreadHeads(ctx, threads)
	if err != nil {
		return nil, err
	}
	als := make([]*incident.Alert, len(all))
	for i, p := range all {
		als[i] = p.al
	}
	if err := r.tx.InsertAlerts(ctx, als); err != nil {
		return nil, err
	}
	// Route in time order; a thread routed earlier in the batch leads its
	// later events.
	batchThread := map[store.ThreadKey]*pending{}
	var stored []*pending
	for _, p := range all {
		if p.al.ID == 0 {
			outs[p.job].duplicates++
			continue
		}
		if err := r.route(ctx, p, heads, batchThread); err != nil {
			return nil, err
		}
		if p.al.Event.ThreadID != "" {
			batchThread[store.ThreadKey{Source: p.al.Event.Source, ThreadID: p.al.Event.ThreadID}] = p
		}
		stored = append(stored, p)
	}
	late, err := r.lateFollowUps(ctx, stored, heads)
	if err != nil {
		return nil, err
	}
	// Timeline events per incident, then the routing of their alerts.
	byIncident := map[int64][]*pending{}
	var order []int64
	var dismissed []int64
	for _, p := range append(slices.Clone(stored), late...) {
		switch {
		case p.incidentID != 0:
			if byIncident[p.incidentID] == nil {
				order = append(order, p.incidentID)
			}
			byIncident[p.incidentID] = append(byIncident[p.incidentID], p)
			if p.job < 0 { // an inbox alert leaving the inbox
				r.changes = append(r.changes, incident.Change{ObjectType: incident.ObjectAlert, ObjectID: p.al.ID,
					Op: incident.OpUpsert, CreatedAt: r.now})
			}
		case p.dismissed:
			dismissed = append(dismissed, p.al.ID)
			p.al.DismissedAt, p.al.DismissedBy = &r.now, "with its alert"
			r.changes = append(r.changes, incident.Change{ObjectType: incident.ObjectAlert, ObjectID: p.al.ID,
				Op: incident.OpUpsert, CreatedAt: r.now})
		default:
			r.changes = append(r.changes, incident.Change{ObjectType: incident.ObjectAlert, ObjectID: p.al.ID,
				Op: incident.OpUpsert, CreatedAt: r.now})
		}
	}
	for _, incID := range order {
		ps := byIncident[incID]
		// Tickets whose changes arrive here are linked to the incident, so
		// their next changes follow and a pull can refresh them.
		links := linkCollector{}
		for _, p := range ps {
			links.add(p.al.Event)
		}
		if err := r.tx.AddLinks(ctx, incID, links.list(), r.now, false); err != nil {
			return nil, err
		}
		evs := make([]incident.TimelineEvent, len(ps))
		for i, p := range ps {
			evs[i] = p.al.Event
			evs[i].CreatedAt, evs[i].UpdatedAt = r.now, r.now
		}
		added, _, err := r.tx.InsertTimelineEvents(ctx, incID, evs)
		if err != nil {
			return nil, err
		}
		eventIDs := make(map[string]int64, len(added))
		for _, e := range added {
			eventIDs[e.Source+"\x00"+e.ExternalID] = e.ID
			r.changes = append(r.changes, incident.Change{ObjectType: incident.ObjectTimelineEvent,
				ObjectID: e.ID, IncidentID: incID, Op: incident.OpUpsert, CreatedAt: r.now})
		}
		key, err := r.incidentKey(ctx, incID)
		if err != nil {
			return nil, err
		}
		byRoute := map[string][]int64{}
		for _, p := range ps {
			byRoute[p.by] = append(byRoute[p.by], p.al.ID)
			id := incID
			p.al.IncidentID, p.al.IncidentKey, p.al.RoutedBy, p.al.RoutedAt = &id, key, p.by, &r.now
			if evID, ok := eventIDs[p.al.Event.Source+"\x00"+p.al.Event.ExternalID]; ok {
				p.al.EventID = &evID
				r.count(p, incID).added++
			}
		}
		for by, ids := range byRoute {
			if err := r.tx.RouteAlerts(ctx, ids, incID, by, r.now); err != nil {
				return nil, err
			}
		}
	}
	if err := r.tx.DismissAlertIDs(ctx, dismissed, "with its alert", r.now); err != nil {
		return nil, err
	}
	for _, p := range stored {
		if p.incidentID == 0 && !p.dismissed {
			r.count(p, 0).inbox++
		}
		outs[p.job].stored = append(outs[p.job].stored, *p.al)
	}
	return outs, nil
}

// lateFollowUps finds the inbox events of an occurrence that is routed
// now: an alert routed by name or service brings along its occurrence's
// events that wait in the inbox. For a trigger those are the ones dated
// at or after it and before the alert's next trigger (a resolve delivered
// ahead of its trigger); for a follow-up that names the incident (a tag
// added to the alert later) also the occurrence's trigger and what came
// before it. They join the same incident.
func (r *router) lateFollowUps(ctx context.Context, stored []*pending, heads map[store.ThreadKey]incident.Alert) ([]*pending, error) {
	byID := make(map[int64]*pending, len(stored))
	byThread := map[store.ThreadKey][]*pending{}
	for _, p := range stored {
		byID[p.al.ID] = p
		if p.al.Event.ThreadID != "" {
			k := store.ThreadKey{Source: p.al.Event.Source, ThreadID: p.al.Event.ThreadID}
			byThread[k] = append(byThread[k], p)
		}
	}
	var late []*pending
	done := map[store.ThreadKey]bool{}
	for _, p := range stored {
		if p.incidentID == 0 || p.by == incident.RoutedThread {
			continue
		}
		k := store.ThreadKey{Source: p.al.Event.Source, ThreadID: p.al.Event.ThreadID}
		if k.ThreadID == "" || done[k] {
			continue
		}
		done[k] = true
		// The thread's waiting events: those stored before this batch (when
		// its head waits in the inbox) and this batch's own, oldest first.
		var waiting []incident.Alert
		if head, ok := heads[k]; ok && head.IncidentID == nil && head.DismissedAt == nil {
			var err error
			if waiting, err = r.tx.InboxThread(ctx, k.Source, k.ThreadID); err != nil {
				return nil, err
			}
		} else {
			for _, q := range byThread[k] {
				waiting = append(waiting, *q.al)
			}
		}
		for _, w := range occurrenceOf(waiting, p.al) {
			if q, ok := byID[w.ID]; ok {
				// This batch's own: route it along unless it went somewhere.
				if q.incidentID == 0 && !q.dismissed {
					q.incidentID, q.by = p.incidentID, incident.RoutedThread
				}
				continue
			}
			if w.DismissedAt != nil {
				continue
			}
			late = append(late, &pending{job: -1, al: &w, group: p.group, incidentID: p.incidentID, by: incident.RoutedThread})
		}
	}
	return late, nil
}

// occurrenceOf picks from a thread's events (oldest first) the occurrence
// of al: from al when it is a trigger, else from the last trigger at or
// before al, up to the next trigger after al.
func occurrenceOf(thread []incident.Alert, al *incident.Alert) []incident.Alert {
	at := al.Event.OccurredAt
	start := 0
	if recurring(al.Subtype) {
		start = len(thread)
		for i, w := range thread {
			if !w.Event.OccurredAt.Before(at) {
				start = i
				break
			}
		}
	} else {
		for i, w := range thread {
			if w.Event.OccurredAt.After(at) {
				break
			}
			if recurring(w.Subtype) {
				start = i
			}
		}
	}
	end := len(thread)
	for i := start; i < len(thread); i++ {
		if recurring(thread[i].Subtype) && thread[i].Event.OccurredAt.After(at) {
			end = i
			break
		}
	}
	return thread[start:end]
}

func ptrValue(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// recurring reports whether an alert event starts an occurrence.
func recurring(subtype string) bool {
	return subtype == importers.SubtypeTrigger || subtype == importers.SubtypeReopen
}

// count is the audit counter of p's hook and incident.
func (r *router) count(p *pending, incidentID int64) *auditCount {
	g := p.group
	g.incidentID = incidentID
	if r.groups == nil {
		r.groups = map[auditGroup]*auditCount{}
	}
	if r.groups[g] == nil {
		r.groups[g] = &auditCount{}
	}
	return r.groups[g]
}

// route picks the alert's incident: the one the payload names, else where
// the alert's earlier events went, else the open incident of its service
// that started no later than the alert plus the route window; none leaves
// it in the inbox (dismissed when its alert was).
func (r *router) route(ctx context.Context, p *pending, heads map[store.ThreadKey]incident.Alert, batch map[store.ThreadKey]*pending) error {
	al := p.al
	// A payload names an incident by its key (INC-7); a bare number could
	// be the vendor's own incident number. A new occurrence goes only into
	// a named incident that is still open.
	if ref, _ := al.Event.Metadata[importers.MetaIncident].(string); strings.TrimSpace(ref) != "" {
		id, ok := r.refs[ref]
		if !ok {
			if n, isKey := incident.ParseKey(strings.TrimSpace(ref)); isKey {
				inc, err := r.tx.IncidentByKey(ctx, incident.FormatKey(n))
				if err == nil {
					id = inc.ID
					r.keys[inc.ID], r.status[inc.ID] = inc.Key, inc.Status
				} else if !errors.Is(err, incident.ErrNotFound) {
					return err
				}
			}
			r.refs[ref] = id
		}
		if id != 0 && (!recurring(al.Subtype) || r.status[id] != incident.StatusResolved) {
			p.incidentID, p.by = id, incident.RoutedNamed
			return nil
		}
	}
	// The alert's earlier events lead its follow-ups (acknowledge, note,
	// resolve) wherever they went. A new occurrence (trigger, reopen) of a
	// recurring alert follows only into an incident still open: the alert
	// firing again after its incident was resolved, or after it was
	// dismissed, is new evidence for whatever is burning now.
	k := store.ThreadKey{Source: al.Event.Source, ThreadID: al.Event.ThreadID}
	recurs := recurring(al.Subtype)
	var (
		found         bool
		prevInc       int64
		prevDismissed bool
	)
	if prev, ok := batch[k]; ok {
		found, prevInc, prevDismissed = true, prev.incidentID, prev.dismissed
	} else if head, ok := heads[k]; ok {
		found, prevDismissed = true, head.DismissedAt != nil
		if head.IncidentID != nil {
			prevInc = *head.IncidentID
		}
	}
	if found {
		switch {
		case prevInc != 0:
			open, err := r.incidentOpen(ctx, prevInc)
			if err != nil {
				return err
			}
			if open || !recurs {
				p.incidentID, p.by = prevInc, incident.RoutedThread
				return nil
			}
		case !recurs:
			p.dismissed = prevDismissed
			return nil
		}
	}
	if al.Service != "" {
		sk := al.Service + "\x00" + al.Event.OccurredAt.Truncate(time.Minute).Format(time.RFC3339)
		id, ok := r.services[sk]
		if !ok {
			var found bool
			var err error
			// The batch shares one answer per service and minute.
			id, found, err = r.tx.OpenIncidentForService(ctx, al.Service, al.Event.OccurredAt.Add(r.a.routeWindow))
			if err != nil {
				return err
			}
			if !found {
				id = 0
			}
			r.services[sk] = id
		}
		if id != 0 {
			p.incidentID, p.by = id, incident.RoutedService
		}
	}
	return nil
}

// incidentOpen reports whether the incident is open or mitigated.
func (r *router) incidentOpen(ctx context.Context, id int64) (bool, error) {
	if st, ok := r.status[id]; ok {
		return st != incident.StatusResolved, nil
	}
	inc, err := r.tx.Incident(ctx, id)
	if errors.Is(err, incident.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.status[id], r.keys[id] = inc.Status, inc.Key
	return inc.Status != incident.StatusResolved, nil
}

func (r *router) incidentKey(ctx context.Context, id int64) (string, error) {
	if k, ok := r.keys[id]; ok {
		return k, nil
	}
	if k, ok := r.a.ingest.key(id); ok {
		return k, nil
	}
	inc, err := r.tx.Incident(ctx, id)
	if err != nil {
		return "", err
	}
	r.keys[id] = inc.Key
	r.a.ingest.rememberKey(id, inc.Key)
	return inc.Key, nil
}

// finish writes the outbox changes, one audit entry per hook and incident
// (or inbox), and the hooks' last delivery time.
func (r *router) finish(ctx context.Context) error {
	if err := r.tx.AppendChanges(ctx, r.changes...); err != nil {
		return err
	}
	entries := make([]incident.AuditEntry, 0, len(r.groups))
	for g, n := range r.groups {
		if n.added == 0 && n.inbox == 0 {
			continue
		}
		var incID *int64
		action, detail := "hook.inbox", fmt.Sprintf("%d alert(s) into the inbox", n.inbox)
		if g.incidentID != 0 {
			id := g.incidentID
			incID = &id
			action, detail = "hook.deliver", fmt.Sprintf("%d alert(s) added to the timeline", n.added)
		}
		entries = append(entries, incident.AuditEntry{Actor: "hook:" + g.hook, Action: action,
			ObjectType: incident.ObjectAlert, IncidentID: incID, Detail: detail,
			RemoteAddr: g.remote, RequestID: g.requestID, CreatedAt: r.now})
	}
	// Sorted so that the audit log reads the same on every run.
	slices.SortFunc(entries, func(x, y incident.AuditEntry) int {
		if c := strings.Compare(x.RequestID+x.Action, y.RequestID+y.Action); c != 0 {
			return c
		}
		return cmp.Compare(ptrValue(x.IncidentID), ptrValue(y.IncidentID))
	})
	if err := r.tx.AppendAudit(ctx, entries...); err != nil {
		return err
	}
	// A hook's last delivery time is kept to the minute: busy hooks do not
	// update their row in every batch.
	var stale []int64
	for _, id := range r.hookIDs {
		if r.a.ingest.touch(id, r.now) {
			stale = append(stale, id)
		}
	}
	return r.tx.TouchHooks(ctx, r.now, stale...)
}
