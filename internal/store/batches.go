package store

import (
	"context"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// importBatchRecord is a row of import_batches.
type importBatchRecord struct {
	ID         int64   `gorm:"column:id;primaryKey"`
	IncidentID int64   `gorm:"column:incident_id"`
	Source     string  `gorm:"column:source"`
	FileName   string  `gorm:"column:file_name"`
	SHA256     string  `gorm:"column:sha256"`
	WindowFrom *dbTime `gorm:"column:window_from"`
	WindowTo   *dbTime `gorm:"column:window_to"`
	Added      int     `gorm:"column:added"`
	Duplicates int     `gorm:"column:duplicates"`
	Rejected   int     `gorm:"column:rejected"`
	CreatedBy  string  `gorm:"column:created_by"`
	CreatedAt  dbTime  `gorm:"column:created_at;autoCreateTime:false"`
	UndoneAt   *dbTime `gorm:"column:undone_at"`
}

func (importBatchRecord) TableName() string { return "import_batches" }

func (r importBatchRecord) domain() incident.ImportBatch {
	return incident.ImportBatch{
		ID: r.ID, IncidentID: r.IncidentID, Source: r.Source, FileName: r.FileName, SHA256: r.SHA256,
		WindowFrom: fromDBPtr(r.WindowFrom), WindowTo: fromDBPtr(r.WindowTo),
		Added: r.Added, Duplicates: r.Duplicates, Rejected: r.Rejected,
		CreatedBy: r.CreatedBy, CreatedAt: time.Time(r.CreatedAt), UndoneAt: fromDBPtr(r.UndoneAt),
	}
}

// CreateImportBatch inserts b and sets its ID and CreatedAt (kept when set).
// Create the batch first, give its ID to the events, then record the counts
// with SetImportBatchCounts.
func (s *Store) CreateImportBatch(ctx context.Context, b *incident.ImportBatch) error {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = s.nowUTC()
	}
	rec := importBatchRecord{
		IncidentID: b.IncidentID, Source: b.Source, FileName: b.FileName, SHA256: b.SHA256,
		WindowFrom: toDBPtr(b.WindowFrom), WindowTo: toDBPtr(b.WindowTo),
		Added: b.Added, Duplicates: b.Duplicates, Rejected: b.Rejected,
		CreatedBy: b.CreatedBy, CreatedAt: toDB(b.CreatedAt), UndoneAt: toDBPtr(b.UndoneAt),
	}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		if isForeignKeyViolation(err) {
			return incident.NotFound("incident", ref(b.IncidentID))
		}
		return fmt.Errorf("store: create import batch: %w", err)
	}
	*b = rec.domain()
	return nil
}

// SetImportBatchCounts records what an import did.
func (s *Store) SetImportBatchCounts(ctx context.Context, id int64, added, duplicates, rejected int) error {
	res := s.conn(ctx).Model(&importBatchRecord{}).Where("id = ?", id).
		Updates(map[string]any{"added": added, "duplicates": duplicates, "rejected": rejected})
	if res.Error != nil {
		return fmt.Errorf("store: set import batch counts: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.NotFound("import_batch", ref(id))
	}
	return nil
}

// ImportBatch returns the import batch with that id.
func (s *Store) ImportBatch(ctx context.Context, id int64) (incident.ImportBatch, error) {
	var rec importBatchRecord
	res := s.conn(ctx).Where("id = ?", id).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.ImportBatch{}, fmt.Errorf("store: import batch: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.ImportBatch{}, incident.NotFound("import_batch", ref(id))
	}
	return rec.domain(), nil
}

// ImportBatches returns the import batches of an incident, oldest first.
func (s *Store) ImportBatches(ctx context.Context, incidentID int64) ([]incident.ImportBatch, error) {
	var recs []importBatchRecord
	if err := s.conn(ctx).Where("incident_id = ?", incidentID).Order("id").Find(&recs).Error; err != nil {
		return nil, fmt.Errorf("store: import batches: %w", err)
	}
	out := make([]incident.ImportBatch, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// UndoImportBatch deletes the events an import added and marks the batch
// undone; it returns the ids of the deleted events (for the outbox). Run it
// inside InTx.
func (s *Store) UndoImportBatch(ctx context.Context, id int64) ([]int64, error) {
	ids := []int64{}
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.conn(ctx).Model(&importBatchRecord{}).Where("id = ? AND undone_at IS NULL", id).
			Update("undone_at", toDB(tx.nowUTC()))
		if res.Error != nil {
			return fmt.Errorf("store: undo import batch: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			if _, err := tx.ImportBatch(ctx, id); err != nil {
				return err
			}
			return incident.Invalid("import_batch", "was already undone")
		}
		if err := tx.conn(ctx).Model(&timelineEventRecord{}).Where("import_batch_id = ?", id).Order("id").Pluck("id", &ids).Error; err != nil {
			return fmt.Errorf("store: undo import batch: %w", err)
		}
		if err := tx.conn(ctx).Where("import_batch_id = ?", id).Delete(&timelineEventRecord{}).Error; err != nil {
			return fmt.Errorf("store: undo import batch: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}
