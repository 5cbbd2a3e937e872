package blameless

import (
	"regexp"
	"strings"
)

// Rule names, stable: clients may group or silence findings by them.
const (
	RuleForgot            = "forgot"
	RuleHumanError        = "human_error"
	RuleCounterfactual    = "counterfactual"
	RuleJudgement         = "judgement"
	RuleHindsight         = "hindsight"
	RuleBlame             = "blame"
	RuleMistakeByPerson   = "mistake_by_person"
	RulePersonAsRootCause = "person_as_root_cause"
)

// rule is one pattern of blame-laden phrasing.
type rule struct {
	id string
	re *regexp.Regexp
	// group is the submatch that is the finding (0: the whole match).
	group int
	// keep, when set, vetoes a match (m as from FindStringSubmatchIndex
	// over the masked body) that the pattern alone cannot rule out.
	keep func(body string, m []int) bool
	// rootCauseOnly rules apply only in root-cause sections.
	rootCauseOnly bool
	message       string
	suggestion    string
}

// Reusable pattern pieces. The rules are case-insensitive except where a
// capitalised word is taken as a person's name.
const (
	// role is a person by their role in the incident.
	role = `(?:engineer|operator|on-?call(?:er)?|on-?call engineer|developer|dev|sre|admin|administrator|reviewer|author|responder|incident commander|dba|intern|new hire|human|person)`
	// personWord is a person without a name (lower-case pronouns and roles).
	personWord = `(?i:(?:he|she|someone|somebody|(?:the|an?)\s+` + role + `)\b)`
	// name is an @mention (not the @ of an e-mail address) or a
	// capitalised word (not camel case such as PagerDuty); keepName vetoes
	// sentence starters. Of "Bob Smith" only "Smith" is matched.
	name = `(?:\B@[A-Za-z](?:[\w.-]*\w)?|\b[A-Z][a-z]+\b)`
	apos = `['’]`
)

