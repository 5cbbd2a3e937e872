package icinga

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
)

// parser reads records; delivery is set for live deliveries, whose events
// may carry no time of their own.
type parser struct {
	delivery *importers.Delivery
	incident string // from the hook's query
}

// streamEvent is one object of the /v1/events stream; which fields are
// set depends on Type.
type streamEvent struct {
	Type              string          `json:"type"`
	Timestamp         num             `json:"timestamp"`
	Host              string          `json:"host"`
	Service           string          `json:"service"`
	State             num             `json:"state"`
	StateType         num             `json:"state_type"`
	CheckResult       *checkResult    `json:"check_result"`
	Author            string          `json:"author"`
	Comment           json.RawMessage `json:"comment"` // text for AcknowledgementSet, an object for Comment*
	AckType           num             `json:"acknowledgement_type"`
	Expiry            num             `json:"expiry"`
	NotificationType  string          `json:"notification_type"`
	Command           string          `json:"command"`
	Users             []string        `json:"users"`
	Text              string          `json:"text"`
	Downtime          *downtime       `json:"downtime"`
	IsFlapping        *bool           `json:"is_flapping"`
	FlappingCurrent   num             `json:"flapping_current"`
	CurrentFlapping   num             `json:"current_flapping"` // the name the docs give
	DowntimeDepth     num             `json:"downtime_depth"`
	ObjectType        string          `json:"object_type"`
	ObjectName        string          `json:"object_name"`
	Incident          string          `json:"incident"`
	HindsightIncident string          `json:"hindsight_incident"`
}

// checkNumbers names the first numeric field that holds no number.
func (e streamEvent) checkNumbers() *fieldError {
	fields := []struct {
		name string
		v    num
	}{{"timestamp", e.Timestamp}, {"state", e.State}, {"state_type", e.StateType}}
	if e.CheckResult != nil {
		fields = append(fields, struct {
			name string
			v    num
		}{"check_result.state", e.CheckResult.State})
	}
	for _, f := range fields {
		if !f.v.valid() {
			return &fieldError{Field: f.name, Reason: "must be a number, got " + strconv.Quote(short(string(f.v)))}
		}
	}
	return nil
}

// checkResult is Icinga's serialized CheckResult value.
type checkResult struct {
	Output         string `json:"output"`
	ExitStatus     num    `json:"exit_status"`
	State          num    `json:"state"`
	ExecutionStart num    `json:"execution_start"`
	ExecutionEnd   num    `json:"execution_end"`
	CheckSource    string `json:"check_source"`
}

// downtime is Icinga's serialized Downtime object.
type downtime struct {
	Name         string `json:"__name"`
	HostName     string `json:"host_name"`
	ServiceName  string `json:"service_name"`
	Author       string `json:"author"`
	Comment      string `json:"comment"`
	StartTime    num    `json:"start_time"`
	EndTime      num    `json:"end_time"`
	Fixed        *bool  `json:"fixed"`
	WasCancelled *bool  `json:"was_cancelled"`
	RemovedBy    string `json:"removed_by"`
}

// comment is Icinga's serialized Comment object.
type comment struct {
	Name        string `json:"__name"`
	HostName    string `json:"host_name"`
	ServiceName string `json:"service_name"`
	Author      string `json:"author"`
	Text        string `json:"text"`
	EntryType   num    `json:"entry_type"`
	RemovedBy   string `json:"removed_by"`
}

// Comment entry types, as Icinga numbers them.
var entryTypes = map[string]string{"1": "user", "2": "downtime", "3": "flapping", "4": "acknowledgement"}

// record reads one record: an event-stream object or notification macros.
func (p parser) record(raw []byte) ([]importers.Alert, *fieldError) {
	if raw == nil {
		return nil, &fieldError{Reason: "line is longer than " + strconv.Itoa(maxLineBytes>>20) + " MiB"}
	}
	raw = bytes.TrimSpace(raw)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &fieldError{Reason: "not a JSON object"}
		}
		return nil, &fieldError{Reason: "not valid JSON: " + err.Error()}
	}
	if _, ok := keys["type"]; ok {
		a, ferr := p.event(raw)
		if ferr != nil {
			return nil, ferr
		}
		return []importers.Alert{finish(a)}, nil
	}
	if m, ok := macroMap(keys); ok {
		a, ferr := p.macros(m)
		if ferr != nil {
			return nil, ferr
		}
		return []importers.Alert{finish(a)}, nil
	}
	return nil, &fieldError{Field: "type", Reason: "is missing: want an Icinga 2 event-stream object or notification macros (NOTIFICATIONTYPE, HOSTNAME, …)"}
}

