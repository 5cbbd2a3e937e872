package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

// TestStore_AuditLogVisibility: the audit log leaves out the entries of an
// incident the reader may not see, and those of deleted incidents (they
// may name what a restricted incident was about) unless the reader sees
// everything; entries about no incident are for every reader.
func TestStore_AuditLogVisibility(t *testing.T) {
	forEachDB(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		restricted := func(title string) incident.Incident {
			i := newIncident(title)
			i.Visibility, i.RestrictedTo = incident.VisibilityRestricted, []string{"Security"}
			i.Normalize()
			return createIncident(t, s, i)
		}
		open := createIncident(t, s, newIncident("open"))
		sec := restricted("secret")
		gone := restricted("deleted secret")
		entry := func(action string, inc *incident.Incident) {
			e := incident.AuditEntry{Actor: "ana", Action: action}
			if inc != nil {
				id := inc.ID
				e.IncidentID = &id
			}
			if err := s.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		entry("user.login", nil)
		entry("incident.update.open", &open)
		entry("incident.update.secret", &sec)
		entry("incident.delete", &gone)
		if err := s.DeleteIncident(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			v    incident.Viewer
			want []string
		}{
			{"zero viewer", incident.Viewer{}, []string{"incident.update.open", "user.login"}},
			{"outsider", incident.Viewer{Principals: []string{"ops"}}, []string{"incident.update.open", "user.login"}},
			{"member", incident.Viewer{Principals: []string{"SECURITY"}}, []string{"incident.update.secret", "incident.update.open", "user.login"}},
			{"everything", incident.EveryIncident, []string{"incident.delete", "incident.update.secret", "incident.update.open", "user.login"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				es, err := s.AuditLog(ctx, incident.AuditFilter{Viewer: tc.v})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, e := range es {
					got = append(got, e.Action)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("entries = %v, want %v", got, tc.want)
				}
			})
		}
	})
}
