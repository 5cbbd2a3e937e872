package incident

import "time"

// ImportBatch records one import into an incident's timeline, so it can be
// reported on and undone.
type ImportBatch struct {
	ID         int64
	IncidentID int64
	Source     string
	FileName   string
	SHA256     string
	WindowFrom *time.Time
	WindowTo   *time.Time
	Added      int
	Duplicates int
	Rejected   int
	CreatedBy  string
	CreatedAt  time.Time
	UndoneAt   *time.Time
}

// Change is one row of the outbox: a searchable object changed. It is written
// in the same transaction as the change, and indexers apply them in Seq order.
type Change struct {
	Seq        int64
	ObjectType string // ObjectIncident, ObjectTimelineEvent, ...
	ObjectID   int64
	IncidentID int64
	Op         string // OpUpsert or OpDelete
	CreatedAt  time.Time
}

// TouchedIncidents lists the incidents the changes touched, each once, in
// the order of their first change: a change's incident, or for a change of
// an incident itself its object id.
func TouchedIncidents(chs []Change) []int64 {
	seen := make(map[int64]bool, len(chs))
	var ids []int64
	for _, c := range chs {
		id := c.IncidentID
		if id == 0 && c.ObjectType == ObjectIncident {
			id = c.ObjectID
		}
		if id == 0 || seen[id] {
			continue
		}
		seen[id] = true
		ids = append(ids, id)
	}
	return ids
}

// Object types named by changes and audit entries.
const (
	ObjectIncident      = "incident"
	ObjectTimelineEvent = "timeline_event"
	ObjectRCA           = "rca"
	ObjectRootCause     = "root_cause"
	ObjectAction        = "action"
	ObjectImportBatch   = "import_batch"
)

// Change operations.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// AuditEntry says who did what to which object, when, and from where.
type AuditEntry struct {
	ID         int64
	Actor      string
	Action     string // "incident.create", "action.update", ...
	ObjectType string
	ObjectID   int64
	IncidentID *int64
	Detail     string // a short human-readable note or JSON of changed fields
	RemoteAddr string
	RequestID  string
	CreatedAt  time.Time
}
