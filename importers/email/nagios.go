package email

import (
	"regexp"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

var (
	// "** PROBLEM Service Alert: web01/HTTP is CRITICAL **" (Nagios, Icinga 1).
	nagiosSubjectRe = regexp.MustCompile(`^\*\*\s*([A-Za-z_]+(?:\s*\([A-Z]+\))?)\s+(Service|Host)\s+Alert:\s*(.+?)\s+is\s+([A-Za-z]+)\s*\*\*\s*$`)
	// "[PROBLEM] HTTP on web01 is CRITICAL!", "[RECOVERY] Host db02 is UP!" (Icinga 2).
	icingaSubjectRe = regexp.MustCompile(`^\[([A-Za-z_]+)\]\s+(?:Host\s+(.+?)|(.+)\s+on\s+(.+?))\s+is\s+([A-Za-z]+)!?\s*$`)
	// "PROBLEM - web01 - HTTP is CRITICAL" (Icinga 2 before 2.8).
	icingaOldSubjectRe = regexp.MustCompile(`^([A-Z_]+)\s+-\s+(.+?)(?:\s+-\s+(.+?))?\s+is\s+([A-Za-z]+)\s*$`)
	bannerRe           = regexp.MustCompile(`(?m)^\s*\*{3,}\s*(Nagios|Icinga|Service Monitoring on|Host Monitoring on)\b`)
	fieldRe            = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9 /]{0,30}?)\s*:(?:\s+(.*)|)$`)
	commentByRe        = regexp.MustCompile(`^\s*Comment by (.+?):\s*(.*)$`)
	commentAuthorRe    = regexp.MustCompile(`^\[([^\]]+)\]\s*(.*)$`)
	bareURLRe          = regexp.MustCompile(`^\s*(https?://\S+)\s*$`)
)

// nagiosFields are the body fields of Nagios and Icinga notification mails.
var nagiosFields = map[string]bool{
	"notification type": true, "service": true, "host": true, "address": true, "state": true,
	"date/time": true, "when": true, "info": true, "additional info": true, "comment": true,
	"ipv4": true, "ipv6": true, "host alias": true, "host address": true, "author": true,
}

// multiLine are the fields whose value may go on over the next lines.
var multiLine = map[string]bool{"info": true, "additional info": true, "comment": true, "comment by": true}

// nagiosBody reads the "Key: value" fields of a notification body.
func nagiosBody(text string) (fields map[string]string, author, link string) {
	fields = map[string]string{}
	var cur string
	var buf []string
	flush := func() {
		if cur != "" {
			v := strings.TrimSpace(strings.Join(buf, "\n"))
			if _, seen := fields[cur]; !seen || fields[cur] == "" {
				fields[cur] = v
			}
		}
		cur, buf = "", nil
	}
	for _, line := range strings.Split(text, "\n") {
		if m := commentByRe.FindStringSubmatch(line); m != nil {
			flush()
			author, cur, buf = strings.TrimSpace(m[1]), "comment by", []string{m[2]}
			continue
		}
		if m := bareURLRe.FindStringSubmatch(line); m != nil && link == "" {
			link = m[1]
			continue
		}
		if m := fieldRe.FindStringSubmatch(line); m != nil && nagiosFields[strings.ToLower(m[1])] {
			flush()
			cur, buf = strings.ToLower(m[1]), []string{m[2]}
			continue
		}
		if multiLine[cur] {
			buf = append(buf, strings.TrimSpace(line))
			continue
		}
		flush()
	}
	flush()
	if c, ok := fields["comment by"]; ok {
		fields["comment"] = c
	}
	if m := commentAuthorRe.FindStringSubmatch(fields["comment"]); m != nil && author == "" {
		author, fields["comment"] = strings.TrimSpace(m[1]), strings.TrimSpace(m[2]) // "Comment: [alice] on it"
	}
	return fields, author, link
}

// nagios reads Nagios and Icinga notification mails.
func nagios(m *mailContext) (mailAlert, bool) {
	subj := m.msg.Subject
	var ntype, host, service, state string
	source := "nagios"
	switch {
	case nagiosSubjectRe.MatchString(subj):
		s := nagiosSubjectRe.FindStringSubmatch(subj)
		ntype, state = s[1], s[4]
		if s[2] == "Service" {
			host, service, _ = strings.Cut(s[3], "/")
		} else {
			host = s[3]
		}
	case icingaSubjectRe.MatchString(subj):
		s := icingaSubjectRe.FindStringSubmatch(subj)
		ntype, state, source = s[1], s[5], "icinga"
		if s[2] != "" {
			host = s[2]
		} else {
			service, host = s[3], s[4]
		}
	}
	banner := bannerRe.FindStringSubmatch(m.msg.Text)
	fields, author, link := nagiosBody(m.msg.Text)
	if ntype == "" {
		isBody := banner != nil && (fields["host"] != "" || fields["notification type"] != "")
		isBody = isBody || fields["notification type"] != "" && fields["host"] != "" && fields["state"] != ""
		if !isBody {
			return mailAlert{}, false
		}
		if s := icingaOldSubjectRe.FindStringSubmatch(subj); s != nil {
			ntype, host, service, state = s[1], s[2], s[3], s[4]
		}
	}
	if banner != nil && banner[1] != "Nagios" {
		source = "icinga"
	}
	// The body names things as the tool knows them; the subject may use
	// display names or aliases.
	ntype = firstNonEmpty(fields["notification type"], ntype)
	host = firstNonEmpty(fields["host"], host)
	service = firstNonEmpty(fields["service"], service)
	state = strings.ToUpper(firstNonEmpty(fields["state"], state))
	if host == "" {
		return mailAlert{}, false
	}
	a := mailAlert{source: source}
	a.EventType = firstNonEmpty(ntype, "notification")
	a.Subtype = notificationSubtype(ntype)
	if ntype == "" {
		a.Subtype = importers.SubtypeTrigger
		if state == "OK" || state == "UP" {
			a.Subtype = importers.SubtypeResolve
		}
	}
	a.Host, a.Service, a.Status, a.Severity = host, service, state, state
	a.AlertID = host
	label := host
	if service != "" {
		a.AlertID = host + "!" + service
		label = service + " on " + host
	}
	a.Title = label
	if state != "" {
		a.Title += " is " + state
	}
	output := firstNonEmpty(fields["additional info"], fields["info"])
	comment := fields["comment"]
	a.Details = strings.TrimSpace(comment + "\n\n" + output)
	a.Actor = strings.ToUpper(source[:1]) + source[1:]
	if author != "" {
		a.Actor = author
	}
	if strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
		a.Link = link
	}
	a.Extra = map[string]any{}
	if ntype != "" {
		a.Extra["notification_type"] = ntype
	}
	if addr := firstNonEmpty(fields["address"], fields["ipv4"], fields["ipv6"]); addr != "" {
		a.Extra["address"] = addr
	}
	a.At, a.AtText = m.at, m.atText
	if when := firstNonEmpty(fields["date/time"], fields["when"]); when != "" {
		if t, note, ok := bodyTime(when, m.msg.Date, m.loc); ok {
			a.At, a.AtText = t, when
			if note != "" {
				m.msg.Notes = appendNote(m.msg.Notes, note)
			}
		}
	}
	return a, true
}
