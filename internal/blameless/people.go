package blameless

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Options tunes a check.
type Options struct {
	// People are the names the incident knows: its commander, timeline
	// actors, corrective-action owners and RCA reviewers, as handles
	// ("alice.smith", "@bob") or display names ("Alice Smith"). In
	// root-cause sections naming one of them is flagged. Names that are
	// systems or everyday words ("deploy-bot", "ops", "admin") are left out.
	People []string
}

// maxPeople bounds how many names one check looks for.
const maxPeople = 5000

// people is the known names of an incident, ready to look up word by word.
// Looking words up in maps keeps the check linear in the text however many
// names the incident has, which one big regexp alternation would not.
type people struct {
	// full maps a name's first word, lower-cased, to the lower-cased word
	// sequences of the names starting with it, longest first. They match
	// case-insensitively, with the words separated by space or by one of
	// "._-" ("alice.smith" also matches "Alice Smith").
	full map[string][][]string
	// given holds the capitalised first names of multi-word names
	// ("Alice" of "alice.smith"); they match only as written.
	given map[string]bool
}

// newPeople keeps the names that can be told apart from systems and words.
func newPeople(names []string) people {
	p := people{full: map[string][][]string{}, given: map[string]bool{}}
	if len(names) > maxPeople {
		names = names[:maxPeople]
	}
	for _, n := range names {
		words, ok := personWords(n)
		if !ok {
			continue
		}
		if !slices.ContainsFunc(p.full[words[0]], func(s []string) bool { return slices.Equal(s, words) }) {
			p.full[words[0]] = append(p.full[words[0]], words)
		}
		if first := words[0]; len(words) > 1 && utf8.RuneCountInString(first) >= 3 && !commonWords[first] {
			r, size := utf8.DecodeRuneInString(first)
			p.given[string(unicode.ToUpper(r))+first[size:]] = true
		}
	}
	for _, seqs := range p.full {
		slices.SortStableFunc(seqs, func(a, b []string) int { return len(b) - len(a) })
	}
	return p
}

// personWords splits a person's name or handle into lower-case words. It
// reports false for what is not told apart from a system or a word: bots
// and systems, names with digits, single everyday words, under 3 letters.
func personWords(name string) ([]string, bool) {
	n := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "@")))
	if i := strings.IndexByte(n, '@'); i > 0 { // an e-mail address: its local part
		n = n[:i]
	}
	if strings.Contains(n, "[bot]") || strings.HasSuffix(n, "bot") {
		return nil, false
	}
	words := strings.FieldsFunc(n, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune("._-", r) })
	if len(words) == 0 || len(words) > 4 {
		return nil, false
	}
	letters, common := 0, 0
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) {
				return nil, false
			}
		}
		if systemWords[w] || botWords[w] {
			return nil, false
		}
		if commonWords[w] {
			common++
		}
		letters += utf8.RuneCountInString(w)
	}
	if letters < 3 || common == len(words) {
		return nil, false
	}
	return words, true
}

// find returns the known names in a root-cause section's body (masked
// holds the body with code and URLs blanked).
func (p people) find(key, body, masked string) []Finding {
	if len(p.full) == 0 && len(p.given) == 0 {
		return nil
	}
	words := splitWords(masked)
	var out []Finding
	for i := 0; i < len(words); i++ {
		w := words[i]
		if !boundaryBefore(masked, w.start) {
			continue
		}
		n := 0
		for _, seq := range p.full[strings.ToLower(masked[w.start:w.end])] {
			if matchWords(masked, words, i, seq) {
				n = len(seq)
				break
			}
		}
		if n == 0 && p.given[masked[w.start:w.end]] && boundaryAfter(masked, w.end) {
			n = 1
		}
		if n == 0 {
			continue
		}
		end := words[i+n-1].end
		out = append(out, Finding{
			SectionKey: key, Start: w.start, End: end, Match: body[w.start:end],
			Rule: RulePersonAsRootCause, Message: knownPersonMessage, Suggestion: knownPersonSuggestion,
		})
		i += n - 1
	}
	return out
}

const (
	knownPersonMessage    = "A root cause names a person of this incident."
	knownPersonSuggestion = "Describe the conditions and the system instead of the person: what changed, which safeguard was missing, and what made the action look right at the time."
)

// span is a word of the text: a run of letters and digits.
type span struct{ start, end int }

func splitWords(s string) []span {
	var out []span
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, span{start, len(s)})
	}
	return out
}