// event maps one event-stream object.
func (p parser) event(raw []byte) (importers.Alert, *fieldError) {
	var e streamEvent
	if err := json.Unmarshal(raw, &e); err != nil {
		return importers.Alert{}, decodeError(err)
	}
	if strings.TrimSpace(e.Type) == "" {
		return importers.Alert{}, &fieldError{Field: "type", Reason: "is empty"}
	}
	if ferr := e.checkNumbers(); ferr != nil {
		return importers.Alert{}, ferr
	}
	a := importers.Alert{EventType: e.Type, Actor: "Icinga", Extra: map[string]any{}}
	var ackText string
	var cm *comment
	if len(e.Comment) > 0 && !bytes.Equal(e.Comment, []byte("null")) {
		if e.Comment[0] == '"' {
			if err := json.Unmarshal(e.Comment, &ackText); err != nil {
				return a, &fieldError{Field: "comment", Reason: err.Error()}
			}
		} else {
			cm = &comment{}
			if err := json.Unmarshal(e.Comment, cm); err != nil {
				return a, prefixed("comment", decodeError(err))
			}
		}
	}
	host, service := e.Host, e.Service
	switch {
	case e.Downtime != nil && host == "":
		host, service = e.Downtime.HostName, e.Downtime.ServiceName
	case cm != nil && host == "":
		host, service = cm.HostName, cm.ServiceName
	}
	a.Host, a.Service = host, service
	a.AlertID = alertID(host, service)
	label := checkable(host, service)
	state, problem, hasState := e.stateWord(service != "")
	if hasState {
		a.Status, a.Severity = state, state
	}
	if st, ok := intOf(e.StateType); ok {
		a.Extra["state_type"] = map[int]string{0: "soft", 1: "hard"}[st]
	}
	if e.CheckResult != nil {
		a.Details = e.CheckResult.Output
		if s := strings.TrimSpace(e.CheckResult.CheckSource); s != "" {
			a.Extra["check_source"] = s
		}
		if x, ok := intOf(e.CheckResult.ExitStatus); ok {
			a.Extra["exit_status"] = x
		}
	}
	if d, ok := intOf(e.DowntimeDepth); ok && d > 0 {
		a.Extra["downtime_depth"] = d
	}
	isState := label + " is " + state
	if !hasState {
		isState = label
	}
	var name string // the comment or downtime object's name, for the id
	switch e.Type {
	case "CheckResult":
		a.Subtype, a.Title = importers.SubtypeCheck, isState
	case "StateChange":
		a.Title = isState
		hard, _ := intOf(e.StateType)
		switch {
		case !hasState:
			a.Subtype = importers.SubtypeUpdate
		case !problem:
			a.Subtype = importers.SubtypeResolve
		case hard == 1:
			a.Subtype = importers.SubtypeTrigger
		default:
			a.Subtype = importers.SubtypeUpdate
		}
	case "Notification":
		a.Title = isState
		a.Subtype = notificationSubtype(e.NotificationType)
		a.Extra["notification_type"] = e.NotificationType
		if len(e.Users) > 0 {
			a.Extra["users"] = e.Users
		}
		if e.Command != "" {
			a.Extra["command"] = e.Command
		}
		if strings.TrimSpace(e.Author) != "" {
			a.Actor = e.Author
		}
		a.Details = joinText(e.Text, a.Details)
	case "AcknowledgementSet":
		a.Subtype, a.Title = importers.SubtypeAcknowledge, isState
		if strings.TrimSpace(e.Author) != "" {
			a.Actor = e.Author
		}
		a.Details = ackText
		if t, ok := intOf(e.AckType); ok && t == 2 {
			a.Extra["sticky"] = true
		}
		if t, _, ok := optionalTime(e.Expiry); ok {
			a.Extra["expiry"] = t.Format(time.RFC3339)
		}
	case "AcknowledgementCleared":
		a.Subtype, a.Title = importers.SubtypeUnack, isState
	case "CommentAdded", "CommentRemoved":
		if cm == nil {
			return a, &fieldError{Field: "comment", Reason: "is missing"}
		}
		name = cm.Name
		if strings.TrimSpace(cm.Author) != "" {
			a.Actor = cm.Author
		}
		a.Details = cm.Text
		if et := entryTypes[cm.EntryType.String()]; et != "" {
			a.Extra["comment_type"] = et
		}
		if e.Type == "CommentAdded" {
			a.Subtype, a.Title = importers.SubtypeNote, "Comment on "+label
		} else {
			a.Subtype, a.Title = importers.SubtypeUpdate, "Comment removed from "+label
			if strings.TrimSpace(cm.RemovedBy) != "" {
				a.Actor = cm.RemovedBy
			}
		}
	case "DowntimeAdded", "DowntimeStarted", "DowntimeTriggered", "DowntimeRemoved":
		if e.Downtime == nil {
			return a, &fieldError{Field: "downtime", Reason: "is missing"}
		}
		dt := e.Downtime
		name = dt.Name
		a.Subtype = importers.SubtypeSuppress
		a.Details = dt.Comment
		span := ""
		if t, _, ok := optionalTime(dt.StartTime); ok {
			a.Extra["downtime_start"] = t.Format(time.RFC3339)
			span = " from " + t.Format("2006-01-02 15:04 MST")
		}
		if t, _, ok := optionalTime(dt.EndTime); ok {
			a.Extra["downtime_end"] = t.Format(time.RFC3339)
			span += " until " + t.Format("2006-01-02 15:04 MST")
		}
		if dt.Fixed != nil {
			a.Extra["downtime_fixed"] = *dt.Fixed
		}
		switch e.Type {
		case "DowntimeAdded":
			a.Title = "Downtime scheduled for " + label + span
			if strings.TrimSpace(dt.Author) != "" {
				a.Actor = dt.Author
			}
		case "DowntimeStarted":
			a.Title = "Downtime started for " + label + span
		case "DowntimeTriggered":
			a.Title = "Downtime triggered for " + label + span
		default:
			a.Title = "Downtime removed from " + label
			if dt.WasCancelled != nil && *dt.WasCancelled {
				a.Title = "Downtime cancelled for " + label
			}
			switch {
			case strings.TrimSpace(dt.RemovedBy) != "":
				a.Actor = dt.RemovedBy
			case strings.TrimSpace(dt.Author) != "":
				a.Actor = dt.Author
			}
		}
	case "Flapping":
		a.Subtype = importers.SubtypeUpdate
		pct := e.FlappingCurrent
		if pct == "" {
			pct = e.CurrentFlapping
		}
		change := ""
		if f, err := strconv.ParseFloat(pct.String(), 64); err == nil {
			change = " (" + strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) + "% state change)"
		}
		switch {
		case e.IsFlapping == nil:
			a.Title = label + " flapping changed" + change
		case *e.IsFlapping:
			a.Title = label + " started flapping" + change
		default:
			a.Title = label + " stopped flapping" + change
		}
		if e.IsFlapping != nil {
			a.Extra["flapping"] = *e.IsFlapping
		}
	case "ObjectCreated", "ObjectModified", "ObjectDeleted":
		a.Subtype = importers.SubtypeOther
		verb := strings.ToLower(strings.TrimPrefix(e.Type, "Object"))
		a.Title = strings.TrimSpace(e.ObjectType+" "+e.ObjectName) + " " + verb
		if a.Host == "" {
			a.Host, a.Service = objectCheckable(e.ObjectType, e.ObjectName)
			a.AlertID = alertID(a.Host, a.Service)
		}
	default:
		a.Subtype = importers.SubtypeOther
		if label != "" {
			a.Title = e.Type + " " + label
		}
	}
	at, atText, received, ferr := p.eventTime(e)
	if ferr != nil {
		return a, ferr
	}
	a.At, a.AtText = at, atText
	idTime := atText
	if received {
		idTime = "" // the same delivery received twice must keep its id
	}
	a.IncidentRef = firstNonEmpty(e.HindsightIncident, e.Incident, p.incident, incidentTag(ackText, e.Text, a.Details))
	a.ID = importers.StableID("icinga", e.Type, host, service, idTime, e.State.String(), e.StateType.String(),
		e.NotificationType, name, e.ObjectType, e.ObjectName, e.Author)
	return a, nil
}

