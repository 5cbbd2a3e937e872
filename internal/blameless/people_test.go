package blameless

import (
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestCheck_KnownPeople: in root-cause sections the incident's people are
// flagged by name, handle or "First Last"; systems, everyday words and
// near-misses are not.
func TestCheck_KnownPeople(t *testing.T) {
	people := []string{"alice.smith", "@bob", "Carol Jones", "dave_lee", "deploy-bot", "ops", "admin",
		"system", "deploy", "github-actions[bot]", "Kafka", "U024BE7LH", "jo", "erin@example.com", "Will Turner"}
	tests := []struct {
		name string
		body string
		// notRoot checks the body as an ordinary section.
		notRoot bool
		// want lists "rule:match" for every finding, in order.
		want []string
	}{
		{name: "handle as written", body: "A change from alice.smith removed the limit.", want: []string{"person_as_root_cause:alice.smith"}},
		{name: "handle as First Last", body: "Alice Smith pushing bad config.", want: []string{"person_as_root_cause:Alice Smith pushing"}},
		{name: "handle as first last across a line", body: "Reverted after\nalice smith noticed.", want: []string{"person_as_root_cause:alice smith"}},
		{name: "first name alone, capitalised", body: "The trigger: Alice restarted the primary.", want: []string{"person_as_root_cause:Alice"}},
		{name: "root cause was first name", body: "The root cause was Alice.", want: []string{"person_as_root_cause:root cause was Alice"}},
		{name: "mention handle", body: "bob's deploy went out unchecked.", want: []string{"person_as_root_cause:bob"}},
		{name: "display name case-insensitive", body: "CAROL JONES approved it.", want: []string{"person_as_root_cause:CAROL JONES"}},
		{name: "display name as handle", body: "carol.jones ran the job.", want: []string{"person_as_root_cause:carol.jones"}},
		{name: "underscore handle as words", body: "Dave Lee's script ran twice.", want: []string{"person_as_root_cause:Dave Lee's script"}},
		{name: "e-mail owner by local part", body: "Yesterday erin merged it.", want: []string{"person_as_root_cause:erin"}},
		{name: "several names", body: "Alice and bob both edited it.", want: []string{"person_as_root_cause:Alice", "person_as_root_cause:bob"}},
		{name: "non-ascii around name", body: "«Alice» — ça.", want: []string{"person_as_root_cause:Alice"}},

		{name: "bot actor does not flag deploy", body: "The deploy pipeline and the deploy-bot shipped it."},
		{name: "common-word handles are not names", body: "Ops paged the admin; the system deployed."},
		{name: "system actor is not a person", body: "Kafka lagged behind."},
		{name: "short and digit handles are skipped", body: "Jo said U024BE7LH saw it."},
		{name: "lower-case first name alone is a word", body: "The alice cluster is unrelated."},
		{name: "common first name alone", body: "Will the retry loop stop? It will."},
		{name: "common first name in full name", body: "Will Turner approved the change.", want: []string{"person_as_root_cause:Will Turner approved"}},
		{name: "name inside a word", body: "Malice, bobsled, smithy."},
		{name: "name in host, path and e-mail", body: "See alice.example.com, ops/alice, mail alice@corp.test, bob-service restarted."},
		{name: "name in code and URL", body: "Ran `alice.smith deploy` from https://git.example.com/alice.smith/x."},
		{name: "names outside root causes are fine", notRoot: true, body: "alice.smith and Carol Jones reviewed; Alice wrote it."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := incident.Section{Key: "root-causes", Title: "Root causes", Body: tt.body}
			if tt.notRoot {
				sec = incident.Section{Key: "summary", Title: "Summary", Body: tt.body}
			}
			got := Check([]incident.Section{sec}, Options{People: people})
			var gotS []string
			for _, f := range got {
				gotS = append(gotS, f.Rule+":"+f.Match)
				if tt.body[f.Start:f.End] != f.Match || f.Message == "" || f.Suggestion == "" || f.SectionKey != sec.Key {
					t.Errorf("bad finding %+v", f)
				}
			}
			if strings.Join(gotS, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Check(%q)\n got %q\nwant %q", tt.body, gotS, tt.want)
			}
		})
	}
}

// TestCheck_KnownPeopleOptional: without Options the known-name matches
// are not made, and several Options are merged.
func TestCheck_KnownPeopleOptional(t *testing.T) {
	sec := []incident.Section{{Key: "root-causes", Title: "Root causes", Body: "A change from alice.smith; carol restarted it."}}
	tests := []struct {
		name string
		opts []Options
		want int
	}{
		{name: "no options", want: 0},
		{name: "empty options", opts: []Options{{}}, want: 0},
		{name: "one list", opts: []Options{{People: []string{"alice.smith"}}}, want: 1},
		{name: "merged lists", opts: []Options{{People: []string{"alice.smith"}}, {People: []string{"carol"}}}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Check(sec, tt.opts...); len(got) != tt.want {
				t.Errorf("Check = %+v, want %d findings", got, tt.want)
			}
		})
	}
}

// TestPersonWords: which names are kept, and as which words.
func TestPersonWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // words joined by " "; "" when the name is skipped
	}{
		{name: "handle", in: "alice.smith", want: "alice smith"},
		{name: "mention", in: " @Bob ", want: "bob"},
		{name: "e-mail", in: "erin.x@example.com", want: "erin x"},
		{name: "display name", in: "José Ñúñez", want: "josé ñúñez"},
		{name: "bot suffix", in: "deploy-bot", want: ""},
		{name: "github bot", in: "dependabot[bot]", want: ""},
		{name: "system word", in: "kafka-connect", want: ""},
		{name: "all common words", in: "ops team", want: ""},
		{name: "one common word of two", in: "will.turner", want: "will turner"},
		{name: "digits", in: "U024BE7LH", want: ""},
		{name: "too short", in: "jo", want: ""},
		{name: "empty", in: "  ", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words, ok := personWords(tt.in)
			if got := strings.Join(words, " "); got != tt.want || ok != (tt.want != "") {
				t.Errorf("personWords(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
			}
		})
	}
}

// TestCheck_ManyPeople: a long list of names keeps the check fast and
// still finds the one that is there.
func TestCheck_ManyPeople(t *testing.T) {
	names := make([]string, 0, maxPeople)
	for i := range maxPeople - 1 {
		names = append(names, "user"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+".person"+string(rune('a'+i/26%26)))
	}
	names = append(names, "zed.quinn")
	body := strings.Repeat("The cache expired and traffic shifted. ", 2000) + "Zed Quinn restarted it."
	got := Check([]incident.Section{{Key: "root-causes", Title: "Root causes", Body: body}}, Options{People: names})
	if len(got) != 1 || got[0].Match != "Zed Quinn" {
		t.Fatalf("got %+v", got)
	}
}
