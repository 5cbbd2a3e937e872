package pmcorpus

import "strings"

// Taxonomy is Hindsight's list of root-cause categories.
var Taxonomy = []string{
	"config-change", "deploy", "capacity", "dependency", "hardware", "software-bug",
	"process", "security", "network", "data", "time", "unknown",
}

// categoryMap maps the corpus's categories onto the taxonomy. The corpus
// says what kind of outage it was ("cloud": a provider's service failed),
// the taxonomy what caused it, so the mapping is approximate.
var categoryMap = map[string]string{
	"config-change":     "config-change",
	"hardware":          "hardware",
	"security":          "security",
	"time":              "time",
	"cascading-failure": "capacity",
	"cloud":             "dependency",
	"automation":        "deploy",
}

// keywordCategories infer a taxonomy category from words of a post-mortem's
// keywords, so that network and data outages (which the corpus files under
// "cloud" or nothing) get their own category.
var keywordCategories = []struct {
	words    []string
	category string
}{
	{[]string{"bgp", "dns", "network", "router", "packet", "fiber", "routing", "peering", "load balancer"}, "network"},
	{[]string{"database", "replication", "corruption", "data loss", "backup", "storage"}, "data"},
	{[]string{"deploy", "rollout", "release", "push", "rollback"}, "deploy"},
	{[]string{"bug", "race condition", "memory leak", "regression", "crash"}, "software-bug"},
	{[]string{"capacity", "overload", "traffic", "throttling", "load"}, "capacity"},
	{[]string{"leap second", "clock", "ntp", "time zone", "timezone"}, "time"},
	{[]string{"certificate", "ddos", "attack", "credential", "tls"}, "security"},
	{[]string{"human error", "runbook", "manual", "procedure", "maintenance"}, "process"},
	{[]string{"power", "disk", "hardware", "data center", "cooling"}, "hardware"},
}

// Categories maps a post-mortem to taxonomy categories: its own categories
// mapped, then one inferred from its keywords, each once; "unknown" when
// nothing applies.
func Categories(pm *PostMortem) []string {
	var out []string
	add := func(c string) {
		for _, o := range out {
			if o == c {
				return
			}
		}
		out = append(out, c)
	}
	for _, c := range pm.Categories {
		if t, ok := categoryMap[strings.ToLower(c)]; ok {
			add(t)
		}
	}
	kws := strings.ToLower(strings.Join(pm.Keywords, " | "))
	for _, kc := range keywordCategories {
		for _, w := range kc.words {
			if strings.Contains(kws, w) {
				add(kc.category)
				break
			}
		}
	}
	if len(out) == 0 {
		out = append(out, "unknown")
	}
	return out
}
