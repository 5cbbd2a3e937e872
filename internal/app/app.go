// Package app holds the use cases: each public method does one thing a user
// asks for, in one transaction, and records the outbox change and the audit
// entry with it. The api and cmd packages both call it.
package app

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/dashboard"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/markdown"
	"github.com/hindsightrca/hindsight/internal/store"
	"github.com/hindsightrca/hindsight/search"
	"github.com/hindsightrca/hindsight/templates"
)

// Options configures an App.
type Options struct {
	// Now is the clock; tests pass a fixed one. Default time.Now.
	Now func() time.Time
	// Logger receives operational messages. Default slog.Default().
	Logger *slog.Logger
	// Location is the time zone whose calendar day decides whether an
	// action is overdue. Default time.Local.
	Location *time.Location
	// Templates are the file templates (built-in and HINDSIGHT_TEMPLATES_DIR);
	// custom ones come from the store. Default: the built-ins.
	Templates *templates.Registry
	// ChromiumPath is the browser PDF exports print with
	// (HINDSIGHT_CHROMIUM_PATH). Empty: chromium, chromium-browser or
	// google-chrome on PATH.
	ChromiumPath string
	// Markdown renders section text for reports and exports. Default markdown.New().
	Markdown *markdown.Renderer
	// Hooks are the live webhook parsers offered under /api/v1/hooks.
	Hooks *importers.HookRegistry
	// HookRouteWindow is how long before an open incident's start an alert
	// of one of its services is still routed to it. Default 1h.
	HookRouteWindow time.Duration
	// Search is the search index (nil in commands that do not open one).
	Search *search.Index
	// Tickets configures ticket sync (see tickets.go). Zero: off.
	Tickets TicketOptions
	// Dashboard is the dashboards' in-memory projection over the same
	// store (nil: they are computed in SQL). Until it is loaded, they are
	// computed in SQL too.
	Dashboard *dashboard.Projection
}

// App is the set of use cases over one store.
type App struct {
	store *store.Store
	now   func() time.Time
	log   *slog.Logger
	loc   *time.Location
	tmpls *templates.Registry
	// chromium is the configured browser for PDF exports ("" looks it up).
	chromium string
	md       *markdown.Renderer
	// hooks, routeWindow, hookCache and ingest serve live webhooks.
	hooks       *importers.HookRegistry
	routeWindow time.Duration
	hookCache   *hookCache
	ingest      *ingester
	// search is the index searches and similar incidents use (may be nil).
	search *search.Index
	// recur remembers when incidents were last checked for recurrence.
	recur *recurrenceChecker
	// tokenTouched remembers when this process last recorded each API
	// token's use (token id → time), so most requests write nothing.
	tokenTouched sync.Map
	// refusals bounds the audit entries of unauthenticated refusals per
	// client address (AuditRefused).
	refusals refusalBudget
	// jobHolder is this process's id in scheduled jobs' leases (RunJob).
	jobHolder string
	// reminders is the reminder configuration (SetReminders).
	reminders reminderState
	// ticketOpts configures ticket sync.
	ticketOpts TicketOptions
	// dash computes the dashboards when loaded (may be nil).
	dash *dashboard.Projection
}

// New returns an App over s.
func New(s *store.Store, opts Options) *App {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Templates == nil {
		opts.Templates = templates.MustBuiltin()
	}
	if opts.Markdown == nil {
		opts.Markdown = markdown.New()
	}
	if opts.HookRouteWindow <= 0 {
		opts.HookRouteWindow = time.Hour
	}
	a := &App{store: s, now: opts.Now, log: opts.Logger, loc: opts.Location, tmpls: opts.Templates,
		chromium: opts.ChromiumPath, md: opts.Markdown, hooks: opts.Hooks, routeWindow: opts.HookRouteWindow,
		hookCache: newHookCache(), search: opts.Search, ticketOpts: opts.Tickets, jobHolder: newJobHolder(),
		dash: opts.Dashboard}
	a.recur = newRecurrenceChecker()
	a.ingest = newIngester(a)
	return a
}

// Ping reports whether the database answers.
func (a *App) Ping(ctx context.Context) error { return a.store.Ping(ctx) }

// Now returns the current time of the app's clock, in UTC.
func (a *App) Now() time.Time { return incident.UTC(a.now()) }

// Today is the calendar day in the configured time zone, what due dates are
// judged against.
func (a *App) Today() incident.Date { return incident.DateOf(a.now().In(a.loc)) }