// matchWords reports whether the words from i on spell seq, separated by
// space or by a single '.', '_' or '-', and end the name.
func matchWords(s string, words []span, i int, seq []string) bool {
	if i+len(seq) > len(words) {
		return false
	}
	for k, want := range seq {
		w := words[i+k]
		if strings.ToLower(s[w.start:w.end]) != want {
			return false
		}
		if k > 0 {
			sep := s[words[i+k-1].end:w.start]
			if sep != "." && sep != "_" && sep != "-" && strings.TrimSpace(sep) != "" {
				return false
			}
		}
	}
	return boundaryAfter(s, words[i+len(seq)-1].end)
}

// boundaryBefore reports whether a name may start at i: not inside a path,
// handle or host name ("ops/alice", "x.alice").
func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !strings.ContainsRune("./_-\\", r)
}

// boundaryAfter reports whether a name may end at i: not followed by '@'
// (an e-mail address) or by a word joined with '.', '_', '-' or '/'
// ("alice.example.com", "bob-service").
func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == '@' {
		return false
	}
	if strings.ContainsRune("._-/", r) && i+size < len(s) {
		next, _ := utf8.DecodeRuneInString(s[i+size:])
		return !unicode.IsLetter(next) && !unicode.IsDigit(next)
	}
	return true
}

// botWords in a name make it an automation, not a person.
var botWords = setOf("bot", "bots", "ci", "cd", "automation", "automated", "system", "daemon", "cron",
	"pipeline", "webhook", "integration", "robot", "noreply", "no-reply", "alerts", "alerting", "monitor",
	"monitoring", "scheduler", "service", "svc", "app", "sync")

// commonWords are everyday and role words that people also use as handles
// or names; alone they are never taken for a person ("ops", "will").
var commonWords = setOf("ops", "bot", "admin", "admins", "system", "deploy", "deployer", "root", "user", "users",
	"team", "oncall", "sre", "dev", "devs", "devops", "infra", "platform", "support", "security", "release",
	"build", "test", "qa", "prod", "staging", "server", "alert", "pager", "incident", "manager", "owner",
	"lead", "engineer", "operator", "customer", "unknown", "none", "nobody", "everyone", "all", "here",
	"channel", "the", "and", "you", "who", "guest", "anonymous", "default", "local", "master", "main",
	"will", "mark", "may", "can", "bill", "grant", "chase", "rob", "pat", "sue", "frank", "amber", "rose",
	"hope", "joy", "faith", "dawn", "summer", "april", "june", "august", "art", "max", "ray", "gene",
	"guy", "page", "read", "young", "long", "rich", "drew", "sky", "hunter", "mason", "carter", "cook",
	"bell", "case", "lane", "miles", "jack", "nick", "rusty", "sandy", "gray", "grey", "black", "white",
	"brown", "green", "king", "price", "park", "hall", "wood", "stone", "hill", "fox", "well", "hardy",
	"bond", "cash", "penny", "early", "rush", "storm", "forest", "river", "lee", "kim", "van", "von")

// systemWords are systems and products often written capitalised; a
// capitalised word among them is not taken for a person's name.
var systemWords = setOf("kafka", "redis", "postgres", "postgresql", "mysql", "mariadb", "sqlite", "nginx",
	"envoy", "kubernetes", "consul", "vault", "nomad", "terraform", "ansible", "puppet", "chef", "jenkins",
	"github", "gitlab", "bitbucket", "pagerduty", "datadog", "grafana", "prometheus", "alertmanager",
	"sentry", "slack", "opsgenie", "statuspage", "cloudflare", "akamai", "fastly", "amazon", "google",
	"microsoft", "azure", "argo", "argocd", "spinnaker", "helm", "docker", "elasticsearch", "opensearch",
	"kibana", "logstash", "zookeeper", "cassandra", "mongo", "mongodb", "rabbitmq", "celery", "sidekiq",
	"memcached", "haproxy", "istio", "linkerd", "vercel", "heroku", "netlify", "jira", "splunk", "loki",
	"tempo", "jaeger", "nagios", "zabbix", "icinga", "stripe", "twilio", "okta", "dynamo", "dynamodb",
	"aurora", "bigquery", "snowflake", "spark", "flink", "airflow", "hadoop", "cloud", "lambda", "linux",
	"windows", "ubuntu", "debian", "java", "python", "ruby", "rails", "django", "node", "chrome", "firefox",
	"safari", "android", "apple", "route", "ingress", "gateway", "proxy", "balancer", "cluster", "controller",
	"operator", "sentinel", "connect", "worker", "workers", "agent", "engine", "server", "service", "api",
	"run", "build", "sync", "rollouts", "manager", "pipeline", "scheduler", "database", "cache", "queue")
