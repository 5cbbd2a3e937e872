package app

import (
	"context"
	"errors"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// filledCheck decides which sections of r count as written for publishing.
// A section is filled when its text is not blank and is not still the
// starting text its template put there (revision 1 of an RCA created from a
// template), or when it shows a block whose records exist: starred key
// events for the timeline, recorded root causes, corrective actions. So a
// pre-filled scaffold cannot be published unread, and the structured
// records count as the content they are.
func (a *App) filledCheck(ctx context.Context, tx *store.Store, r incident.RCA) (func(incident.Section) bool, error) {
	starter := map[string]string{}
	first, err := tx.RCARevision(ctx, r.ID, 1)
	switch {
	case errors.Is(err, incident.ErrNotFound):
	case err != nil:
		return nil, err
	case strings.HasPrefix(first.Reason, templateReasonPrefix):
		for _, s := range first.Sections {
			starter[s.Key] = strings.TrimSpace(s.Body)
		}
	}
	records := map[incident.Block]bool{}
	for _, s := range r.Sections {
		if !s.Required || s.Block == incident.BlockNone {
			continue
		}
		if _, done := records[s.Block]; done {
			continue
		}
		has, err := blockHasRecords(ctx, tx, r.IncidentID, s.Block)
		if err != nil {
			return nil, err
		}
		records[s.Block] = has
	}
	return func(s incident.Section) bool {
		body := strings.TrimSpace(s.Body)
		if body != "" {
			if st, ok := starter[s.Key]; !ok || body != st {
				return true
			}
		}
		return records[s.Block]
	}, nil
}

// blockHasRecords reports whether the incident has any record a block shows.
func blockHasRecords(ctx context.Context, tx *store.Store, incidentID int64, b incident.Block) (bool, error) {
	switch b {
	case incident.BlockTimeline:
		_, n, err := tx.TimelineEvents(ctx, incident.TimelineFilter{IncidentID: incidentID, KeyOnly: true, Limit: 1})
		return n > 0, err
	case incident.BlockRootCauses:
		rcs, err := tx.RootCauses(ctx, incidentID)
		return len(rcs) > 0, err
	case incident.BlockActions:
		// The caller has checked the incident: count all of its actions.
		_, n, err := tx.Actions(ctx, incident.ActionFilter{IncidentID: incidentID, Limit: 1, Viewer: incident.EveryIncident})
		return n > 0, err
	}
	return false, nil
}