// resolve finds an incident by numeric id or key ("INC-42") that the
// caller may see (see viewerFrom): one it may not see is not found, like
// one that does not exist. Every use case that names an incident goes
// through here, so none can read or write an incident hidden from the
// caller.
func (a *App) resolve(ctx context.Context, s *store.Store, ref string) (incident.Incident, error) {
	ref = strings.TrimSpace(ref)
	var (
		inc incident.Incident
		err error
	)
	if n, ok := incident.ParseKey(ref); ok {
		inc, err = s.IncidentByKey(ctx, incident.FormatKey(n))
	} else if id, perr := strconv.ParseInt(ref, 10, 64); perr != nil || id <= 0 {
		return incident.Incident{}, incident.NotFound("incident", ref)
	} else {
		inc, err = s.Incident(ctx, id)
	}
	if err != nil {
		return incident.Incident{}, notFoundAs(err, "incident", ref)
	}
	if err := visible(ctx, inc, "incident", ref); err != nil {
		return incident.Incident{}, err
	}
	return inc, nil
}

// lockIncident resolves ref inside tx and takes the incident's row lock (see
// store.LockIncident), returning the incident as it is under the lock —
// checked again there, so a restriction written in between is honoured.
func (a *App) lockIncident(ctx context.Context, tx *store.Store, ref string) (incident.Incident, error) {
	inc, err := a.resolve(ctx, tx, ref)
	if err != nil {
		return incident.Incident{}, err
	}
	if inc, err = tx.LockIncident(ctx, inc.ID); err != nil {
		return incident.Incident{}, notFoundAs(err, "incident", ref)
	}
	if err := visible(ctx, inc, "incident", ref); err != nil {
		return incident.Incident{}, err
	}
	return inc, nil
}

// notFoundAs rewrites a not-found error to name the reference the user gave.
func notFoundAs(err error, object, ref string) error {
	if errors.Is(err, incident.ErrNotFound) {
		return incident.NotFound(object, ref)
	}
	return err
}

// record writes the outbox change and the audit entry of one write, inside
// the caller's transaction.
func (a *App) record(ctx context.Context, tx *store.Store, action, objectType string, objectID, incidentID int64, op, detail string) error {
	now := a.Now()
	if err := tx.AppendChanges(ctx, incident.Change{
		ObjectType: objectType, ObjectID: objectID, IncidentID: incidentID, Op: op, CreatedAt: now,
	}); err != nil {
		return err
	}
	actor := incident.ActorFrom(ctx)
	var incID *int64
	if incidentID != 0 {
		incID = &incidentID
	}
	return tx.AppendAudit(ctx, incident.AuditEntry{
		Actor: actor.Name, Action: action, ObjectType: objectType, ObjectID: objectID,
		IncidentID: incID, Detail: detail, RemoteAddr: actor.RemoteAddr, RequestID: actor.RequestID,
		CreatedAt: now,
	})
}

// retries is how often an update without a client version is retried when a
// concurrent write slipped in between read and write.
const retries = 3

// withRetry runs fn again when it fails with a conflict and the client did
// not ask for a version check (so the conflict is ours, not theirs).
func withRetry[T any](clientVersion *int, fn func() (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	for range retries {
		v, err = fn()
		if clientVersion != nil || !errors.Is(err, incident.ErrConflict) {
			return v, err
		}
	}
	return v, err
}

// checkVersion returns a conflict when the client edited an older version.
func checkVersion(object string, clientVersion *int, current int, cur any) error {
	if clientVersion != nil && *clientVersion != current {
		return &incident.ConflictError{Object: object, Current: cur}
	}
	return nil
}

// limit brings a page size into range.
func limit(n int) int {
	switch {
	case n <= 0:
		return incident.DefaultLimit
	case n > incident.MaxLimit:
		return incident.MaxLimit
	}
	return n
}

// page trims the extra row a store list returns and builds the next cursor.
func page[T any](items []T, total, n int, cursor func(T) incident.Cursor) incident.Page[T] {
	p := incident.Page[T]{Items: items, Total: total}
	if len(items) > n {
		p.Items = items[:n]
		p.NextCursor = incident.EncodeCursor(cursor(items[n-1]))
	}
	return p
}

// lockedChild loads an object that lives in an incident (an action, a root
// cause), takes the incident's row lock, checks the caller may see the
// incident and reads the object again as it is under the lock, so the
// version check that follows cannot race.
func lockedChild[T any](ctx context.Context, tx *store.Store, object string, id int64,
	load func(context.Context, int64) (T, error), incidentOf func(T) int64) (T, incident.Incident, error) {
	var zero T
	cur, err := load(ctx, id)
	if err != nil {
		return zero, incident.Incident{}, notFoundAs(err, object, strconv.FormatInt(id, 10))
	}
	inc, err := tx.LockIncident(ctx, incidentOf(cur))
	if err != nil {
		return zero, incident.Incident{}, notFoundAs(err, object, strconv.FormatInt(id, 10))
	}
	// An object in an incident the caller may not see does not exist
	// for the caller either.
	if err := visible(ctx, inc, object, strconv.FormatInt(id, 10)); err != nil {
		return zero, incident.Incident{}, err
	}
	if cur, err = load(ctx, id); err != nil {
		return zero, incident.Incident{}, notFoundAs(err, object, strconv.FormatInt(id, 10))
	}
	return cur, inc, nil
}
