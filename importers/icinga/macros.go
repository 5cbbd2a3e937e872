package icinga

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// macroAliases maps Icinga 2 runtime macro names onto the Nagios macro
// names the parser reads.
var macroAliases = map[string]string{
	"notification.type":          "NOTIFICATIONTYPE",
	"notification.author":        "NOTIFICATIONAUTHORNAME",
	"notification.comment":       "NOTIFICATIONCOMMENT",
	"host.name":                  "HOSTNAME",
	"host.display_name":          "HOSTDISPLAYNAME",
	"host.state":                 "HOSTSTATE",
	"host.output":                "HOSTOUTPUT",
	"address":                    "HOSTADDRESS",
	"host.address":               "HOSTADDRESS",
	"service.name":               "SERVICENAME",
	"service.display_name":       "SERVICEDISPLAYNAME",
	"service.state":              "SERVICESTATE",
	"service.output":             "SERVICEOUTPUT",
	"icinga.long_date_time":      "LONGDATETIME",
	"icinga.timet":               "TIMET",
	"notification_icingaweb2url": "ICINGAWEB2URL",
}

// macroKey brings a macro name to its Nagios spelling: "$HOSTNAME$",
// "NAGIOS_HOSTNAME", "ICINGA_HOSTNAME" and "host.name" all read HOSTNAME.
func macroKey(k string) string {
	k = strings.Trim(strings.TrimSpace(k), "$")
	if a, ok := macroAliases[strings.ToLower(k)]; ok {
		return a
	}
	k = strings.ToUpper(k)
	for _, p := range []string{"NAGIOS_", "ICINGA_"} {
		k = strings.TrimPrefix(k, p)
	}
	return k
}

// macroMap reads an object as notification macros; ok is false when it
// does not look like them (no NOTIFICATIONTYPE, and no HOSTNAME with a
// state).
func macroMap(keys map[string]json.RawMessage) (map[string]string, bool) {
	m := make(map[string]string, len(keys))
	for k, raw := range keys {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			continue
		}
		var v string
		switch raw[0] {
		case '"':
			if json.Unmarshal(raw, &v) != nil {
				continue
			}
		case '{', '[', 'n':
			continue
		default:
			v = string(raw) // numbers and booleans as written
		}
		m[macroKey(k)] = v
	}
	return m, isMacros(m)
}

func isMacros(m map[string]string) bool {
	if m["NOTIFICATIONTYPE"] != "" {
		return true
	}
	return m["HOSTNAME"] != "" && (m["HOSTSTATE"] != "" || m["SERVICESTATE"] != "")
}

