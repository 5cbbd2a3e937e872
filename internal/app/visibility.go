package app

import (
	"context"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// viewerKey carries the viewer in a context.
type viewerKey struct{}

// WithViewer returns ctx carrying who is asking: every read and write of
// the app applies it. The auth layer sets it on every request.
func WithViewer(ctx context.Context, v incident.Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// viewerFrom is the viewer ctx carries. Without one — the command line on
// the data dir, background jobs, webhook ingest — the caller sees every
// incident. Requests always carry one (the auth middleware sets it).
func viewerFrom(ctx context.Context) incident.Viewer {
	if v, ok := ctx.Value(viewerKey{}).(incident.Viewer); ok {
		return v
	}
	return incident.EveryIncident
}

// visible fails with not found (naming object and ref, as the caller
// asked for it) unless the caller may see inc: an incident the caller may
// not see is answered exactly like one that does not exist, so its
// existence does not leak.
func visible(ctx context.Context, inc incident.Incident, object, ref string) error {
	if viewerFrom(ctx).CanSee(inc) {
		return nil
	}
	return incident.NotFound(object, ref)
}

// visibleChild fails with not found for an object that lives in an
// incident (an action, a root cause, an import batch) unless the caller
// may see that incident.
func visibleChild(ctx context.Context, s *store.Store, object string, id, incidentID int64) error {
	if viewerFrom(ctx).All {
		return nil
	}
	inc, err := s.Incident(ctx, incidentID)
	if err != nil {
		return notFoundAs(err, object, strconv.FormatInt(id, 10))
	}
	return visible(ctx, inc, object, strconv.FormatInt(id, 10))
}

// checkRestriction refuses a visibility that would lock the caller out of
// the incident they are writing: a caller who does not see everything
// may restrict an incident only to a list naming them or one of their
// groups. It keeps a slip from making an incident vanish for the person
// who restricted it (only an administrator could find it again).
func checkRestriction(ctx context.Context, inc incident.Incident) error {
	v := viewerFrom(ctx)
	if v.CanSee(inc) {
		return nil
	}
	if len(v.Folded()) == 0 {
		return incident.Invalid("visibility", "only a signed-in user can restrict an incident")
	}
	return incident.Invalid("restricted_to", "must name you or one of your groups ("+
		strings.Join(v.Folded(), ", ")+"), or you could no longer see the incident")
}

// visibilityChanged reports whether next is open to other people than
// cur: its visibility changed, or the list of a restricted incident did.
func visibilityChanged(cur, next incident.Incident) bool {
	if cur.Visibility != next.Visibility {
		return true
	}
	if next.Visibility != incident.VisibilityRestricted {
		return false
	}
	a, b := incident.Viewer{Principals: cur.RestrictedTo}.Folded(), incident.Viewer{Principals: next.RestrictedTo}.Folded()
	return strings.Join(a, "\x00") != strings.Join(b, "\x00")
}

// visibilityDetail describes an incident's visibility for the audit log.
func visibilityDetail(inc incident.Incident) string {
	if inc.Visibility != incident.VisibilityRestricted {
		return string(inc.Visibility)
	}
	return "restricted to " + strings.Join(inc.RestrictedTo, ", ")
}

// auditVisibility records, apart from the list of changed fields, who
// opened or closed an incident to whom: from cur's visibility to next's.
func (a *App) auditVisibility(ctx context.Context, tx *store.Store, cur, next incident.Incident) error {
	actor := incident.ActorFrom(ctx)
	id := next.ID
	return tx.AppendAudit(ctx, incident.AuditEntry{
		Actor: actor.Name, Action: "incident.visibility", ObjectType: incident.ObjectIncident, ObjectID: id,
		IncidentID: &id, Detail: visibilityDetail(cur) + " -> " + visibilityDetail(next),
		RemoteAddr: actor.RemoteAddr, RequestID: actor.RequestID, CreatedAt: a.Now(),
	})
}
