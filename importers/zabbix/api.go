package zabbix

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// isRPC reports whether o is a JSON-RPC answer.
func isRPC(o alertjson.Object) bool {
	if _, ok := o["jsonrpc"]; ok {
		return true
	}
	_, res := o["result"]
	_, isErr := o["error"].(map[string]any)
	return res || isErr
}

// isAPIEvent reports whether o is an event or problem object of the API
// (rather than a webhook payload).
func isAPIEvent(o alertjson.Object) bool {
	_, id := o["eventid"]
	_, clock := o["clock"]
	_, objectid := o["objectid"]
	_, ns := o["ns"]
	_, reid := o["r_eventid"]
	return id && clock && (objectid || ns || reid)
}

// RPCError is an error object of a Zabbix JSON-RPC answer.
type RPCError struct {
	Code    int
	Message string
	Data    string
}

func (e *RPCError) Error() string {
	msg := strings.TrimSpace(e.Message)
	if d := strings.TrimSpace(e.Data); d != "" {
		msg = strings.TrimSuffix(msg, ".") + ": " + d
	}
	return fmt.Sprintf("Zabbix API error %d: %s", e.Code, msg)
}

func rpcError(o alertjson.Object) *RPCError {
	e, ok := alertjson.AsObject(o["error"])
	if !ok {
		return nil
	}
	code, _ := strconv.Atoi(e.Str("code"))
	return &RPCError{Code: code, Message: e.Str("message"), Data: e.Str("data")}
}

// rpc reads an event.get or problem.get answer.
func (p *parser) rpc(o alertjson.Object, line int, batch *apiBatch) error {
	if e := rpcError(o); e != nil {
		if p.hook {
			return e
		}
		return fmt.Errorf("%s: %s line %d: the file holds an error answer, not events: %w", Source, p.file, line, e)
	}
	res, ok := o["result"].([]any)
	if !ok {
		if p.hook {
			return fmt.Errorf("result: want a list of events (the answer of event.get or problem.get)")
		}
		return fmt.Errorf("%s: %s line %d: result: want a list of events (the answer of event.get or problem.get)", Source, p.file, line)
	}
	for i, el := range res {
		prefix := fmt.Sprintf("result[%d]", i)
		e, ok := alertjson.AsObject(el)
		if !ok || e.Str("eventid") == "" {
			if err := p.fail(line, prefix, &fieldError{field: "eventid", reason: "is missing: not an event"}); err != nil {
				return err
			}
			continue
		}
		batch.add(e, line, prefix)
	}
	return nil
}

// apiBatch gathers the API events of one input, so that a recovery event
// is read with the problem it ends.
type apiBatch struct {
	events []apiEvent
}

type apiEvent struct {
	o      alertjson.Object
	line   int
	prefix string
}

func (b *apiBatch) add(o alertjson.Object, line int, prefix string) {
	b.events = append(b.events, apiEvent{o: o, line: line, prefix: prefix})
}

// api turns the batch's events into trigger, resolve and update events.
func (p *parser) api(ctx context.Context, b apiBatch) error {
	recovery := map[string]alertjson.Object{} // recovery event id → the OK event
	for _, e := range b.events {
		if e.o.Str("value") == "0" {
			recovery[e.o.Str("eventid")] = e.o
		}
	}
	ended := map[string]bool{} // OK events read with their problem
	for _, e := range b.events {
		if r := e.o.Str("r_eventid"); r != "" && r != "0" && e.o.Str("value") != "0" {
			if _, ok := recovery[r]; ok {
				ended[r] = true
			}
		}
	}
	for _, e := range b.events {
		if err := ctx.Err(); err != nil {
			return err
		}
		alerts, fe := p.apiAlerts(e.o, recovery, ended)
		if fe != nil {
			if err := p.fail(e.line, e.prefix, fe); err != nil {
				return err
			}
			continue
		}
		for _, a := range alerts {
			if err := p.sink.Event(a.Event(Source)); err != nil {
				return err
			}
		}
	}
	return nil
}

