package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// reminderService is what the reminder routes need.
type reminderService interface {
	ReminderSettings() app.ReminderSettings
	ReminderSends(ctx context.Context, before int64, limit int) ([]incident.ReminderSend, bool, error)
	RunRemindersNow(ctx context.Context, dryRun bool) (app.ReminderRun, error)
	Job(ctx context.Context, name string) (app.JobStatus, bool, error)
}

// jobJSON is which server runs a scheduled job.
type jobJSON struct {
	Holder    string    `json:"holder"`
	LastTick  time.Time `json:"last_tick"`
	ExpiresAt time.Time `json:"expires_at"`
}

// reminderSettingsJSON is the reminder configuration, without secrets.
type reminderSettingsJSON struct {
	Enabled      bool     `json:"enabled"`
	TestMode     bool     `json:"test_mode"`
	DueSoonDays  int      `json:"due_soon_days"`
	Throttle     string   `json:"throttle"`
	PublicURL    string   `json:"public_url"`
	DefaultSlack bool     `json:"default_slack"`
	SlackTeams   []string `json:"slack_teams"`
	Email        bool     `json:"email"`
	EmailTeams   []string `json:"email_teams"`
}

func toReminderSettingsJSON(s app.ReminderSettings) reminderSettingsJSON {
	throttle := "off"
	if s.Throttle > 0 {
		throttle = s.Throttle.String()
	}
	return reminderSettingsJSON{
		Enabled: s.Enabled, TestMode: s.TestMode, DueSoonDays: s.DueSoonDays, Throttle: throttle, PublicURL: s.PublicURL,
		DefaultSlack: s.DefaultSlack, SlackTeams: strings0(s.SlackTeams), Email: s.Email, EmailTeams: strings0(s.EmailTeams),
	}
}

// reminderSendJSON is one record of a digest sent.
type reminderSendJSON struct {
	ID          int64     `json:"id"`
	SentAt      time.Time `json:"sent_at"`
	Channel     string    `json:"channel"`
	Recipient   string    `json:"recipient"`
	Scope       string    `json:"scope"`
	Subject     string    `json:"subject"`
	ActionIDs   []int64   `json:"action_ids"`
	ActionCount int       `json:"action_count"`
	Overdue     int       `json:"overdue"`
	Status      string    `json:"status"`
	Error       string    `json:"error"`
}

// reminderLineJSON is one action of a digest.
type reminderLineJSON struct {
	ActionID      int64             `json:"action_id"`
	IncidentKey   string            `json:"incident_key"`
	IncidentTitle string            `json:"incident_title"`
	Title         string            `json:"title"`
	Priority      incident.Priority `json:"priority"`
	Owner         string            `json:"owner"`
	Team          string            `json:"team"`
	DueDate       incident.Date     `json:"due_date"`
	DaysOverdue   int               `json:"days_overdue"`
	DaysLeft      int               `json:"days_left"`
	URL           string            `json:"url"`
}

// reminderDigestJSON is the digest one recipient gets over one channel.
type reminderDigestJSON struct {
	Channel   string             `json:"channel"`
	Recipient string             `json:"recipient"`
	Scope     string             `json:"scope"`
	Subject   string             `json:"subject"`
	Overdue   []reminderLineJSON `json:"overdue"`
	DueSoon   []reminderLineJSON `json:"due_soon"`
	ListURL   string             `json:"list_url"`
	Throttled bool               `json:"throttled"`
	Status    string             `json:"status"`
	Error     string             `json:"error"`
	Text      string             `json:"text"`
}

// reminderRunJSON is the answer of POST /reminders/run.
type reminderRunJSON struct {
	At        time.Time            `json:"at"`
	DryRun    bool                 `json:"dry_run"`
	TestMode  bool                 `json:"test_mode"`
	Sent      int                  `json:"sent"`
	Failed    int                  `json:"failed"`
	Throttled int                  `json:"throttled"`
	Warnings  []string             `json:"warnings"`
	Digests   []reminderDigestJSON `json:"digests"`
}