// rules is every check, in no particular order (findings are sorted).
var rules = []rule{
	{
		// Only people forget; any subject counts.
		id:         RuleForgot,
		re:         regexp.MustCompile(`(?i)\b(?:forgot|forgotten|neglected to|neglects to|didn` + apos + `?t bother|did not bother|never bothered|couldn` + apos + `?t be bothered|ignored the (?:alert|alarm|page|warning|runbook|procedure|checklist)s?)\b`),
		message:    "It locates the cause in a person's memory or diligence, which no one can fix.",
		suggestion: `Say what the process did not do: "the deploy checklist did not include …", "nothing reminded or required the responder to …"; then ask what would make the step hard to miss.`,
	},
	{
		// "failed to" is everyday language for systems ("the job failed to
		// start"), so it counts only with a person as its subject.
		id:         RuleForgot,
		re:         regexp.MustCompile(`(?:\b` + personWord + `|(?i:\bI|\byou|\bnobody|\bno one)|\B@[A-Za-z](?:[\w.-]*\w)?)\s+(?i:failed|fails|neglected|omitted) to\b`),
		message:    "It presents what a person did not do as the cause, instead of why the system let it go unnoticed.",
		suggestion: `Say what the process did not ensure: "the runbook did not cover …", "no check prevented …".`,
	},
	{
		id:         RuleHumanError,
		re:         regexp.MustCompile(`(?i)\b(?:human|operator|pilot)[\s-]+errors?\b|\bpebkac\b|\bfat[\s-]?finger(?:ed|ing|s)?\b`),
		message:    `"Human error" ends the analysis where it should start.`,
		suggestion: "Describe the conditions that made the action likely: a missing guard rail or confirmation, an unclear runbook, a confusing tool, time pressure, alert fatigue.",
	},
	{
		// Counterfactuals: "should have" followed by a past participle.
		// "The alert should fire" has no "have"; "the service should have
		// an owner" is about having, not hindsight, and is not flagged.
		id:         RuleCounterfactual,
		re:         regexp.MustCompile(`(?i)\b(?:(?:should|shouldn` + apos + `?t|should not|ought to|ought not to)\s+have|should` + apos + `ve|shouldn` + apos + `t` + apos + `ve)\s+(?:(?:just|simply|easily|already|also|never|not|really|at least)\s+)?(\w+)`),
		keep:       func(body string, m []int) bool { return isParticiple(body[m[2]:m[3]]) },
		message:    `A counterfactual ("should have") describes a world that did not happen and judges with hindsight.`,
		suggestion: `Describe what happened and why it made sense at the time, then what would help next time: "a pre-deploy check would catch this".`,
	},
	{
		// "could have" alone is often how teams note luck ("it could have
		// been worse"); only "could have just / simply" implies it was easy.
		id:         RuleCounterfactual,
		re:         regexp.MustCompile(`(?i)\b(?:could|couldn` + apos + `?t)\s+(?:have\s+(?:just|simply|easily)|(?:just|simply|easily)\s+have)\b`),
		message:    `"Could have just" implies the right action was easy and obvious, which is hindsight.`,
		suggestion: "Describe what happened and what would help next time; if the right action was hard to see, say what hid it.",
	},
	{
		// Technical senses ("lazy loading", "dumb terminal") are not judgements.
		id: RuleJudgement,
		re: regexp.MustCompile(`(?i)\b(careless(?:ly|ness)?|negligen(?:t|tly|ce)|slopp(?:y|ily|iness)|laz(?:y|ily|iness)|incompeten(?:t|ce|cy)|stupid(?:ly|ity)?|dumb|idiot(?:s|ic)?|reckless(?:ly|ness)?|inattentive|clueless|foolish(?:ly)?)\b`),
		keep: func(body string, m []int) bool {
			w := strings.ToLower(body[m[2]:m[3]])
			if w == "lazy" || w == "lazily" || w == "dumb" {
				return !technicalNext[nextWord(body, m[1])]
			}
			return true
		},
		message:    "It judges a person rather than describing what happened.",
		suggestion: "Describe the action and its context: what the person saw, what they expected, and what the system made easy or hard.",
	},
	{
		id: RuleHindsight,
		re: regexp.MustCompile(`(?i)\b(?:obviously|obvious)\b`),
		keep: func(body string, m []int) bool {
			if m[0] > 0 && body[m[0]-1] == '-' { // "non-obvious"
				return false
			}
			return !negation[prevWord(body, m[0])]
		},
		message:    `"Obvious" is hindsight: it was not obvious to the people involved at the time.`,
		suggestion: "Say what information was available at the time and how it was presented.",
	},
	{
		// "git blame", "no blame" and "blameless" are not blame; "fault" alone
		// is technical ("page fault", "fault tolerance").
		id: RuleBlame,
		re: regexp.MustCompile(`(?i)\b(?:blam(?:e|ed|es|ing)|(?:the\s+)?fault of|at fault|(?:his|her|their|my|your)\s+fault|faulted)\b`),
		keep: func(body string, m []int) bool {
			return !blameExcept[prevWord(body, m[0])]
		},
		message:    "Blameless reviews look for contributing factors, not culprits.",
		suggestion: "Describe what in the system, tooling or process allowed the failure, and what would make it less likely.",
	},
	{
		id:         RuleMistakeByPerson,
		re:         regexp.MustCompile(`(?i:\b(?:mistakes?|errors?|screw-?ups?|oversight|blunder)\s+(?:made\s+)?by\s+|\b(?:mistakes?|screw-?ups?|oversight|blunder)\s+(?:of|from)\s+)(` + name + `|` + personWord + `|(?i:him|her|them)\b)`),
		keep:       keepName(1),
		message:    "It attributes the failure to a person.",
		suggestion: `Name the action and the conditions, not the person: "a change to X removed the guard on Y"; then ask why the mistake was easy to make.`,
	},
	{
		id:         RuleMistakeByPerson,
		re:         regexp.MustCompile(`(` + name + `|\b` + personWord + `)\s+(?i:made|makes)\s+(?i:a|an|the|another)\s+(?i:mistake|error|typo|blunder)`),
		keep:       keepName(1),
		message:    "It attributes the failure to a person.",
		suggestion: `Describe the action and what made it easy to get wrong: "the command accepted … without confirmation".`,
	},
	{
		id:         RuleMistakeByPerson,
		re:         regexp.MustCompile(`(\B@[A-Za-z](?:[\w.-]*\w)?|\b[A-Z][a-z]+)` + apos + `s\s+(?i:mistake|error|fault|typo|blunder|oversight|screw-?up)\b`),
		keep:       keepName(1),
		message:    "It attributes the failure to a person.",
		suggestion: `Name the change and the conditions, not the person: "the change to X", "the deploy of Y".`,
	},
	{
		// An @mention in a root-cause section names a person as a cause.
		// An e-mail address (a@b) is not a mention.
		id:            RulePersonAsRootCause,
		re:            regexp.MustCompile(`(?:^|[^\w@./-])(@[A-Za-z](?:[\w.-]*\w)?)`),
		group:         1,
		rootCauseOnly: true,
		message:       "A root cause names a person.",
		suggestion:    rootCauseSuggestion,
	},
	{
		// Capitalised words are taken as names, so a system with a plain
		// capitalised name ("Kafka restarted") can be flagged here: the
		// message says "if this is a person" and the finding never blocks.
		id:            RulePersonAsRootCause,
		re:            regexp.MustCompile(`(` + name + `|\b` + personWord + `)\s+(?i:pushed|deployed|ran|changed|broke|caused|merged|deleted|dropped|removed|misconfigured|typed|approved|rolled out|shipped|executed|committed|applied|edited|modified|disabled|introduced|triggered)\b`),
		keep:          keepName(1),
		rootCauseOnly: true,
		message:       "A root cause names a person (if this is a system, ignore it).",
		suggestion:    rootCauseSuggestion,
	},
	{
		id:            RulePersonAsRootCause,
		re:            regexp.MustCompile(`(\B@[A-Za-z](?:[\w.-]*\w)?|\b[A-Z][a-z]+)` + apos + `s\s+(?i:change|changes|commit|commits|deploy|deployment|push|pr|pull request|merge|script|command|query|migration|config change|edit|patch|action)\b`),
		keep:          keepName(1),
		rootCauseOnly: true,
		message:       "A root cause names a person (if this is a system, ignore it).",
		suggestion:    rootCauseSuggestion,
	},
	{
		id:            RulePersonAsRootCause,
		re:            regexp.MustCompile(`(?i:\b(?:caused|triggered|introduced|broken|started|initiated)\s+by|\bbecause\s+of|\bdue\s+to|\bthanks\s+to)\s+(` + name + `|` + personWord + `|(?i:him|her|them)\b)`),
		keep:          keepName(1),
		rootCauseOnly: true,
		message:       "A root cause names a person (if this is a system, ignore it).",
		suggestion:    rootCauseSuggestion,
	},
	{
		// "The root cause was Alice." A capitalised word after "root cause
		// was" is taken as a name only when the phrase ends there or goes
		// on the way a person would ("Alice's change", "Alice running …"),
		// and it is no sentence starter, known system ("Kafka") or abstract
		// noun ("Latency"): "the root cause was Network partitioning" is not.
		id:            RulePersonAsRootCause,
		re:            regexp.MustCompile(`(?i:\broot[\s-]+causes?\s+(?:was|were|is|are)\s+(?:(?:simply|just|really|basically)\s+)?)(\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\b)`),
		keep:          keepRootCauseName,
		rootCauseOnly: true,
		message:       "A root cause names a person (if this is a system, ignore it).",
		suggestion:    rootCauseSuggestion,
	},
	{
		// "Alice Smith pushing bad config": two capitalised words and a
		// person's action. One word is too often a system ("Kafka running").
		id:            RulePersonAsRootCause,
		re:            regexp.MustCompile(`\b([A-Z][a-z]+\s+[A-Z][a-z]+)\s+(?:pushing|deploying|running|changing|breaking|merging|deleting|dropping|removing|applying|editing|executing|shipping|misconfiguring|disabling)\b`),
		keep:          keepFullName,
		rootCauseOnly: true,
		message:       "A root cause names a person (if this is a system, ignore it).",
		suggestion:    rootCauseSuggestion,
	},
}