// macros maps one notification's macros.
func (p parser) macros(raw map[string]string) (importers.Alert, *fieldError) {
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		m[macroKey(k)] = strings.TrimSpace(v)
	}
	if !isMacros(m) {
		return importers.Alert{}, &fieldError{Field: "NOTIFICATIONTYPE", Reason: "is missing: want Nagios/Icinga notification macros (NOTIFICATIONTYPE, HOSTNAME, SERVICEDESC, SERVICESTATE, …)"}
	}
	host := firstNonEmpty(m["HOSTNAME"], m["HOSTALIAS"], m["HOSTDISPLAYNAME"])
	if host == "" {
		return importers.Alert{}, &fieldError{Field: "HOSTNAME", Reason: "is missing"}
	}
	service := firstNonEmpty(m["SERVICEDESC"], m["SERVICENAME"], m["SERVICEDISPLAYNAME"])
	state, output := m["HOSTSTATE"], joinText(m["HOSTOUTPUT"], m["LONGHOSTOUTPUT"])
	if service != "" {
		state, output = m["SERVICESTATE"], joinText(m["SERVICEOUTPUT"], m["LONGSERVICEOUTPUT"])
	}
	state = strings.ToUpper(state)
	ntype := m["NOTIFICATIONTYPE"]
	a := importers.Alert{
		EventType: firstNonEmpty(ntype, "notification"),
		Host:      host, Service: service, AlertID: alertID(host, service),
		Status: state, Severity: state, Actor: "Icinga",
		Extra: map[string]any{},
	}
	label := checkable(host, service)
	a.Title = label
	if state != "" {
		a.Title += " is " + state
	}
	switch {
	case ntype != "":
		a.Subtype = notificationSubtype(ntype)
		a.Extra["notification_type"] = ntype
	case state == "OK" || state == "UP":
		a.Subtype = importers.SubtypeResolve
	default:
		a.Subtype = importers.SubtypeTrigger
	}
	author := firstNonEmpty(m["NOTIFICATIONAUTHORNAME"], m["NOTIFICATIONAUTHOR"], m["NOTIFICATIONAUTHORALIAS"])
	if author != "" {
		a.Actor = author
	}
	a.Details = joinText(m["NOTIFICATIONCOMMENT"], output)
	if addr := m["HOSTADDRESS"]; addr != "" {
		a.Extra["address"] = addr
	}
	for _, k := range []string{"SERVICEPROBLEMID", "HOSTPROBLEMID", "NOTIFICATIONNUMBER"} {
		if v := m[k]; v != "" && v != "0" {
			a.Extra[strings.ToLower(k)] = v
		}
	}
	if base := m["ICINGAWEB2URL"]; strings.HasPrefix(base, "https://") || strings.HasPrefix(base, "http://") {
		base = strings.TrimRight(base, "/")
		if service != "" {
			a.Link = base + "/monitoring/service/show?host=" + url.QueryEscape(host) + "&service=" + url.QueryEscape(service)
		} else {
			a.Link = base + "/monitoring/host/show?host=" + url.QueryEscape(host)
		}
	}
	at, text, received, ferr := p.macroTime(m)
	if ferr != nil {
		return a, ferr
	}
	a.At, a.AtText = at, text
	idTime := text
	if received {
		idTime = ""
	}
	a.IncidentRef = firstNonEmpty(m["HINDSIGHT_INCIDENT"], m["INCIDENT"], m["_SERVICEHINDSIGHT_INCIDENT"], m["_SERVICEINCIDENT"],
		m["_HOSTHINDSIGHT_INCIDENT"], m["_HOSTINCIDENT"], p.incident, incidentTag(m["NOTIFICATIONCOMMENT"]))
	a.ID = importers.StableID("icinga-macros", ntype, host, service, state, idTime, author, m["NOTIFICATIONCOMMENT"],
		m["SERVICEPROBLEMID"], m["HOSTPROBLEMID"], m["NOTIFICATIONNUMBER"])
	return a, nil
}

// macroTime reads TIMET (exact), else LONGDATETIME, else SHORTDATETIME;
// a delivery without any is dated when it was received.
func (p parser) macroTime(m map[string]string) (time.Time, string, bool, *fieldError) {
	if s := m["TIMET"]; s != "" && s != "0" {
		t, text, err := parseStamp(num(s))
		if err != nil {
			return t, text, false, &fieldError{Field: "TIMET", Reason: err.Error()}
		}
		return t, text, false, nil
	}
	for _, k := range []string{"LONGDATETIME", "SHORTDATETIME"} {
		if s := m[k]; s != "" {
			t, err := importers.ParseTime(s, time.UTC)
			if err != nil {
				return t, s, false, &fieldError{Field: k, Reason: err.Error()}
			}
			if !incident.TimeInRange(t) {
				return t, s, false, &fieldError{Field: k, Reason: "is out of range: " + s}
			}
			return t, s, false, nil
		}
	}
	if p.delivery != nil {
		t, text := importers.DeliveryTime(*p.delivery)
		return t, text, true, nil
	}
	return time.Time{}, "", false, &fieldError{Field: "LONGDATETIME", Reason: "is missing (or TIMET)"}
}