// stateWord reads the event's state: its state field (host or service
// numbering), else the check result's (service numbering, which for a host
// means UP for 0 and 1, DOWN for 2 and 3). problem is true for anything
// but OK and UP.
func (e streamEvent) stateWord(isService bool) (word string, problem, ok bool) {
	if n, ok := intOf(e.State); ok {
		if isService {
			return serviceState(n), n != 0, true
		}
		return hostState(n), n != 0, true
	}
	if e.CheckResult != nil {
		if n, ok := intOf(e.CheckResult.State); ok {
			if isService {
				return serviceState(n), n != 0, true
			}
			if n <= 1 {
				return "UP", false, true
			}
			return "DOWN", true, true
		}
	}
	return "", false, false
}

// eventTime is the event's timestamp, else its check's end, else (for a
// delivery) when it was received, which received says.
func (p parser) eventTime(e streamEvent) (at time.Time, text string, received bool, ferr *fieldError) {
	if e.Timestamp != "" {
		t, text, err := parseStamp(e.Timestamp)
		if err != nil {
			return t, text, false, &fieldError{Field: "timestamp", Reason: err.Error()}
		}
		return t, text, false, nil
	}
	if e.CheckResult != nil {
		if t, text, ok := optionalTime(e.CheckResult.ExecutionEnd); ok {
			return t, text, false, nil
		}
	}
	if p.delivery != nil {
		t, text := importers.DeliveryTime(*p.delivery)
		return t, text, true, nil
	}
	return time.Time{}, "", false, &fieldError{Field: "timestamp", Reason: "is missing"}
}
