package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// MaxIncidentActors bounds how many distinct timeline actors IncidentPeople
// reads, so an incident with a huge imported chat stays cheap to lint.
const MaxIncidentActors = 5000

// IncidentPeople returns the distinct, non-empty names of the people of an
// incident: its commander, the actors of its timeline events (at most
// MaxIncidentActors of them), the owners of its corrective actions and the
// reviewers of its RCA. Names are trimmed and sorted; it only reads.
func (s *Store) IncidentPeople(ctx context.Context, incidentID int64) ([]string, error) {
	var commander []string
	if err := s.conn(ctx).Model(&incidentRecord{}).Where("id = ?", incidentID).
		Limit(1).Pluck("commander", &commander).Error; err != nil {
		return nil, fmt.Errorf("store: incident commander: %w", err)
	}
	var actors []string
	if err := s.conn(ctx).Model(&timelineEventRecord{}).Distinct("actor").
		Where("incident_id = ? AND actor <> ''", incidentID).
		Order("actor").Limit(MaxIncidentActors).Pluck("actor", &actors).Error; err != nil {
		return nil, fmt.Errorf("store: incident actors: %w", err)
	}
	var owners []string
	if err := s.conn(ctx).Model(&actionRecord{}).Distinct("owner").
		Where("incident_id = ? AND owner <> ''", incidentID).Pluck("owner", &owners).Error; err != nil {
		return nil, fmt.Errorf("store: incident action owners: %w", err)
	}
	var reviewers []string
	if err := s.conn(ctx).Model(&rcaReviewRecord{}).Distinct("rca_reviews.reviewer").
		Joins("JOIN rcas ON rcas.id = rca_reviews.rca_id").
		Where("rcas.incident_id = ? AND rca_reviews.reviewer <> ''", incidentID).
		Pluck("rca_reviews.reviewer", &reviewers).Error; err != nil {
		return nil, fmt.Errorf("store: incident reviewers: %w", err)
	}

	seen := map[string]bool{}
	out := []string{}
	for _, list := range [][]string{commander, actors, owners, reviewers} {
		for _, n := range list {
			n = strings.TrimSpace(n)
			if n == "" || seen[n] {
				continue
			}
			seen[n] = true
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out, nil
}
