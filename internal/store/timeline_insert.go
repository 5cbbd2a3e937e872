package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// insertColumns are the columns InsertTimelineEvents writes, in order.
var insertColumns = []string{
	"incident_id", "occurred_at", "original_occurred_at", "occurred_at_text", "source", "kind",
	"actor", "body", "link", "external_id", "thread_id", "parent_id", "metadata", "key_event",
	"hidden", "import_batch_id", "corrected_by", "corrected_at", "version", "created_at", "updated_at",
}

// insertBatchRows keeps one multi-row INSERT's arguments under SQLite's
// limit of 32766; PostgreSQL gets arrays and takes larger batches.
const (
	insertBatchRows   = 1000
	insertBatchRowsPG = 5000
)

// InsertTimelineEvents adds evs to an incident's timeline, skipping every
// event whose (source, external id) the incident already has or that an
// earlier event of evs has; events without an external id are always added.
// It returns the added events (IDs, Version 1, timestamps set) in input
// order and the number skipped. Concurrent inserts of the same events are
// safe: the unique constraint decides and the loser counts a duplicate.
func (s *Store) InsertTimelineEvents(ctx context.Context, incidentID int64, evs []incident.TimelineEvent) ([]incident.TimelineEvent, int, error) {
	now := s.nowUTC()
	added := make([]incident.TimelineEvent, 0, len(evs))
	duplicates := 0
	seen := make(map[string]bool, len(evs))
	for _, e := range evs {
		if k, ok := e.DedupeKey(); ok {
			if seen[k] {
				duplicates++
				continue
			}
			seen[k] = true
		}
		e.ID, e.IncidentID, e.Version = 0, incidentID, 1
		e.OccurredAt = incident.UTC(e.OccurredAt)
		e.OriginalOccurredAt = incident.UTCPtr(e.OriginalOccurredAt)
		e.CorrectedAt = incident.UTCPtr(e.CorrectedAt)
		e.CreatedAt, e.UpdatedAt = now, now
		if e.Metadata == nil {
			e.Metadata = map[string]any{}
		}
		added = append(added, e)
	}
	if len(added) == 0 {
		return added, duplicates, nil
	}
	var kept []incident.TimelineEvent
	err := s.InTx(ctx, func(tx *Store) error {
		kept = make([]incident.TimelineEvent, 0, len(added))
		size := insertBatchRows
		if tx.dialect == DialectPostgres {
			size = insertBatchRowsPG
		}
		for start := 0; start < len(added); start += size {
			batch := added[start:min(start+size, len(added))]
			k, err := tx.insertEventBatch(ctx, batch)
			if err != nil {
				return err
			}
			kept = append(kept, k...)
		}
		return nil
	})
	if err != nil {
		if isForeignKeyViolation(err) {
			return nil, 0, incident.NotFound("incident", ref(incidentID))
		}
		return nil, 0, err
	}
	return kept, duplicates + len(added) - len(kept), nil
}

// insertEventBatch inserts a batch with one statement and returns the events
// that were stored, with their ids.
func (s *Store) insertEventBatch(ctx context.Context, batch []incident.TimelineEvent) ([]incident.TimelineEvent, error) {
	var query string
	var args []any
	if s.dialect == DialectPostgres {
		query, args = insertEventsPostgres(batch)
	} else {
		query, args = insertEventsSQLite(batch)
	}
	// Straight to database/sql: gorm would expand the PostgreSQL arrays and
	// walk 20,000 SQLite arguments one by one.
	rows, err := s.conn(ctx).Statement.ConnPool.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: insert timeline events: %w", s.translate(err))
	}
	defer rows.Close()
	// Rows with an external id are matched by it; the others never conflict
	// and got ascending ids in the order of the VALUES list, whatever order
	// RETURNING gives them back in.
	byKey := map[string]int64{}
	var anonymous []int64
	for rows.Next() {
		var id int64
		var source string
		var ext *string
		if err := rows.Scan(&id, &source, &ext); err != nil {
			return nil, err
		}
		if ext == nil {
			anonymous = append(anonymous, id)
		} else {
			byKey[source+"\x00"+*ext] = id
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: insert timeline events: %w", s.translate(err))
	}
	sort.Slice(anonymous, func(i, j int) bool { return anonymous[i] < anonymous[j] })
	kept := make([]incident.TimelineEvent, 0, len(batch))
	for _, e := range batch {
		if k, ok := e.DedupeKey(); ok {
			id, stored := byKey[k]
			if !stored {
				continue
			}
			e.ID = id
		} else {
			if len(anonymous) == 0 {
				return nil, fmt.Errorf("store: insert timeline events: fewer ids returned than rows inserted")
			}
			e.ID, anonymous = anonymous[0], anonymous[1:]
		}
		kept = append(kept, e)
	}
	return kept, nil
}

