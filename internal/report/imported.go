package report

import (
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// imported builds the domain objects from the front matter and sections and
// validates them, naming the file line of every problem.
func (fm frontMatter) imported(secs []incident.Section, at lines) (Imported, error) {
	v := &incident.ValidationError{}
	out := Imported{SourceKey: fm.Key, Origin: strings.TrimSpace(fm.URL), Incident: fm.incident()}
	out.Incident.Normalize()
	if err := out.Incident.Validate(); err != nil {
		addAll(v, at, "", err, fm.corpusAlias())
	}

	ids := map[int64]bool{}
	for i, y := range fm.Timeline {
		p := "timeline[" + strconv.Itoa(i) + "]"
		e := incident.TimelineEvent{
			ID: y.ID, OccurredAt: y.OccurredAt, Source: y.Source, Kind: incident.EventKind(y.Kind),
			Actor: y.Actor, Body: y.Body, Link: y.Link, ExternalID: y.ExternalID, KeyEvent: y.KeyEvent,
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			addAll(v, at, p+".", err, nil)
		}
		switch {
		case y.ID <= 0:
			at.add(v, p+".id", "must be a positive number (root causes cite events by it)")
		case ids[y.ID]:
			at.add(v, p+".id", "repeats the id of an earlier event")
		}
		ids[y.ID] = true
		out.Events = append(out.Events, e)
	}

	for i, y := range fm.RootCauses {
		p := "root_causes[" + strconv.Itoa(i) + "]"
		rc := incident.RootCause{Category: incident.RootCauseCategory(y.Category), Description: y.Description, EvidenceEventIDs: y.Evidence}
		rc.Normalize()
		if err := rc.Validate(); err != nil {
			addAll(v, at, p+".", err, map[string]string{"evidence_event_ids": "evidence"})
		}
		for j, id := range rc.EvidenceEventIDs {
			if !ids[id] {
				at.add(v, p+".evidence["+strconv.Itoa(j)+"]", "event "+strconv.FormatInt(id, 10)+" is not in the timeline of this file")
			}
		}
		out.RootCauses = append(out.RootCauses, rc)
	}

	for i, y := range fm.Actions {
		p := "actions[" + strconv.Itoa(i) + "]"
		a := incident.CorrectiveAction{
			Title: y.Title, Description: y.Description, Type: incident.ActionType(y.Type),
			Priority: incident.Priority(y.Priority), Owner: y.Owner, Team: y.Team,
			Status: incident.ActionStatus(y.Status), TicketSystem: y.TicketSystem,
			TicketKey: y.TicketKey, TicketURL: y.TicketURL,
		}
		if y.DueDate != "" {
			d, err := incident.ParseDate(y.DueDate)
			if err != nil {
				at.add(v, p+".due_date", err.Error())
			} else {
				a.DueDate = &d
			}
		}
		a.Normalize()
		if err := a.Validate(); err != nil {
			addAll(v, at, p+".", err, nil)
		}
		out.Actions = append(out.Actions, a)
	}

	if len(secs) > 0 || fm.Template != "" {
		r := incident.RCA{Template: fm.Template, Status: incident.RCAStatus(fm.RCAStatus), Sections: secs}
		r.Normalize()
		if err := r.Validate(); err != nil {
			addAll(v, at, "", err, map[string]string{"status": "rca_status"})
		}
		out.RCA = &r
	}
	if err := v.Err(); err != nil {
		return Imported{}, err
	}
	return out, nil
}

// incident is the incident the front matter describes; the public
// collection's fields fill in what Hindsight's own fields leave empty.
func (fm frontMatter) incident() incident.Incident {
	inc := incident.Incident{
		Title: fm.Title, Summary: fm.Summary, Severity: incident.Severity(fm.Severity),
		Status: incident.Status(fm.Status), Services: fm.Services, Teams: fm.Teams, Tags: fm.Tags,
		Commander: fm.Commander, Visibility: incident.Visibility(fm.Visibility),
		RestrictedTo: fm.RestrictedTo, CustomerImpact: fm.CustomerImpact,
		StartedAt: fm.StartedAt, DetectedAt: fm.DetectedAt, AcknowledgedAt: fm.AcknowledgedAt,
		MitigatedAt: fm.MitigatedAt, ResolvedAt: fm.ResolvedAt,
	}
	if inc.StartedAt == nil {
		inc.StartedAt = fm.StartTime.time()
	}
	if inc.ResolvedAt == nil {
		inc.ResolvedAt = fm.EndTime.time()
	}
	if inc.Tags == nil {
		inc.Tags = fm.Keywords
	}
	// The collection's url and company have no field of their own: see corpus.go.
	inc.Summary = withSource(inc.Summary, fm.URL)
	if t := tagOfCompany(fm.Company); t != "" && companyOf(inc.Tags) == "" {
		inc.Tags = append(append([]string(nil), inc.Tags...), t)
	}
	if ts := categoryTags(fm.Categories, fm.RootCauses, inc.Tags); len(ts) > 0 {
		inc.Tags = append(append([]string(nil), inc.Tags...), ts...)
	}
	if inc.Services == nil && fm.Product != "" {
		inc.Services = strings.Split(fm.Product, ",")
	}
	if inc.Status == "" && inc.ResolvedAt != nil {
		inc.Status = incident.StatusResolved
	}
	return inc
}

// corpusAlias names the front-matter field a problem with an incident field
// came from when the public collection's field supplied it.
func (fm frontMatter) corpusAlias() map[string]string {
	m := map[string]string{}
	if fm.StartedAt == nil && fm.StartTime.time() != nil {
		m["started_at"] = "start_time"
	}
	if fm.ResolvedAt == nil && fm.EndTime.time() != nil {
		m["resolved_at"] = "end_time"
	}
	if fm.Tags == nil && fm.Keywords != nil {
		m["tags"] = "keywords"
	}
	if fm.Services == nil && fm.Product != "" {
		m["services"] = "product"
	}
	return m
}

// addAll copies a domain validation error's fields into v, prefixed and
// renamed to the front-matter names, each with its line.
func addAll(v *incident.ValidationError, at lines, prefix string, err error, rename map[string]string) {
	ve, ok := err.(*incident.ValidationError)
	if !ok {
		v.Add(strings.TrimSuffix(prefix, "."), err.Error())
		return
	}
	for field, msg := range ve.Fields {
		name := field
		head, rest, _ := strings.Cut(field, "[")
		if r, ok := rename[head]; ok {
			name = r
			if rest != "" {
				name += "[" + rest
			}
		}
		at.add(v, prefix+name, msg)
	}
}
