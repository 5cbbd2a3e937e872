package app

import (
	"context"
	"errors"
	"fmt"
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
type ingester struct {
	a       *App
	mu      sync.Mutex
	queue   []*ingestJob
	running bool
}

type ingestJob struct {
	ctx    context.Context
	hook   incident.Hook
	alerts []incident.Alert
	done   chan ingestOut
}

type ingestOut struct {
	stored     []incident.Alert
	duplicates int
	err        error
}

func newIngester(a *App) *ingester { return &ingester{a: a} }

// submit queues alerts and waits until they are stored. When ctx ends
// first the alerts may still be stored: the sender retries, and the
// retry is a duplicate.
func (in *ingester) submit(ctx context.Context, h incident.Hook, alerts []incident.Alert) (ingestOut, error) {
	job := &ingestJob{ctx: ctx, hook: h, alerts: alerts, done: make(chan ingestOut, 1)}
	in.mu.Lock()
	in.queue = append(in.queue, job)
	if !in.running {
		in.running = true
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

// loop stores queued jobs until the queue is empty.
func (in *ingester) loop() {
	for {
		in.mu.Lock()
		if len(in.queue) == 0 {
			in.running = false
			in.mu.Unlock()
			return
		}
		n := min(len(in.queue), ingestBatch)
		batch := in.queue[:n:n]
		in.queue = in.queue[n:]
		in.mu.Unlock()
		in.run(batch)
	}
}

// run stores a batch in one transaction; when that fails, each job is
// tried alone so that one bad delivery does not fail the others.
func (in *ingester) run(batch []*ingestJob) {
	outs, err := in.store(batch)
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
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
	outs := make([]ingestOut, len(jobs))
	err := a.store.InTx(ctx, func(tx *store.Store) error {
		r := &router{a: a, tx: tx, refs: map[string]int64{}, now: a.Now()}
		for i, j := range jobs {
			o, err := r.storeJob(ctx, j)
			if err != nil {
				return err
			}
			outs[i] = o
		}
		return r.finish(ctx)
	})
	return outs, err
}

// router decides where each alert of a transaction goes and records what
// it did.
type router struct {
	a       *App
	tx      *store.Store
	now     time.Time
	refs    map[string]int64 // incident refs named by payloads → id (0: none)
	changes []incident.Change
	groups  map[auditGroup]*auditCount
	hookIDs []int64
}

type auditGroup struct {
	hook       string
	incidentID int64
	remote     string
	requestID  string
}

type auditCount struct{ added, inbox int }

// storeJob stores one delivery's alerts, oldest first so a trigger is
// routed before its resolve.
func (r *router) storeJob(ctx context.Context, j *ingestJob) (ingestOut, error) {
	alerts := append([]incident.Alert(nil), j.alerts...)
	sort.SliceStable(alerts, func(x, y int) bool { return alerts[x].Event.OccurredAt.Before(alerts[y].Event.OccurredAt) })
	out := ingestOut{stored: []incident.Alert{}}
	actor := incident.ActorFrom(j.ctx)
	for _, al := range alerts {
		al.Service = strings.ToLower(strings.TrimSpace(al.Service))
		ok, err := r.tx.InsertAlert(ctx, &al)
		if err != nil {
			return ingestOut{}, err
		}
		if !ok {
			out.duplicates++
			continue
		}
		incID, by, dismissed, err := r.route(ctx, al)
		if err != nil {
			return ingestOut{}, err
		}
		g := auditGroup{hook: j.hook.Name, incidentID: incID, remote: actor.RemoteAddr, requestID: actor.RequestID}
		if r.groups == nil {
			r.groups = map[auditGroup]*auditCount{}
		}
		if r.groups[g] == nil {
			r.groups[g] = &auditCount{}
		}
		switch {
		case incID != 0:
			ev := al.Event
			ev.CreatedAt, ev.UpdatedAt = r.now, r.now
			added, _, err := r.tx.InsertTimelineEvents(ctx, incID, []incident.TimelineEvent{ev})
			if err != nil {
				return ingestOut{}, err
			}
			var evID *int64
			if len(added) == 1 {
				evID = &added[0].ID
				r.changes = append(r.changes, incident.Change{ObjectType: incident.ObjectTimelineEvent,
					ObjectID: added[0].ID, IncidentID: incID, Op: incident.OpUpsert, CreatedAt: r.now})
				r.groups[g].added++
			}
			if err := r.tx.RouteAlert(ctx, al.ID, incID, evID, by, r.now); err != nil {
				return ingestOut{}, err
			}
			al.IncidentID, al.EventID, al.RoutedBy, al.RoutedAt = &incID, evID, by, &r.now
			if key, err := r.incidentKey(ctx, incID); err == nil {
				al.IncidentKey = key
			}
		case dismissed:
			if err := r.tx.DismissAlert(ctx, al.ID, "with its alert", r.now); err != nil {
				return ingestOut{}, err
			}
			al.DismissedAt, al.DismissedBy = &r.now, "with its alert"
			r.groups[g].inbox++
		default:
			r.changes = append(r.changes, incident.Change{ObjectType: incident.ObjectAlert, ObjectID: al.ID,
				Op: incident.OpUpsert, CreatedAt: r.now})
			r.groups[g].inbox++
		}
		out.stored = append(out.stored, al)
	}
	r.hookIDs = append(r.hookIDs, j.hook.ID)
	return out, nil
}

// route picks the alert's incident: the one the payload names, else where
// the alert's earlier events went, else the open incident of its service
// that started no later than the alert plus the route window; 0 leaves it
// in the inbox (dismissed when its alert was).
func (r *router) route(ctx context.Context, al incident.Alert) (incidentID int64, by string, dismissed bool, err error) {
	if ref, _ := al.Event.Metadata[importers.MetaIncident].(string); strings.TrimSpace(ref) != "" {
		id, ok := r.refs[ref]
		if !ok {
			inc, err := r.a.resolve(ctx, r.tx, ref)
			if err == nil {
				id = inc.ID
			} else if !errors.Is(err, incident.ErrNotFound) {
				return 0, "", false, err
			}
			r.refs[ref] = id
		}
		if id != 0 {
			return id, incident.RoutedNamed, false, nil
		}
	}
	head, ok, err := r.tx.AlertThreadHead(ctx, al.Event.Source, al.Event.ThreadID, al.ID)
	if err != nil {
		return 0, "", false, err
	}
	if ok {
		if head.IncidentID != nil {
			return *head.IncidentID, incident.RoutedThread, false, nil
		}
		return 0, "", head.DismissedAt != nil, nil
	}
	if al.Service != "" {
		id, ok, err := r.tx.OpenIncidentForService(ctx, al.Service, al.Event.OccurredAt.Add(r.a.routeWindow))
		if err != nil {
			return 0, "", false, err
		}
		if ok {
			return id, incident.RoutedService, false, nil
		}
	}
	return 0, "", false, nil
}

func (r *router) incidentKey(ctx context.Context, id int64) (string, error) {
	inc, err := r.tx.Incident(ctx, id)
	if err != nil {
		return "", err
	}
	return inc.Key, nil
}

// finish writes the outbox changes, one audit entry per hook and incident
// (or inbox), and the hooks' last delivery time.
func (r *router) finish(ctx context.Context) error {
	if err := r.tx.AppendChanges(ctx, r.changes...); err != nil {
		return err
	}
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
		err := r.tx.AppendAudit(ctx, incident.AuditEntry{Actor: "hook:" + g.hook, Action: action,
			ObjectType: incident.ObjectAlert, IncidentID: incID, Detail: detail,
			RemoteAddr: g.remote, RequestID: g.requestID, CreatedAt: r.now})
		if err != nil {
			return err
		}
	}
	return r.tx.TouchHooks(ctx, r.now, r.hookIDs...)
}