// apiAlerts reads one event or problem object: its start (a problem event)
// or end (an OK event, or a problem's r_clock or recovery event), and one
// event per acknowledge entry.
func (p *parser) apiAlerts(o alertjson.Object, recovery map[string]alertjson.Object, ended map[string]bool) ([]importers.Alert, *fieldError) {
	id := o.Str("eventid")
	if id == "" {
		return nil, &fieldError{field: "eventid", reason: "is missing"}
	}
	value := o.Str("value")
	if value == "0" && ended[id] {
		return nil, nil // read with its problem
	}
	at, atText, fe := apiTime(o, "clock", "ns")
	if fe != nil {
		return nil, fe
	}
	base := importers.Alert{
		AlertID:  id,
		Title:    clean(o.Str("name")),
		Details:  clean(o.Str("opdata")),
		Severity: severityName("", o.Str("severity")),
		Actor:    "Zabbix",
	}
	base.Host = apiHost(o)
	tags := tagsOf(o.List("tags"))
	base.Service = tagValue(tags, "service", "component", "application")
	base.Component = tagValue(tags, "component")
	base.IncidentRef = incidentTag(tags)
	if o.Str("object") == "0" || o.Str("object") == "" {
		base.Link = eventLink(p.baseURL, o.Str("objectid"), id)
	}
	extra := map[string]any{}
	if len(tags) > 0 {
		extra["tags"] = tagStrings(tags)
	}
	if t := o.Str("objectid"); t != "" {
		extra["trigger_id"] = t
	}
	// problem.get says when a problem is suppressed (a maintenance, or a
	// user); the answer does not say since when, so it is told, not dated.
	if o.Str("suppressed") == "1" {
		extra["suppressed"] = true
		note := "Suppressed"
		for _, el := range o.List("suppression_data") {
			sd, ok := alertjson.AsObject(el)
			if !ok {
				continue
			}
			if m := sd.Str("maintenanceid"); m != "" && m != "0" {
				note += " by maintenance " + m
			} else if u := sd.Str("userid"); u != "" && u != "0" {
				note += " by Zabbix user " + u
			}
			if u := sd.Str("suppress_until"); u != "" && u != "0" {
				if t, err := importers.ParseTime(u, nil); err == nil {
					note += " until " + t.Format(time.RFC3339)
				}
			}
			break
		}
		base.Details = strings.TrimSpace(base.Details + "\n\n" + note + ".")
	}
	if len(extra) > 0 {
		base.Extra = extra
	}

	var out []importers.Alert
	switch src := o.Str("source"); {
	case src == "1" || src == "2":
		a := base
		a.Subtype, a.EventType = importers.SubtypeOther, map[string]string{"1": "discovery", "2": "autoregistration"}[src]
		a.ID, a.At, a.AtText = importers.StableID(Source, id, kindOther), at, atText
		return []importers.Alert{a}, nil
	case value == "0":
		// An OK event whose problem is not in the input.
		a := base
		a.Subtype, a.EventType, a.Status = importers.SubtypeResolve, "OK", "RESOLVED"
		a.ID, a.At, a.AtText = importers.StableID(Source, id, "ok event"), at, atText
		return []importers.Alert{a}, nil
	case value != "" && value != "1":
		a := base
		a.Subtype, a.EventType = importers.SubtypeOther, "value "+value
		a.ID, a.At, a.AtText = importers.StableID(Source, id, kindOther, value), at, atText
		return []importers.Alert{a}, nil
	}
	start := base
	start.Subtype, start.EventType, start.Status = importers.SubtypeTrigger, "PROBLEM", "PROBLEM"
	start.ID, start.At, start.AtText = problemID(id, kindProblem), at, atText
	out = append(out, start)

	end := base
	end.Subtype, end.EventType, end.Status = importers.SubtypeResolve, "RESOLVED", "RESOLVED"
	end.ID = problemID(id, kindRecovery)
	end.Details = ""
	rid := o.Str("r_eventid")
	switch {
	case o.Str("r_clock") != "" && o.Str("r_clock") != "0":
		t, txt, fe := apiTime(o, "r_clock", "r_ns")
		if fe != nil {
			return nil, fe
		}
		end.At, end.AtText = t, txt
		out = append(out, end)
	case rid != "" && rid != "0" && recovery[rid] != nil:
		t, txt, fe := apiTime(recovery[rid], "clock", "ns")
		if fe != nil {
			return nil, &fieldError{field: "r_eventid", reason: "recovery event " + rid + ": " + fe.Error()}
		}
		end.At, end.AtText = t, txt
		out = append(out, end)
	}

	for i, el := range o.List("acknowledges") {
		ack, ok := alertjson.AsObject(el)
		if !ok {
			return nil, &fieldError{field: fmt.Sprintf("acknowledges[%d]", i), reason: "is not an object"}
		}
		a, fe := ackAlert(base, ack)
		if fe != nil {
			fe.field = fmt.Sprintf("acknowledges[%d].%s", i, fe.field)
			return nil, fe
		}
		out = append(out, a)
	}
	return out, nil
}

// Update actions of acknowledge entries (a bitmask).
const (
	actClose      = 1
	actAck        = 2
	actMessage    = 4
	actSeverity   = 8
	actUnack      = 16
	actSuppress   = 32
	actUnsuppress = 64
	actCause      = 128
	actSymptom    = 256
)