const rootCauseSuggestion = `Root causes are conditions, not people: describe the change, the missing safeguard or the gap in the process ("a config change was deployed without validation").`

// keepName vetoes a match whose submatch g is a capitalised word that
// starts sentences rather than names people ("The", "This", "After").
func keepName(g int) func(body string, m []int) bool {
	return func(body string, m []int) bool {
		w := body[m[2*g]:m[2*g+1]]
		if i := strings.IndexAny(w, " \t\n"); i >= 0 {
			w = w[:i]
		}
		return !notNames[w]
	}
}

// notNames are capitalised words that start sentences, not names.
var notNames = setOf("The", "This", "That", "These", "Those", "It", "Its", "A", "An", "We", "Our", "Us",
	"They", "Their", "Then", "When", "After", "Before", "Once", "Finally", "Also", "And", "But", "So",
	"Nobody", "Everyone", "Everything", "Nothing", "Something", "Who", "Which", "What", "Why", "How",
	"If", "Although", "While", "Because", "Since", "Later", "First", "Second", "Next", "Eventually",
	"Meanwhile", "Here", "There", "Each", "Every", "Some", "Any", "No", "Another", "One", "Both", "All",
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Today", "Yesterday")

// participles are irregular past participles; regular ones end in -ed/-en.
var participles = setOf("been", "done", "gone", "seen", "known", "caught", "run", "taken", "made", "had",
	"got", "gotten", "written", "sent", "told", "found", "kept", "left", "thought", "brought", "built",
	"read", "set", "put", "hit", "cut", "shut", "let", "understood", "held", "paid", "said", "heard",
	"felt", "met", "led", "lost", "begun", "chosen", "given", "driven", "shown", "thrown", "drawn",
	"spoken", "broken", "woken", "frozen", "hidden", "fallen", "become", "come", "spun", "won", "hung")

// notParticiples end in -ed or -en but are not past participles.
var notParticiples = setOf("need", "speed", "seed", "feed", "hundred", "token", "tokens", "often",
	"open", "even", "seven", "eleven", "screen", "green", "red", "bed", "shed", "kitchen", "garden")

// isParticiple guesses whether w is a past participle.
func isParticiple(w string) bool {
	w = strings.ToLower(w)
	if participles[w] {
		return true
	}
	if notParticiples[w] || len(w) < 4 {
		return false
	}
	return strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "en")
}

