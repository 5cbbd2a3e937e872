package incident

import "time"

// Reminder channels, scopes and send statuses (reminder_sends).
const (
	ReminderSlack = "slack"
	ReminderEmail = "email"

	// ReminderScopeOwner is a digest for one action owner; ReminderScopeTeam
	// one for a team.
	ReminderScopeOwner = "owner"
	ReminderScopeTeam  = "team"

	ReminderSent   = "ok"
	ReminderFailed = "error"
	// ReminderTest is a digest test mode printed instead of sending.
	ReminderTest = "test"

	// AuditRemindersRun is the audit action of an admin's manual send.
	AuditRemindersRun = "reminders.run"
)

// ReminderItem is an open action due soon or overdue, with what a reminder
// says about its incident.
type ReminderItem struct {
	Action        CorrectiveAction
	IncidentTitle string
	Severity      Severity
	// Restricted incidents' actions are only ever sent to their owner by
	// e-mail, never to a shared channel, and only when the owner may see
	// the incident (RestrictedTo names them or one of their groups).
	Restricted   bool
	RestrictedTo []string
}

// ReminderSend is the record of one digest sent (or failed, or printed in
// test mode) to one recipient over one channel.
type ReminderSend struct {
	ID      int64
	SentAt  time.Time
	Channel string
	// Recipient is who got it: an e-mail address, or "team <name>" for a
	// Slack webhook (whose URL is a secret and never stored).
	Recipient string
	Scope     string
	// Subject is the owner or team the digest is about.
	Subject     string
	ActionIDs   []int64
	ActionCount int
	Overdue     int
	Status      string
	Error       string
}
