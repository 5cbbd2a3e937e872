package blameless

import (
	"strings"
)

// keepRootCauseName vetoes "root cause was X" (X is submatch 1) unless X
// reads as a person's name and what follows it is how a person goes on.
func keepRootCauseName(body string, m []int) bool {
	if !personLike(body[m[2]:m[3]]) {
		return false
	}
	rest := body[m[3]:]
	if strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") {
		return true
	}
	t := strings.TrimLeft(rest, " \t")
	if t == "" || strings.ContainsRune(".,;:!?)\n\r", rune(t[0])) {
		return true
	}
	return personGoesOn[nextWord(body, m[3])]
}

// keepFullName vetoes "First Last running" (submatch 1) unless both words
// read as a person's name.
func keepFullName(body string, m []int) bool {
	return personLike(body[m[2]:m[3]])
}

// personLike reports whether every word of a capitalised phrase may be a
// person's name: no sentence starter, known system or abstract noun.
func personLike(phrase string) bool {
	for i, w := range strings.Fields(phrase) {
		if (i == 0 && notNames[w]) || notRootCauseNames[w] || systemWords[strings.ToLower(w)] || nounLike(w) {
			return false
		}
	}
	return true
}

// nounLike reports whether w ends like an abstract noun, which names rarely
// do ("Latency", "Misconfiguration", "Saturation").
func nounLike(w string) bool {
	w = strings.ToLower(w)
	for _, suf := range []string{"tion", "sion", "ment", "ness", "ity", "ing", "ance", "ence", "ency", "ancy", "age", "ure", "ism", "ics"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}

// notRootCauseNames are capitalised words a root cause is often said to be
// that are not names ("The root cause was Unclear").
var notRootCauseNames = setOf("Unknown", "Unclear", "None", "Not", "Still", "Likely", "Probably", "Partly",
	"Twofold", "Two", "Three", "Several", "Multiple", "Human", "In", "On", "At", "Under", "Being",
	"Never", "Always", "Config", "Configuration", "Network", "Capacity", "Memory", "Disk", "Traffic", "Load",
	"Legacy", "Missing", "Bad", "Old", "New", "Stale", "Expired", "Broken", "Faulty", "Manual", "Our",
	"Their", "His", "Her", "My", "Your", "DNS", "Production", "Staging", "Release", "Deploy")

// personGoesOn are words after a name that continue with what a person
// did ("the root cause was Alice running the script").
var personGoesOn = setOf("pushing", "deploying", "running", "changing", "breaking", "merging", "deleting",
	"dropping", "removing", "applying", "editing", "executing", "shipping", "misconfiguring", "disabling",
	"typing", "making", "forgetting", "missing", "not", "who", "and", "when", "being", "having", "doing")
