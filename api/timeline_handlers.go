package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// eventRequest is one event in the body of POST /incidents/:id/timeline.
type eventRequest struct {
	Source         string             `json:"source"`
	ExternalID     string             `json:"external_id"`
	OccurredAt     *timeValue         `json:"occurred_at"`
	OccurredAtText string             `json:"occurred_at_text"`
	Kind           incident.EventKind `json:"kind"`
	Actor          string             `json:"actor"`
	Body           string             `json:"body"`
	Link           string             `json:"link"`
	ThreadID       string             `json:"thread_id"`
	ParentID       string             `json:"parent_id"`
	Metadata       map[string]any     `json:"metadata"`
	KeyEvent       bool               `json:"key_event"`
	Hidden         bool               `json:"hidden"`
	// Version is read-only on create.
	Version ignored `json:"version"`

	eventReadOnly
}

// eventReadOnly are the fields of an event the server owns.
type eventReadOnly struct {
	ID                 ignored `json:"id"`
	IncidentID         ignored `json:"incident_id"`
	OriginalOccurredAt ignored `json:"original_occurred_at"`
	ImportBatchID      ignored `json:"import_batch_id"`
	CorrectedBy        ignored `json:"corrected_by"`
	CorrectedAt        ignored `json:"corrected_at"`
	CorrectionReason   ignored `json:"correction_reason"`
	CreatedAt          ignored `json:"created_at"`
	UpdatedAt          ignored `json:"updated_at"`
}

func (r eventRequest) toEvent() incident.TimelineEvent {
	var at time.Time
	if r.OccurredAt != nil {
		at = time.Time(*r.OccurredAt)
	}
	return incident.TimelineEvent{
		Source: r.Source, ExternalID: r.ExternalID, OccurredAt: at,
		OccurredAtText: r.OccurredAtText, Kind: r.Kind, Actor: r.Actor, Body: r.Body,
		Link: r.Link, ThreadID: r.ThreadID, ParentID: r.ParentID, Metadata: r.Metadata,
		KeyEvent: r.KeyEvent, Hidden: r.Hidden,
	}
}

// eventPatchRequest is the body of PATCH /incidents/:id/timeline/:event_id.
type eventPatchRequest struct {
	Version    *int                             `json:"version"`
	KeyEvent   incident.Opt[bool]               `json:"key_event"`
	Hidden     incident.Opt[bool]               `json:"hidden"`
	OccurredAt incident.Opt[*timeValue]         `json:"occurred_at"`
	Body       incident.Opt[string]             `json:"body"`
	Actor      incident.Opt[string]             `json:"actor"`
	Kind       incident.Opt[incident.EventKind] `json:"kind"`
	// Reason says why the event is corrected (kept with the correction).
	Reason incident.Opt[string] `json:"reason"`

	eventReadOnly
}

func (r eventPatchRequest) toPatch(version *int) (incident.TimelineEventPatch, error) {
	p := incident.TimelineEventPatch{
		Version: version, KeyEvent: r.KeyEvent, Hidden: r.Hidden,
		Body: r.Body, Actor: r.Actor, Kind: r.Kind, Reason: r.Reason,
	}
	if r.OccurredAt.Set {
		if r.OccurredAt.Value == nil {
			return p, incident.Invalid("occurred_at", "must not be null")
		}
		p.OccurredAt = incident.Some(time.Time(*r.OccurredAt.Value))
	}
	return p, nil
}

// decodeEvents reads one event, an array of events or {"events": [...]}.
// Field names of list members are prefixed "events[i]." like the app's.
func decodeEvents(c *gin.Context) ([]incident.TimelineEvent, error) {
	if err := requireJSON(c); err != nil {
		return nil, err
	}
	b, err := readBody(c)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(b)
	var raws []json.RawMessage
	switch {
	case trimmed[0] == '[':
		if err := decodeBytes(b, &raws, ""); err != nil {
			return nil, err
		}
	case trimmed[0] == '{' && hasMember(trimmed, "events"):
		var env struct {
			Events []json.RawMessage `json:"events"`
		}
		if err := decodeBytes(b, &env, ""); err != nil {
			return nil, err
		}
		raws = env.Events
	default:
		var req eventRequest
		if err := decodeBytes(b, &req, ""); err != nil {
			return nil, err
		}
		return []incident.TimelineEvent{req.toEvent()}, nil
	}
	evs := make([]incident.TimelineEvent, len(raws))
	verr := &incident.ValidationError{}
	for i, raw := range raws {
		prefix := ""
		if len(raws) > 1 {
			prefix = "events[" + strconv.Itoa(i) + "]."
		}
		var req eventRequest
		if err := decodeBytes(raw, &req, prefix); err != nil {
			if v, ok := err.(*incident.ValidationError); ok {
				verr.Merge("", v)
				continue
			}
			return nil, err
		}
		evs[i] = req.toEvent()
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	return evs, nil
}

// hasMember reports whether the JSON object b has a top-level member name.
func hasMember(b []byte, name string) bool {
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, ok := m[name]
	return ok
}

// listTimeline handles GET /incidents/:id/timeline.
func (s *server) listTimeline(c *gin.Context) {
	q := newQuery(c)
	f := incident.TimelineFilter{
		Sources:       q.list("source"),
		Kinds:         enums(q, "kind", incident.EventKinds, nil),
		Actor:         q.str("actor"),
		KeyOnly:       q.boolean("key_only"),
		IncludeHidden: q.boolean("include_hidden"),
		After:         q.time("after"),
		Before:        q.time("before"),
		Limit:         q.limit(),
		Cursor:        q.cursor(),
	}
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	p, err := s.svc.Timeline(c.Request.Context(), c.Param("id"), f)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toPageJSON(p, toEventJSON))
}

// appendTimeline handles POST /incidents/:id/timeline: 201 when anything
// was added, 200 when every event was already there.
func (s *server) appendTimeline(c *gin.Context) {
	evs, err := decodeEvents(c)
	if err != nil {
		s.renderError(c, err)
		return
	}
	res, err := s.svc.AppendTimeline(c.Request.Context(), c.Param("id"), evs)
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]eventJSON, len(res.Added))
	for i, e := range res.Added {
		items[i] = toEventJSON(e)
	}
	body := appendJSON{Added: len(res.Added), Duplicates: res.Duplicates, Items: items}
	if len(res.Added) == 0 {
		c.JSON(http.StatusOK, body)
		return
	}
	created(c, APIPrefix+"/incidents/"+url.PathEscape(c.Param("id"))+"/timeline", body)
}

// updateTimelineEvent handles PATCH /incidents/:id/timeline/:event_id.
func (s *server) updateTimelineEvent(c *gin.Context) {
	id, err := idParam(c, "event_id", "timeline_event")
	if err != nil {
		s.renderError(c, err)
		return
	}
	var req eventPatchRequest
	version, err := decodeVersioned(c, &req)
	if err != nil {
		s.renderError(c, err)
		return
	}
	p, err := req.toPatch(version)
	if err != nil {
		s.renderError(c, err)
		return
	}
	ev, err := s.svc.UpdateTimelineEvent(c.Request.Context(), c.Param("id"), id, p)
	if err != nil {
		s.renderError(c, err)
		return
	}
	etag(c, ev.Version)
	c.JSON(http.StatusOK, toEventJSON(ev))
}

// deleteTimelineEvent handles DELETE /incidents/:id/timeline/:event_id.
func (s *server) deleteTimelineEvent(c *gin.Context) {
	id, err := idParam(c, "event_id", "timeline_event")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if err := s.svc.DeleteTimelineEvent(c.Request.Context(), c.Param("id"), id); err != nil {
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