// technicalNext are words after "lazy" or "dumb" that make it jargon.
var technicalNext = setOf("load", "loads", "loading", "loaded", "loader", "eval", "evaluation", "evaluated",
	"init", "initialization", "initialisation", "initialized", "initialised", "instantiation", "iterator",
	"val", "static", "singleton", "terminal", "terminals", "pipe", "pipes", "client", "clients", "proxy",
	"proxies", "device", "devices", "mode", "consumer", "consumers", "deletion", "expiry", "expiration")

// negation before "obvious" turns it into the opposite of hindsight.
var negation = setOf("not", "never", "non", "wasn't", "isn't", "weren't", "aren't", "hardly", "no")

// blameExcept before "blame" makes it something else.
var blameExcept = setOf("git", "svn", "hg", "no", "not", "without", "zero")

// prevWord is the lower-cased word before offset i.
func prevWord(body string, i int) string {
	s := strings.TrimRight(body[:i], " \t\n")
	j := strings.LastIndexAny(s, " \t\n(\"")
	return strings.ToLower(strings.Trim(s[j+1:], ".,;:!?*_"))
}

// nextWord is the lower-cased word after offset i.
func nextWord(body string, i int) string {
	s := strings.TrimLeft(body[i:], " \t\n-")
	if j := strings.IndexAny(s, " \t\n.,;:!?)*_"); j >= 0 {
		s = s[:j]
	}
	return strings.ToLower(s)
}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
