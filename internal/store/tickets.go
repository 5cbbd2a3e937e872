package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// TicketCreating is the ticket status of an action whose ticket is being
// filed (ClaimActionTicket) and not yet answered by the tracker.
const TicketCreating = "creating"

// openActionStatuses are the statuses ticket sync reads tickets for.
var openActionStatuses = []string{string(incident.ActionOpen), string(incident.ActionInProgress)}

// ActionsToSync returns up to limit actions after afterID (by id) that are
// linked to a ticket of one of systems and not closed: what one round of
// ticket sync reads.
func (s *Store) ActionsToSync(ctx context.Context, systems []string, afterID int64, limit int) ([]incident.CorrectiveAction, error) {
	if len(systems) == 0 {
		return nil, nil
	}
	var recs []actionRecord
	// A system a person typed ("Jira") counts as the tracker it names.
	err := s.conn(ctx).Where("ticket_key <> '' AND status IN ? AND lower(ticket_system) IN ? AND id > ?",
		openActionStatuses, systems, afterID).Order("id").Limit(limit).Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: actions to sync: %w", err)
	}
	out := make([]incident.CorrectiveAction, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// SetActionTicketSync stores what a ticket sync learned about action id's
// ticket (see incident.TicketSync). It leaves the version alone: these
// columns are the tracker's, not what a person edits, so a sync never
// turns someone's open edit into a conflict. expectKey guards against a
// ticket re-linked while the tracker was being asked.
func (s *Store) SetActionTicketSync(ctx context.Context, id int64, expectKey string, ts incident.TicketSync) error {
	set := map[string]any{}
	if ts.Error == "" {
		set["ticket_status"] = ts.Status
		set["ticket_synced_at"] = toDB(ts.SyncedAt)
		set["ticket_sync_error"] = ""
		set["ticket_sync_error_at"] = nil
	} else {
		set["ticket_sync_error"] = ts.Error
		set["ticket_sync_error_at"] = toDB(ts.ErrorAt)
	}
	err := s.conn(ctx).Model(&actionRecord{}).Where("id = ? AND ticket_key = ?", id, expectKey).Updates(set).Error
	if err != nil {
		return fmt.Errorf("store: set action ticket sync: %w", err)
	}
	return nil
}

// ClaimActionTicket marks action id as having a ticket of system being
// filed, unless it is linked already or another filing started after
// staleBefore (or a person linked a bare URL). It reports whether the claim was taken; the caller then
// files the ticket and links it (UpdateAction) or calls
// ReleaseActionTicket. Two people pressing "Create ticket" at once get
// one ticket.
func (s *Store) ClaimActionTicket(ctx context.Context, id int64, system string, now, staleBefore time.Time) (bool, error) {
	res := s.conn(ctx).Model(&actionRecord{}).
		Where("id = ? AND ticket_key = '' AND ticket_url = '' AND NOT (ticket_status = ? AND ticket_synced_at IS NOT NULL AND ticket_synced_at > ?)",
			id, TicketCreating, toDB(staleBefore)).
		Updates(map[string]any{"ticket_system": system, "ticket_status": TicketCreating, "ticket_synced_at": toDB(now)})
	if res.Error != nil {
		return false, fmt.Errorf("store: claim action ticket: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// ReleaseActionTicket undoes ClaimActionTicket after the tracker refused:
// the ticket system goes back to what it was and the error is stored.
func (s *Store) ReleaseActionTicket(ctx context.Context, id int64, system, errText string, at time.Time) error {
	err := s.conn(ctx).Model(&actionRecord{}).Where("id = ? AND ticket_key = '' AND ticket_status = ?", id, TicketCreating).
		Updates(map[string]any{"ticket_system": system, "ticket_status": "", "ticket_synced_at": nil,
			"ticket_sync_error": errText, "ticket_sync_error_at": toDB(at)}).Error
	if err != nil {
		return fmt.Errorf("store: release action ticket: %w", err)
	}
	return nil
}

// incidentTicketRecord is a row of incident_tickets.
type incidentTicketRecord struct {
	ID           int64   `gorm:"column:id;primaryKey"`
	IncidentID   int64   `gorm:"column:incident_id"`
	System       string  `gorm:"column:system"`
	TicketKey    string  `gorm:"column:ticket_key"`
	TicketURL    string  `gorm:"column:ticket_url"`
	TicketStatus string  `gorm:"column:ticket_status"`
	SyncError    string  `gorm:"column:sync_error"`
	Attempts     int     `gorm:"column:attempts"`
	ClaimedAt    *dbTime `gorm:"column:claimed_at"`
	CreatedAt    dbTime  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt    dbTime  `gorm:"column:updated_at;autoUpdateTime:false"`
}

func (incidentTicketRecord) TableName() string { return "incident_tickets" }

func (r incidentTicketRecord) domain() incident.IncidentTicket {
	return incident.IncidentTicket{
		IncidentID: r.IncidentID, System: r.System, Key: r.TicketKey, URL: r.TicketURL, Status: r.TicketStatus,
		Error: r.SyncError, Attempts: r.Attempts, CreatedAt: time.Time(r.CreatedAt), UpdatedAt: time.Time(r.UpdatedAt),
	}
}

// IncidentTicket returns the policy ticket of an incident.
func (s *Store) IncidentTicket(ctx context.Context, incidentID int64) (incident.IncidentTicket, error) {
	var rec incidentTicketRecord
	res := s.conn(ctx).Where("incident_id = ?", incidentID).Limit(1).Find(&rec)
	if res.Error != nil {
		return incident.IncidentTicket{}, fmt.Errorf("store: incident ticket: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return incident.IncidentTicket{}, incident.NotFound("incident ticket", ref(incidentID))
	}
	return rec.domain(), nil
}

// IncidentsNeedingTicket returns up to limit ids of incidents not resolved
// that started (or, without a start, were created) before startedBefore
// and have no policy ticket, nor one being filed since staleBefore.
func (s *Store) IncidentsNeedingTicket(ctx context.Context, startedBefore, staleBefore time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := s.conn(ctx).Table("incidents").
		Where("status <> ? AND COALESCE(started_at, created_at) < ?", string(incident.StatusResolved), toDB(startedBefore)).
		Where("NOT EXISTS (SELECT 1 FROM incident_tickets t WHERE t.incident_id = incidents.id AND "+
			"(t.ticket_key <> '' OR (t.claimed_at IS NOT NULL AND t.claimed_at > ?)))", toDB(staleBefore)).
		Order("id").Limit(limit).Pluck("id", &ids).Error
	if err != nil {
		return nil, fmt.Errorf("store: incidents needing a ticket: %w", err)
	}
	return ids, nil
}

// ClaimIncidentTicket takes the right to file the policy ticket of an
// incident: the first claim inserts the row (the unique incident_id keeps
// it to one); a later one succeeds only when the earlier attempt failed
// or went stale (no key, claimed before staleBefore or released). It
// reports whether the claim was taken.
func (s *Store) ClaimIncidentTicket(ctx context.Context, incidentID int64, system string, now, staleBefore time.Time) (bool, error) {
	rec := incidentTicketRecord{IncidentID: incidentID, System: system, Attempts: 1, ClaimedAt: ptrTo(toDB(now)),
		CreatedAt: toDB(now), UpdatedAt: toDB(now)}
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "incident_id"}}, DoNothing: true}).Create(&rec)
	if res.Error != nil {
		if isForeignKeyViolation(res.Error) {
			return false, incident.NotFound("incident", ref(incidentID))
		}
		return false, fmt.Errorf("store: claim incident ticket: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return true, nil
	}
	res = s.conn(ctx).Model(&incidentTicketRecord{}).
		Where("incident_id = ? AND ticket_key = '' AND (claimed_at IS NULL OR claimed_at < ?)", incidentID, toDB(staleBefore)).
		Updates(map[string]any{"system": system, "claimed_at": toDB(now), "attempts": gorm.Expr("attempts + 1"), "updated_at": toDB(now)})
	if res.Error != nil {
		return false, fmt.Errorf("store: claim incident ticket: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// FinishIncidentTicket stores the outcome of a claimed filing: the ticket
// (errText empty) or why it failed, which releases the claim so the next
// round tries again.
func (s *Store) FinishIncidentTicket(ctx context.Context, incidentID int64, key, url, status, errText string, now time.Time) error {
	set := map[string]any{"updated_at": toDB(now), "claimed_at": nil, "sync_error": errText}
	if errText == "" {
		set["ticket_key"], set["ticket_url"], set["ticket_status"] = key, url, status
	}
	err := s.conn(ctx).Model(&incidentTicketRecord{}).Where("incident_id = ? AND ticket_key = ''", incidentID).Updates(set).Error
	if err != nil {
		return fmt.Errorf("store: finish incident ticket: %w", err)
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

// IncidentTicketsToSync returns up to limit filed policy tickets after
// incident id afterID (by incident id) of the given systems whose incident
// is not resolved, or was resolved after resolvedSince: their status is
// read back for a while after the incident ends, then left.
func (s *Store) IncidentTicketsToSync(ctx context.Context, systems []string, resolvedSince time.Time, afterID int64, limit int) ([]incident.IncidentTicket, error) {
	if len(systems) == 0 {
		return nil, nil
	}
	var recs []incidentTicketRecord
	err := s.conn(ctx).Table("incident_tickets t").Select("t.*").
		Joins("JOIN incidents i ON i.id = t.incident_id").
		Where("t.ticket_key <> '' AND t.system IN ? AND t.incident_id > ?", systems, afterID).
		Where("(i.status <> ? OR i.resolved_at IS NULL OR i.resolved_at > ?)", string(incident.StatusResolved), toDB(resolvedSince)).
		Order("t.incident_id").Limit(limit).Find(&recs).Error
	if err != nil {
		return nil, fmt.Errorf("store: incident tickets to sync: %w", err)
	}
	out := make([]incident.IncidentTicket, len(recs))
	for i, r := range recs {
		out[i] = r.domain()
	}
	return out, nil
}

// SetIncidentTicketSync stores what a sync read of a filed policy ticket
// learned: its status (errText empty, which clears an old error) or why
// the read failed (the last good status stays).
func (s *Store) SetIncidentTicketSync(ctx context.Context, incidentID int64, key, status, errText string, now time.Time) error {
	set := map[string]any{"updated_at": toDB(now), "sync_error": errText}
	if errText == "" {
		set["ticket_status"] = status
	}
	err := s.conn(ctx).Model(&incidentTicketRecord{}).Where("incident_id = ? AND ticket_key = ?", incidentID, key).Updates(set).Error
	if err != nil {
		return fmt.Errorf("store: set incident ticket sync: %w", err)
	}
	return nil
}
