package incident

import (
	"slices"
	"testing"
)

func TestTouchedIncidents(t *testing.T) {
	chs := []Change{
		{ObjectType: ObjectAction, ObjectID: 7, IncidentID: 3},
		{ObjectType: ObjectIncident, ObjectID: 5, Op: OpDelete}, // an incident's own change names it by object id
		{ObjectType: ObjectTimelineEvent, ObjectID: 9, IncidentID: 3},
		{ObjectType: ObjectImportBatch, ObjectID: 2}, // about no incident
		{ObjectType: ObjectRCA, ObjectID: 4, IncidentID: 1},
	}
	if got, want := TouchedIncidents(chs), []int64{3, 5, 1}; !slices.Equal(got, want) {
		t.Errorf("TouchedIncidents = %v, want %v", got, want)
	}
	if got := TouchedIncidents(nil); len(got) != 0 {
		t.Errorf("TouchedIncidents(nil) = %v", got)
	}
}
