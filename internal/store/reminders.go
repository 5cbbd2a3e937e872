package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// ReminderActions returns the open and in-progress actions due on or before
// dueBy (overdue ones included), with their incident's title, severity and
// visibility, by due date.
func (s *Store) ReminderActions(ctx context.Context, dueBy incident.Date) ([]incident.ReminderItem, error) {
	var rows []struct {
		Action        actionRecord `gorm:"embedded"`
		IncidentTitle string       `gorm:"column:incident_title"`
		Severity      string       `gorm:"column:severity"`
		Visibility    string       `gorm:"column:visibility"`
		RestrictedTo  jsonStrings  `gorm:"column:restricted_to"`
	}
	err := s.conn(ctx).Table("corrective_actions").
		Select("corrective_actions.*, incidents.title AS incident_title, incidents.severity, incidents.visibility, incidents.restricted_to").
		Joins("JOIN incidents ON incidents.id = corrective_actions.incident_id").
		Where("corrective_actions.status IN ? AND corrective_actions.due_date IS NOT NULL AND corrective_actions.due_date <= ?",
			[]string{string(incident.ActionOpen), string(incident.ActionInProgress)}, dbDate(dueBy)).
		Order("corrective_actions.due_date, corrective_actions.id").
		Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: reminder actions: %w", err)
	}
	out := make([]incident.ReminderItem, len(rows))
	for n, r := range rows {
		out[n] = incident.ReminderItem{
			Action: r.Action.domain(), IncidentTitle: r.IncidentTitle, Severity: incident.Severity(r.Severity),
			Restricted: r.Visibility == string(incident.VisibilityRestricted), RestrictedTo: labels(r.RestrictedTo),
		}
	}
	return out, nil
}

// reminderSendRecord is a row of reminder_sends.
type reminderSendRecord struct {
	ID          int64  `gorm:"column:id;primaryKey"`
	SentAt      dbTime `gorm:"column:sent_at"`
	Channel     string `gorm:"column:channel"`
	Recipient   string `gorm:"column:recipient"`
	Scope       string `gorm:"column:scope"`
	Subject     string `gorm:"column:subject"`
	ActionIDs   string `gorm:"column:action_ids"`
	ActionCount int    `gorm:"column:action_count"`
	Overdue     int    `gorm:"column:overdue"`
	Status      string `gorm:"column:status"`
	Error       string `gorm:"column:error"`
}

func (reminderSendRecord) TableName() string { return "reminder_sends" }

func (r reminderSendRecord) domain() incident.ReminderSend {
	var ids []int64
	_ = json.Unmarshal([]byte(r.ActionIDs), &ids)
	return incident.ReminderSend{
		ID: r.ID, SentAt: time.Time(r.SentAt), Channel: r.Channel, Recipient: r.Recipient, Scope: r.Scope,
		Subject: r.Subject, ActionIDs: ids, ActionCount: r.ActionCount, Overdue: r.Overdue, Status: r.Status, Error: r.Error,
	}
}

// AppendReminderSend records one digest and sets its ID.
func (s *Store) AppendReminderSend(ctx context.Context, rs *incident.ReminderSend) error {
	ids := rs.ActionIDs
	if ids == nil {
		ids = []int64{}
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rec := reminderSendRecord{
		SentAt: toDB(rs.SentAt), Channel: rs.Channel, Recipient: rs.Recipient, Scope: rs.Scope, Subject: rs.Subject,
		ActionIDs: string(b), ActionCount: rs.ActionCount, Overdue: rs.Overdue, Status: rs.Status, Error: rs.Error,
	}
	if err := s.conn(ctx).Create(&rec).Error; err != nil {
		return fmt.Errorf("store: record reminder: %w", err)
	}
	rs.ID = rec.ID
	return nil
}

// ReminderSends returns up to limit records, newest first, with an id
// below before (0: from the newest), and whether more follow.
func (s *Store) ReminderSends(ctx context.Context, before int64, limit int) ([]incident.ReminderSend, bool, error) {
	q := s.conn(ctx).Order("id DESC").Limit(limit + 1)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var recs []reminderSendRecord
	if err := q.Find(&recs).Error; err != nil {
		return nil, false, fmt.Errorf("store: reminder sends: %w", err)
	}
	more := len(recs) > limit
	if more {
		recs = recs[:limit]
	}
	out := make([]incident.ReminderSend, len(recs))
	for n, r := range recs {
		out[n] = r.domain()
	}
	return out, more, nil
}

// RemindedSince returns, for each "channel recipient" pair that got a
// digest with one of the statuses (incident.ReminderSent, or ReminderTest
// in test mode) at or after since, the latest time. Failed sends never
// count: they are tried again.
func (s *Store) RemindedSince(ctx context.Context, since time.Time, statuses ...string) (map[[2]string]time.Time, error) {
	if len(statuses) == 0 {
		statuses = []string{incident.ReminderSent}
	}
	var rows []struct {
		Channel   string
		Recipient string
		Last      dbTime
	}
	err := s.conn(ctx).Raw(`SELECT channel, recipient, MAX(sent_at) AS last FROM reminder_sends
		WHERE sent_at >= ? AND status IN ? GROUP BY channel, recipient`,
		toDB(since), statuses).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("store: reminders since: %w", err)
	}
	out := make(map[[2]string]time.Time, len(rows))
	for _, r := range rows {
		out[[2]string{r.Channel, r.Recipient}] = time.Time(r.Last)
	}
	return out, nil
}

// PruneReminderSends deletes the records of digests sent before before and
// returns how many went.
func (s *Store) PruneReminderSends(ctx context.Context, before time.Time) (int64, error) {
	res := s.conn(ctx).Exec(`DELETE FROM reminder_sends WHERE sent_at < ?`, toDB(before))
	if res.Error != nil {
		return 0, fmt.Errorf("store: prune reminders: %w", res.Error)
	}
	return res.RowsAffected, nil
}