const insertConflict = " ON CONFLICT (incident_id, source, external_id) DO NOTHING RETURNING id, source, external_id"

// insertEventsSQLite builds a multi-row INSERT ... VALUES.
func insertEventsSQLite(batch []incident.TimelineEvent) (string, []any) {
	var sb strings.Builder
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(insertColumns)), ", ") + ")"
	sb.Grow(100 + len(batch)*(len(row)+2))
	sb.WriteString("INSERT INTO timeline_events (" + strings.Join(insertColumns, ", ") + ") VALUES ")
	args := make([]any, 0, len(batch)*len(insertColumns))
	for i, e := range batch {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(row)
		r := toEventRecord(e)
		meta, _ := r.Metadata.Value()
		args = append(args, r.IncidentID, formatTime(time.Time(r.OccurredAt)), textTime(r.OriginalOccurredAt),
			r.OccurredAtText, r.Source, r.Kind, r.Actor, r.Body, r.Link, r.ExternalID, r.ThreadID, r.ParentID,
			meta, r.KeyEvent, r.Hidden, r.ImportBatchID, r.CorrectedBy, textTime(r.CorrectedAt), r.Version,
			formatTime(time.Time(r.CreatedAt)), formatTime(time.Time(r.UpdatedAt)))
	}
	sb.WriteString(insertConflict)
	return sb.String(), args
}

func textTime(t *dbTime) any {
	if t == nil {
		return nil
	}
	return formatTime(time.Time(*t))
}

// insertEventsPostgres builds INSERT ... SELECT FROM unnest(arrays): one
// parameter per column instead of one per value, which PostgreSQL parses and
// binds several times faster. The rows come out of unnest in array order.
func insertEventsPostgres(batch []incident.TimelineEvent) (string, []any) {
	n := len(batch)
	var (
		occurred, created, updated            = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
		original, corrected                   = make([]*time.Time, n), make([]*time.Time, n)
		text, source, kind, actor, body, link = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		thread, parent, meta, correctedBy     = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		external                              = make([]*string, n)
		keyEvent, hidden                      = make([]bool, n), make([]bool, n)
		batchID                               = make([]*int64, n)
	)
	for i, e := range batch {
		r := toEventRecord(e)
		m, _ := r.Metadata.Value()
		occurred[i], original[i], text[i] = time.Time(r.OccurredAt), fromDBPtr(r.OriginalOccurredAt), r.OccurredAtText
		source[i], kind[i], actor[i], body[i], link[i] = r.Source, r.Kind, r.Actor, r.Body, r.Link
		external[i], thread[i], parent[i], meta[i] = r.ExternalID, r.ThreadID, r.ParentID, m.(string)
		keyEvent[i], hidden[i], batchID[i] = r.KeyEvent, r.Hidden, r.ImportBatchID
		correctedBy[i], corrected[i] = r.CorrectedBy, fromDBPtr(r.CorrectedAt)
		created[i], updated[i] = time.Time(r.CreatedAt), time.Time(r.UpdatedAt)
	}
	query := "INSERT INTO timeline_events (" + strings.Join(insertColumns, ", ") + ") " +
		"SELECT $1::bigint, u.* FROM unnest($2::timestamptz[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], " +
		"$7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::boolean[], " +
		"$15::boolean[], $16::bigint[], $17::text[], $18::timestamptz[], $19::integer[], $20::timestamptz[], $21::timestamptz[]) AS u" +
		insertConflict
	versions := make([]int32, n)
	for i := range versions {
		versions[i] = int32(batch[i].Version)
	}
	return query, []any{batch[0].IncidentID, occurred, original, text, source, kind, actor, body, link, external,
		thread, parent, meta, keyEvent, hidden, batchID, correctedBy, corrected, versions, created, updated}
}