func toReminderLinesJSON(ls []app.ReminderLine) []reminderLineJSON {
	out := make([]reminderLineJSON, len(ls))
	for n, l := range ls {
		out[n] = reminderLineJSON{ActionID: l.ActionID, IncidentKey: l.IncidentKey, IncidentTitle: l.IncidentTitle, Title: l.Title,
			Priority: l.Priority, Owner: l.Owner, Team: l.Team, DueDate: l.DueDate, DaysOverdue: l.DaysOverdue, DaysLeft: l.DaysLeft, URL: l.URL}
	}
	return out
}

func toReminderRunJSON(r app.ReminderRun, dueSoonDays int) reminderRunJSON {
	out := reminderRunJSON{At: r.At.UTC(), DryRun: r.DryRun, TestMode: r.TestMode, Sent: r.Sent, Failed: r.Failed,
		Throttled: r.Throttled, Warnings: strings0(r.Warnings), Digests: make([]reminderDigestJSON, len(r.Digests))}
	for n, d := range r.Digests {
		out.Digests[n] = reminderDigestJSON{Channel: d.Channel, Recipient: d.Recipient, Scope: d.Scope, Subject: d.Subject,
			Overdue: toReminderLinesJSON(d.Overdue), DueSoon: toReminderLinesJSON(d.DueSoon), ListURL: d.ListURL,
			Throttled: d.Throttled, Status: d.Status, Error: d.Error, Text: d.Text(dueSoonDays)}
	}
	return out
}

// listReminders handles GET /reminders: the record of digests sent, newest
// first, and the reminder settings.
func (s *server) listReminders(c *gin.Context) {
	q := newQuery(c)
	limit := q.limit()
	var before int64
	if v := q.str("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			q.verr.Add("cursor", "is not a cursor this server gave out")
		}
		before = n
	}
	if err := q.err(); err != nil {
		s.renderError(c, err)
		return
	}
	sends, more, err := s.svc.ReminderSends(c.Request.Context(), before, limit)
	if err != nil {
		s.renderError(c, err)
		return
	}
	items := make([]reminderSendJSON, len(sends))
	for n, r := range sends {
		ids := r.ActionIDs
		if ids == nil {
			ids = []int64{}
		}
		items[n] = reminderSendJSON{ID: r.ID, SentAt: r.SentAt.UTC(), Channel: r.Channel, Recipient: r.Recipient, Scope: r.Scope,
			Subject: r.Subject, ActionIDs: ids, ActionCount: r.ActionCount, Overdue: r.Overdue, Status: r.Status, Error: r.Error}
	}
	next := ""
	if more && len(sends) > 0 {
		next = strconv.FormatInt(sends[len(sends)-1].ID, 10)
	}
	job, held, err := s.svc.Job(c.Request.Context(), app.ReminderJob)
	if err != nil {
		s.renderError(c, err)
		return
	}
	var jj *jobJSON
	if held {
		jj = &jobJSON{Holder: job.Holder, LastTick: job.LastTick.UTC(), ExpiresAt: job.ExpiresAt.UTC()}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next, "settings": toReminderSettingsJSON(s.svc.ReminderSettings()), "job": jj})
}

// reminderRunRequest is the body of POST /reminders/run.
type reminderRunRequest struct {
	DryRun bool `json:"dry_run"`
}

// runReminders handles POST /reminders/run: the digests that would go out
// now (dry_run) or a send now, honouring the throttle.
func (s *server) runReminders(c *gin.Context) {
	var req reminderRunRequest
	if err := decodeJSON(c, &req); err != nil {
		s.renderError(c, err)
		return
	}
	run, err := s.svc.RunRemindersNow(c.Request.Context(), req.DryRun)
	if err != nil {
		s.renderError(c, err)
		return
	}
	c.JSON(http.StatusOK, toReminderRunJSON(run, s.svc.ReminderSettings().DueSoonDays))
}
