package grafana

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
	"github.com/hindsightrca/hindsight/importers/internal/amalert"
)

// legacy is a notification of Grafana's legacy dashboard alerting.
type legacy struct {
	DashboardID alertjson.Text `json:"dashboardId"`
	EvalMatches []struct {
		Value  alertjson.Text            `json:"value"`
		Metric alertjson.Text            `json:"metric"`
		Tags   map[string]alertjson.Text `json:"tags"`
	} `json:"evalMatches"`
	ImageURL alertjson.Text            `json:"imageUrl"`
	Message  alertjson.Text            `json:"message"`
	OrgID    alertjson.Text            `json:"orgId"`
	PanelID  alertjson.Text            `json:"panelId"`
	RuleID   alertjson.Text            `json:"ruleId"`
	RuleName alertjson.Text            `json:"ruleName"`
	RuleURL  alertjson.Text            `json:"ruleUrl"`
	State    alertjson.Text            `json:"state"`
	Tags     map[string]alertjson.Text `json:"tags"`
	Title    alertjson.Text            `json:"title"`
	Time     alertjson.Text            `json:"time"`
}

// legacyAlert reads a legacy notification (see the package doc).
func legacyAlert(raw json.RawMessage, prefix string, c amalert.Config) (importers.Alert, *alertjson.FieldError) {
	var l legacy
	if err := alertjson.Decode(raw, &l); err != nil {
		return importers.Alert{}, alertjson.DecodeError(prefix, err)
	}
	bad := func(field, reason string) (importers.Alert, *alertjson.FieldError) {
		return importers.Alert{}, &alertjson.FieldError{Field: alertjson.Join(prefix, field), Reason: reason}
	}
	state := strings.ToLower(l.State.String())
	if state == "" {
		return bad("state", "is missing (want alerting, ok, no_data, paused or pending)")
	}
	var (
		at      time.Time
		atText  string
		timeKey string
	)
	switch {
	case l.Time.String() != "":
		t, err := importers.ParseTime(l.Time.String(), c.Location)
		if err != nil {
			return bad(TimeField, err.Error())
		}
		at, atText, timeKey = t, l.Time.String(), t.Format(time.RFC3339Nano)
	case c.Delivery != nil:
		at, atText = importers.DeliveryTime(*c.Delivery)
		timeKey = at.Truncate(time.Minute).Format(time.RFC3339)
	default:
		return bad(TimeField, `is missing: a legacy Grafana notification carries no time, so a file needs a top-level "time" (RFC 3339 or Unix seconds) on each of them`)
	}
	rule := alertjson.FirstOf(l.RuleID.String(), l.RuleName.String(), l.Title.String())
	if rule == "" {
		return bad("ruleId", "is missing, as are ruleName and title")
	}
	tags := alertjson.Strings(l.Tags)
	sub := amalert.Subtype(state)
	if state == "alerting" {
		sub = importers.SubtypeTrigger
	}
	a := importers.Alert{
		ID:          importers.StableID("legacy", l.OrgID.String(), l.DashboardID.String(), l.PanelID.String(), rule, state, timeKey),
		At:          at,
		AtText:      atText,
		Subtype:     sub,
		EventType:   state,
		Status:      state,
		AlertID:     "rule:" + ruleKey(l),
		Title:       alertjson.Plain(alertjson.FirstOf(l.RuleName.String(), l.Title.String())),
		Details:     legacyDetails(&l),
		Service:     alertjson.First(tags, "service", "job", "app"),
		Host:        alertjson.First(tags, "instance", "host", "node", "hostname"),
		Component:   alertjson.First(tags, "component"),
		Severity:    alertjson.First(tags, "severity", "priority"),
		Actor:       tool,
		Link:        alertjson.Link(l.RuleURL.String()),
		IncidentRef: alertjson.IncidentRef(tags),
	}
	x := map[string]any{}
	if len(tags) > 0 {
		x["tags"] = tags
	}
	for k, v := range map[string]string{"org_id": l.OrgID.String(), "dashboard_id": l.DashboardID.String(), "panel_id": l.PanelID.String(),
		"rule_id": l.RuleID.String(), "notification_title": l.Title.String(), "image_url": alertjson.Link(l.ImageURL.String())} {
		if v != "" {
			x[k] = v
		}
	}
	var matches []map[string]any
	for _, m := range l.EvalMatches {
		matches = append(matches, map[string]any{"metric": m.Metric.String(), "value": m.Value.String(), "tags": alertjson.Strings(m.Tags)})
	}
	if len(matches) > 0 {
		x["eval_matches"] = matches
	}
	a.Extra = x
	return a, nil
}

// ruleKey names the rule in the thread id: "<orgId>/<ruleId>", the rule
// id alone without an org, or a hash of the name without an id.
func ruleKey(l legacy) string {
	id := l.RuleID.String()
	if id == "" {
		id = importers.StableID(alertjson.FirstOf(l.RuleName.String(), l.Title.String()))[:12]
	}
	if org := l.OrgID.String(); org != "" {
		return org + "/" + id
	}
	return id
}

// legacyDetails is the message, one line per matching series, and the image.
func legacyDetails(l *legacy) string {
	var parts []string
	if m := l.Message.String(); m != "" {
		parts = append(parts, m)
	}
	var lines []string
	for _, m := range l.EvalMatches {
		lines = append(lines, fmt.Sprintf("- %s = %s", alertjson.FirstOf(m.Metric.String(), "value"), m.Value.String()))
	}
	if len(lines) > 0 {
		parts = append(parts, "Matches:\n"+strings.Join(lines, "\n"))
	}
	if img := alertjson.Link(l.ImageURL.String()); img != "" {
		parts = append(parts, "Image: "+img)
	}
	return alertjson.Plain(strings.Join(parts, "\n\n"))
}