// ackAlert reads one acknowledge entry (a problem update by a user): the
// strongest of its actions names the event, the rest go to its details.
func ackAlert(base importers.Alert, ack alertjson.Object) (importers.Alert, *fieldError) {
	a := base
	at, atText, fe := apiTime(ack, "clock", "")
	if fe != nil {
		return a, fe
	}
	a.At, a.AtText = at, atText
	action, err := strconv.Atoi(firstNonEmpty(ack.Str("action"), "0"))
	if err != nil || action < 0 {
		return a, &fieldError{field: "action", reason: "is not an update action bitmask"}
	}
	var words []string
	for _, w := range []struct {
		bit  int
		word string
	}{{actClose, "close"}, {actAck, "acknowledge"}, {actMessage, "message"}, {actSeverity, "change severity"},
		{actUnack, "unacknowledge"}, {actSuppress, "suppress"}, {actUnsuppress, "unsuppress"},
		{actCause, "rank as cause"}, {actSymptom, "rank as symptom"}} {
		if action&w.bit != 0 {
			words = append(words, w.word)
		}
	}
	message := clean(ack.Str("message"))
	switch {
	case action&actClose != 0:
		a.Subtype = importers.SubtypeResolve
	case action&actUnack != 0:
		a.Subtype = importers.SubtypeUnack
	case action&actAck != 0, action == 0: // before Zabbix 4.0 an entry was an acknowledgement
		a.Subtype = importers.SubtypeAcknowledge
	case action&actSuppress != 0:
		a.Subtype = importers.SubtypeSuppress
	case action&(actUnsuppress|actSeverity|actCause|actSymptom) != 0:
		a.Subtype = importers.SubtypeUpdate
	case action&actMessage != 0:
		a.Subtype = importers.SubtypeNote
	default:
		a.Subtype = importers.SubtypeUpdate
	}
	if len(words) == 0 {
		words = []string{"acknowledge"}
	}
	a.EventType = strings.Join(words, ", ")
	lines := []string{}
	if message != "" {
		lines = append(lines, message)
	}
	if action&actSeverity != 0 {
		from, to := severityName("", ack.Str("old_severity")), severityName("", ack.Str("new_severity"))
		lines = append(lines, "Severity changed from "+firstNonEmpty(from, "?")+" to "+firstNonEmpty(to, "?")+".")
		if to != "" {
			a.Severity = to
		}
	}
	if action&actSuppress != 0 {
		if u := ack.Str("suppress_until"); u != "" && u != "0" {
			if t, err := importers.ParseTime(u, time.UTC); err == nil {
				lines = append(lines, "Suppressed until "+t.Format(time.RFC3339)+".")
			}
		} else {
			lines = append(lines, "Suppressed indefinitely.")
		}
	}
	a.Details = strings.Join(lines, "\n\n")
	a.Actor = ackActor(ack)
	a.Status = ""
	if id := ack.Str("acknowledgeid"); id != "" {
		a.ID = importers.StableID(Source, "acknowledge", id)
	} else {
		a.ID = importers.StableID(Source, base.AlertID, "acknowledge", atText, strconv.Itoa(action), message)
	}
	return a, nil
}

// ackActor is who updated the problem: name and surname, else the
// username, else the user id.
func ackActor(ack alertjson.Object) string {
	if n := strings.TrimSpace(ack.Str("name") + " " + ack.Str("surname")); n != "" {
		return n
	}
	if u := ack.Str("username", "alias"); u != "" {
		return u
	}
	if id := ack.Str("userid"); id != "" {
		return "Zabbix user " + id
	}
	return "Zabbix user"
}

// apiHost is the first host of a problem (selectHosts): its visible name,
// else its technical name, else "host <hostid>" when only ids were asked.
func apiHost(o alertjson.Object) string {
	for _, el := range o.List("hosts") {
		if h, ok := alertjson.AsObject(el); ok {
			if n := h.Str("name", "host"); n != "" {
				return n
			}
			if id := h.Str("hostid"); id != "" {
				return "host " + id
			}
		}
	}
	return ""
}

// apiTime reads a Unix time in seconds (and its nanoseconds field).
func apiTime(o alertjson.Object, clockKey, nsKey string) (time.Time, string, *fieldError) {
	c := o.Str(clockKey)
	if c == "" {
		return time.Time{}, "", &fieldError{field: clockKey, reason: "is missing"}
	}
	sec, err := strconv.ParseInt(c, 10, 64)
	if err != nil || sec <= 0 {
		return time.Time{}, "", &fieldError{field: clockKey, reason: "is not a Unix time in seconds: " + strconv.Quote(c)}
	}
	var ns int64
	if nsKey != "" {
		if n, err := strconv.ParseInt(o.Str(nsKey), 10, 64); err == nil && n > 0 && n < 1e9 {
			ns = n
		}
	}
	t := time.Unix(sec, ns).UTC()
	if _, err := importers.ParseTime(c, time.UTC); err != nil {
		return time.Time{}, "", &fieldError{field: clockKey, reason: err.Error()}
	}
	return t, c, nil
}
