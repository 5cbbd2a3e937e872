package zabbix

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/hindsightrca/hindsight/importers/internal/alertjson"
)

// mapping says where a webhook payload keeps our fields: the user's
// mapping first, then the default names (compared without case, dots,
// dashes and underscores, so "EVENT.ID", "Event_ID" and "event_id" all
// match).
type mapping struct {
	user   map[string]string // our field → payload key
	layout string            // Go layout of the mapped time (time_format)
}

// MappingFields are the fields a Zabbix mapping can name.
var MappingFields = []string{"id", "date", "time", "clock", "zone", "status", "severity", "host", "service", "title",
	"details", "link", "incident", "update_action", "update_message", "actor", "time_format"}

// aliases are the generic importers' field names a mapping made for them
// may use ("text=…" on the command line).
var aliases = map[string]string{"text": "details", "thread": "id"}

// ignored are generic mapping fields that mean nothing here.
var ignored = map[string]bool{"kind": true, "source": true}

func newMapping(m map[string]string) (mapping, error) {
	out := mapping{user: map[string]string{}}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(m[k])
		f := strings.ToLower(strings.TrimSpace(k))
		if a, ok := aliases[f]; ok {
			f = a
		}
		switch {
		case ignored[f]:
			continue
		case f == "time_format":
			out.layout = v
			continue
		case !known(f):
			return out, errors.New("mapping field " + strconv.Quote(k) + ": want one of " + strings.Join(MappingFields, ", "))
		case v == "":
			return out, errors.New("mapping field " + strconv.Quote(k) + ": names no payload key")
		}
		out.user[f] = v
	}
	return out, nil
}

func known(f string) bool {
	for _, k := range MappingFields {
		if k == f {
			return true
		}
	}
	return false
}

// defaults are the payload keys (normalized) read for each field when the
// mapping names none. Internal fields not in MappingFields start with "_".
var defaults = map[string][]string{
	"id":             {"eventid"},
	"date":           {"eventdate", "eventdatetime"},
	"time":           {"eventtime"},
	"clock":          {"eventtimestamp", "eventclock"},
	"zone":           {"timezone", "eventtimezone", "zabbixtimezone"},
	"status":         {"eventstatus", "status", "triggerstatus"},
	"severity":       {"eventseverity", "severity", "triggerseverity"},
	"host":           {"hostname", "host", "hosthost"},
	"service":        {"service"},
	"title":          {"eventname", "triggername", "alertsubject", "subject"},
	"details":        {"alertmessage", "message"},
	"link":           {"link", "eventurl"},
	"incident":       {"hindsightincident", "incident"},
	"update_action":  {"eventupdateaction"},
	"update_message": {"eventupdatemessage"},
	"actor":          {"userfullname", "zbxuser", "eventupdateuser", "username"},
	"_value":         {"eventvalue", "value"},
	"_nseverity":     {"eventnseverity", "triggernseverity"},
	"_update_status": {"eventupdatestatus"},
	"_rdate":         {"eventrecoverydate"},
	"_rtime":         {"eventrecoverytime"},
	"_rclock":        {"eventrecoverytimestamp"},
	"_udate":         {"eventupdatedate"},
	"_utime":         {"eventupdatetime"},
	"_uclock":        {"eventupdatetimestamp"},
	"_source":        {"eventsource"},
	"_trigger_id":    {"triggerid"},
	"_url":           {"zabbixurl", "zbxurl", "zabbixfrontendurl"},
	"_host_ip":       {"hostip"},
	"_tags_json":     {"eventtagsjson"},
	"_tags":          {"eventtags", "tags"},
	"_host_group":    {"hostgroup", "triggerhostgroupname", "hostgroups"},
	"_description":   {"triggerdescription"},
	"_recovery_id":   {"eventrecoveryid"},
}

// normKey folds a payload key for comparison with the defaults.
func normKey(k string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		switch r {
		case '.', '_', '-', ' ', '{', '}', '$':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// payload is one webhook payload with its keys folded.
type payload struct {
	o    alertjson.Object
	norm map[string]string // folded key → key
	m    mapping
}

func newPayload(o alertjson.Object, m mapping) payload {
	p := payload{o: o, norm: make(map[string]string, len(o)), m: m}
	keys := make([]string, 0, len(o))
	for k := range o {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same key wins every time when two fold alike
	for _, k := range keys {
		if _, dup := p.norm[normKey(k)]; !dup {
			p.norm[normKey(k)] = k
		}
	}
	return p
}

// lookup finds field: the mapped key (exactly, folded, or as a dotted path
// into nested objects), else the first default key present. It returns the
// key read and its raw value.
func (p payload) lookup(field string) (string, any) {
	if k, ok := p.m.user[field]; ok {
		if v, ok := p.o[k]; ok {
			return k, v
		}
		if real, ok := p.norm[normKey(k)]; ok {
			return real, p.o[real]
		}
		if v, ok := path(p.o, k); ok {
			return k, v
		}
		return k, nil
	}
	for _, d := range defaults[field] {
		if real, ok := p.norm[d]; ok {
			if s := macroFree(alertjson.ValueText(p.o[real])); s != "" || !isText(p.o[real]) {
				return real, p.o[real]
			}
		}
	}
	return "", nil
}

func isText(v any) bool {
	switch v.(type) {
	case []any, map[string]any:
		return false
	}
	return true
}

// get is the text of field, without unexpanded macros; key is the payload
// key it came from (for messages), or the default name when absent.
func (p payload) get(field string) (value, key string) {
	k, v := p.lookup(field)
	if k == "" {
		k = defaultName(field)
	}
	return macroFree(alertjson.ValueText(v)), k
}

// str is the text of field.
func (p payload) str(field string) string {
	v, _ := p.get(field)
	return v
}

// defaultName is the documented payload key of field.
func defaultName(field string) string {
	names := map[string]string{
		"id": "event_id", "date": "event_date", "time": "event_time", "clock": "event_timestamp", "zone": "timezone",
		"_rdate": "event_recovery_date", "_rtime": "event_recovery_time", "_rclock": "event_recovery_timestamp",
		"_udate": "event_update_date", "_utime": "event_update_time", "_uclock": "event_update_timestamp",
		"_tags_json": "event_tags_json", "_tags": "event_tags", "title": "event_name", "severity": "event_severity",
	}
	if n, ok := names[field]; ok {
		return n
	}
	return strings.TrimPrefix(field, "_")
}

// path reads "a.b.c" through nested objects.
func path(o alertjson.Object, p string) (any, bool) {
	if !strings.Contains(p, ".") {
		return nil, false
	}
	var cur any = map[string]any(o)
	for _, part := range strings.Split(p, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// macroFree drops what Zabbix leaves when it cannot expand a macro: the
// macro itself ("{EVENT.RECOVERY.DATE}", "{$ZABBIX.URL}") or "*UNKNOWN*".
func macroFree(s string) string {
	s = strings.TrimSpace(s)
	if s == "*UNKNOWN*" {
		return ""
	}
	if len(s) > 2 && s[0] == '{' && s[len(s)-1] == '}' && !strings.ContainsAny(s, " \"\n:") {
		inner := s[1 : len(s)-1]
		if inner == strings.ToUpper(inner) {
			return ""
		}
	}
	return s
}

// MappingFields implements importers.Mapper: the fields a Zabbix mapping
// (hook or --map) may name.
func (Importer) MappingFields() []string { return MappingFields }
