package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// changeRecord is a row of changes, the outbox the search indexers follow.
type changeRecord struct {
	Seq        int64  `gorm:"column:seq;primaryKey"`
	ObjectType string `gorm:"column:object_type"`
	ObjectID   int64  `gorm:"column:object_id"`
	IncidentID int64  `gorm:"column:incident_id"`
	Op         string `gorm:"column:op"`
	CreatedAt  dbTime `gorm:"column:created_at;autoCreateTime:false"`
}

func (changeRecord) TableName() string { return "changes" }

// changesLockKey is the PostgreSQL advisory lock that orders outbox writers.
const changesLockKey = 0x68696e6473696768 // "hindsigh"

// DefaultChangesLimit is how many changes Changes returns when asked for 0.
const DefaultChangesLimit = 1000

// AppendChanges adds rows to the outbox (CreatedAt defaults to now).
//
// An indexer reads changes after the last sequence number it applied, so a
// change must never become visible after one with a higher number. On
// PostgreSQL sequence numbers are handed out before commit, and transactions
// commit in any order; so AppendChanges first takes a transaction-scoped
// advisory lock, held until commit, which makes outbox writers commit in
// sequence order. Call it last in a transaction, so the lock is held briefly.
// (SQLite has one writer at a time and needs no lock.)
func (s *Store) AppendChanges(ctx context.Context, chs ...incident.Change) error {
	if len(chs) == 0 {
		return nil
	}
	now := s.nowUTC()
	recs := make([]changeRecord, len(chs))
	for i, c := range chs {
		at := c.CreatedAt
		if at.IsZero() {
			at = now
		}
		recs[i] = changeRecord{ObjectType: c.ObjectType, ObjectID: c.ObjectID, IncidentID: c.IncidentID, Op: c.Op, CreatedAt: toDB(at)}
	}
	return s.InTx(ctx, func(tx *Store) error {
		if tx.dialect == DialectPostgres {
			if err := tx.conn(ctx).Exec("SELECT pg_advisory_xact_lock(?)", int64(changesLockKey)).Error; err != nil {
				return fmt.Errorf("store: lock changes: %w", err)
			}
		}
		if err := tx.conn(ctx).Create(&recs).Error; err != nil {
			return fmt.Errorf("store: append changes: %w", err)
		}
		return nil
	})
}

// Changes returns up to limit changes with a sequence number above
// afterSeq, in sequence order.
func (s *Store) Changes(ctx context.Context, afterSeq int64, limit int) ([]incident.Change, error) {
	if limit <= 0 {
		limit = DefaultChangesLimit
	}
	var recs []changeRecord
	if err := s.conn(ctx).Where("seq > ?", afterSeq).Order("seq").Limit(limit).Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: changes: %w", err)
	}
	out := make([]incident.Change, len(recs))
	for i, r := range recs {
		out[i] = incident.Change{Seq: r.Seq, ObjectType: r.ObjectType, ObjectID: r.ObjectID, IncidentID: r.IncidentID, Op: r.Op, CreatedAt: time.Time(r.CreatedAt)}
	}
	return out, nil
}
