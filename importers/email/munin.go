package email

import (
	"regexp"
	"strings"

	"github.com/hindsightrca/hindsight/importers"
)

var (
	// "example.com :: web01.example.com :: Disk usage in percent"
	muninHeadRe = regexp.MustCompile(`^\s*(\S[^:]*?)\s+::\s+(\S[^:]*?)\s+::\s+(.+?)\s*$`)
	// "\tCRITICALs: / is 97.1 (outside range [:95])."
	muninListRe = regexp.MustCompile(`^\s+(CRITICALs|WARNINGs|UNKNOWNs|OKs):\s*(.*?)\s*$`)
	// The munin documentation's subject: "Munin CRITICAL: group::host::plugin".
	muninSubjectRe = regexp.MustCompile(`(?i)^\s*Munin\b.*?:\s*([^\s:]+)::([^\s:]+)::(\S+)\s*$`)
)

// muninBlock is one munin-limits message: a graph of a host and its
// fields by state.
type muninBlock struct {
	group, host, title string
	lists              map[string]string
	lines              []string
}

// munin reads munin-limits' default messages; a mail may hold several.
func munin(m *mailContext) []mailAlert {
	var blocks []*muninBlock
	var cur *muninBlock
	for _, line := range strings.Split(m.msg.Text, "\n") {
		if l := muninListRe.FindStringSubmatch(line); l != nil && cur != nil {
			cur.lists[l[1]] = strings.TrimSpace(strings.TrimSuffix(l[2], "."))
			cur.lines = append(cur.lines, l[1]+": "+strings.TrimSpace(l[2]))
			continue
		}
		if cur != nil && len(cur.lists) > 0 {
			blocks = append(blocks, cur)
		}
		cur = nil
		if h := muninHeadRe.FindStringSubmatch(line); h != nil {
			cur = &muninBlock{group: h[1], host: h[2], title: h[3], lists: map[string]string{}}
		}
	}
	if cur != nil && len(cur.lists) > 0 {
		blocks = append(blocks, cur)
	}
	plugin := ""
	if s := muninSubjectRe.FindStringSubmatch(m.msg.Subject); s != nil && len(blocks) == 1 && s[2] == blocks[0].host {
		plugin = s[3]
	}
	out := make([]mailAlert, 0, len(blocks))
	for _, b := range blocks {
		a := mailAlert{source: "munin"}
		a.EventType = "munin-limits"
		switch {
		case b.lists["CRITICALs"] != "":
			a.Subtype, a.Severity = importers.SubtypeTrigger, "CRITICAL"
		case b.lists["WARNINGs"] != "":
			a.Subtype, a.Severity = importers.SubtypeTrigger, "WARNING"
		case b.lists["UNKNOWNs"] != "":
			a.Subtype, a.Severity = importers.SubtypeUpdate, "UNKNOWN"
		default:
			a.Subtype, a.Severity = importers.SubtypeResolve, "OK"
		}
		a.Status = a.Severity
		a.Host, a.Service = b.host, firstNonEmpty(plugin, b.title)
		a.AlertID = b.group + ";" + b.host + ";" + firstNonEmpty(plugin, b.title)
		a.Title = b.title + " on " + b.host + " is " + a.Status
		a.Details = strings.Join(b.lines, "\n")
		a.Actor = "Munin"
		a.Extra = map[string]any{"group": b.group}
		if plugin != "" {
			a.Extra["plugin"] = plugin
			a.Extra["graph_title"] = b.title
		}
		a.At, a.AtText = m.at, m.atText
		out = append(out, a)
	}
	return out
}
