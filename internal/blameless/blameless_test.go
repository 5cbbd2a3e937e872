package blameless

import (
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/incident"
)

// TestCheck_Rules: each rule hits on its phrases, and near-misses that must
// not hit stay quiet. body is checked as an ordinary section, or as a
// root-cause section when root is set.
func TestCheck_Rules(t *testing.T) {
	tests := []struct {
		name string
		body string
		root bool
		// want lists "rule:match" for every finding, in order; empty means
		// no finding.
		want []string
	}{
		// forgot / failed to / neglected to / didn't bother
		{name: "forgot", body: "Alice forgot to drain the node.", want: []string{"forgot:forgot"}},
		{name: "forgot mixed case", body: "The operator FORGOT the flag.", want: []string{"forgot:FORGOT"}},
		{name: "neglected to", body: "He neglected to check the dashboard.", want: []string{"forgot:He neglected to"}},
		{name: "didn't bother", body: "They didn't bother reading the runbook.", want: []string{"forgot:didn't bother"}},
		{name: "didn’t bother curly apostrophe", body: "They didn’t bother.", want: []string{"forgot:didn’t bother"}},
		{name: "person failed to", body: "The on-call engineer failed to escalate.", want: []string{"forgot:The on-call engineer failed to"}},
		{name: "mention failed to", body: "@bob failed to page the DBA.", want: []string{"forgot:@bob failed to"}},
		{name: "ignored the alert", body: "Someone ignored the alerts for an hour.", want: []string{"forgot:ignored the alerts"}},
		{name: "system failed to is fine", body: "The job failed to start and the deploy failed to roll back."},
		{name: "forgot inside inline code ignored", body: "Run `git commit --forgot` first."},

		// human error
		{name: "human error", body: "Root cause: human error.", want: []string{"human_error:human error"}},
		{name: "human-error hyphen plural", body: "Two human-errors compounded.", want: []string{"human_error:human-errors"}},
		{name: "operator error", body: "Classified as operator error.", want: []string{"human_error:operator error"}},
		{name: "fat fingered", body: "An engineer fat-fingered the CIDR.", want: []string{"human_error:fat-fingered"}},
		{name: "error rate is fine", body: "The error rate for humans visiting the site rose."},

		// should have / could have just
		{name: "should have", body: "We should have caught this in review.", want: []string{"counterfactual:should have caught"}},
		{name: "shouldn't have", body: "Bob shouldn't have restarted the primary.", want: []string{"counterfactual:shouldn't have restarted"}},
		{name: "should not have been", body: "This should not have been deployed on Friday.", want: []string{"counterfactual:should not have been"}},
		{name: "should have just", body: "They should have just rolled back.", want: []string{"counterfactual:should have just rolled"}},
		{name: "should've", body: "Ops should've known.", want: []string{"counterfactual:should've known"}},
		{name: "could have just", body: "Anyone could have just read the logs.", want: []string{"counterfactual:could have just"}},
		{name: "could simply have", body: "She could simply have waited.", want: []string{"counterfactual:could simply have"}},
		{name: "should fire is fine", body: "The alert should fire when p99 > 2s."},
		{name: "should have an owner is fine", body: "Every service should have an owner and should have clear alerts."},
		{name: "could have been worse is fine", body: "Impact could have been much worse."},

		// judgements
		{name: "careless", body: "A careless change broke prod.", want: []string{"judgement:careless"}},
		{name: "carelessly", body: "The flag was carelessly flipped.", want: []string{"judgement:carelessly"}},
		{name: "negligent sloppy lazy", body: "Negligent, sloppy and lazy work.", want: []string{"judgement:Negligent", "judgement:sloppy", "judgement:lazy"}},
		{name: "incompetent stupid dumb", body: "An incompetent, stupid, dumb mistake.", want: []string{"judgement:incompetent", "judgement:stupid", "judgement:dumb"}},
		{name: "lazy loading is fine", body: "Lazy loading and lazily-initialised caches; a dumb terminal."},
		{name: "judgement words only as whole words", body: "A scarecrow near the dumbbells; blazy sloppyjoe."},

		// hindsight
		{name: "obviously", body: "The config was obviously wrong.", want: []string{"hindsight:obviously"}},
		{name: "obvious", body: "It was an obvious typo.", want: []string{"hindsight:obvious"}},
		{name: "not obvious is fine", body: "The failure mode was not obvious and non-obvious to anyone."},

		// blame
		{name: "blame", body: "We blame the deploy tool.", want: []string{"blame:blame"}},
		{name: "blamed", body: "The vendor was blamed.", want: []string{"blame:blamed"}},
		{name: "to blame", body: "Nobody is to blame.", want: []string{"blame:blame"}},
		{name: "fault of", body: "It was the fault of the DBA.", want: []string{"blame:the fault of"}},
		{name: "their fault", body: "It was their fault, really.", want: []string{"blame:their fault"}},
		{name: "not their fault is fine", body: "Not their fault: the tool lied."},
		{name: "git blame and blameless are fine", body: "Ran git blame; this is a blameless review with no blame."},
		{name: "technical fault is fine", body: "A page fault; fault tolerance; a faulty disk; fault injection."},

		// mistake by a person
		{name: "mistake by name", body: "A mistake by Dave took the site down.", want: []string{"mistake_by_person:mistake by Dave"}},
		{name: "error made by mention", body: "An error made by @erin.", want: []string{"mistake_by_person:error made by @erin"}},
		{name: "possessive mistake", body: "It was Frank's mistake.", want: []string{"mistake_by_person:Frank's mistake"}},
		{name: "possessive fault", body: "Grace's fault entirely.", want: []string{"mistake_by_person:Grace's fault"}},
		{name: "name made a mistake", body: "Heidi made a mistake in the query.", want: []string{"mistake_by_person:Heidi made a mistake"}},
		{name: "sentence starter is no name", body: "The mistake of the design was coupling. This made an error likely."},
		{name: "errors from a system are fine", body: "We saw errors from the load balancer."},

		// person as root cause (root-cause sections only)
		{name: "mention in root cause", root: true, body: "Deploy by @alice removed the index.", want: []string{"person_as_root_cause:@alice removed"}},
		{name: "bare mention in root cause", root: true, body: "- see @bob.", want: []string{"person_as_root_cause:@bob"}},
		{name: "email is no mention", root: true, body: "Mail dba@example.com for access."},
		{name: "name pushed", root: true, body: "Bob pushed a bad config.", want: []string{"person_as_root_cause:Bob pushed"}},
		{name: "two-word name deployed", root: true, body: "Then Carol Smith deployed v2.", want: []string{"person_as_root_cause:Smith deployed"}},
		{name: "possessive change", root: true, body: "Bob's change removed the limit.", want: []string{"person_as_root_cause:Bob's change"}},
		{name: "caused by name", root: true, body: "The outage was caused by Carol.", want: []string{"person_as_root_cause:caused by Carol"}},
		{name: "due to the engineer", root: true, body: "Due to the engineer running the script twice.", want: []string{"person_as_root_cause:Due to the engineer"}},
		{name: "he deployed", root: true, body: "At 10:02 he deployed the change.", want: []string{"person_as_root_cause:he deployed"}},
		{name: "system subject is fine", root: true, body: "The deploy changed the pool size. PagerDuty triggered late. We deployed a fix."},
		{name: "caused by a condition is fine", root: true, body: "Caused by a missing index, due to the migration order."},
		{name: "names outside root causes are fine", body: "Bob pushed the fix; @alice reviewed it; caused by Carol's report."},
		{name: "root cause was a name", root: true, body: "The root cause was Alice.", want: []string{"person_as_root_cause:root cause was Alice"}},
		{name: "root cause is a full name", root: true, body: "Root cause is Alice Smith, who ran it.", want: []string{"person_as_root_cause:Root cause is Alice Smith"}},
		{name: "root cause was a name running", root: true, body: "The root cause was Bob running the script twice.", want: []string{"person_as_root_cause:root cause was Bob"}},
		{name: "root cause was a possessive name", root: true, body: "The root cause was Dave's laptop.", want: []string{"person_as_root_cause:root cause was Dave"}},
		{name: "root cause was a name and its change is one finding", root: true, body: "The root cause was Dave's change.", want: []string{"person_as_root_cause:root cause was Dave's change"}},
		{name: "root cause was a system", root: true, body: "The root cause was Kafka. The root cause was Redis running out of memory."},
		{name: "root cause was a sentence starter or abstract noun", root: true, body: "The root cause was The cache. The root cause was Latency. The root cause was Unknown."},
		{name: "root cause was a capitalised noun phrase", root: true, body: "The root cause was Network partitioning between zones and Ingress misconfiguration."},
		{name: "root cause was lower case", root: true, body: "The root cause was a missing index."},
		{name: "full name pushing", root: true, body: "Alice Smith pushing bad config.", want: []string{"person_as_root_cause:Alice Smith pushing"}},
		{name: "full name deploying mid-sentence", root: true, body: "It began with Carol Jones deploying v2.", want: []string{"person_as_root_cause:Carol Jones deploying"}},
		{name: "system pair running", root: true, body: "Kafka Connect running out of heap; Cloud Run deploying a stale image; Config Sync changing labels."},
		{name: "one capitalised word running is fine", root: true, body: "Postgres running a vacuum; Bob running late is not matched either."},
		{name: "root cause was name outside root causes is fine", body: "The root cause was Alice. Alice Smith pushing bad config."},

		// overlapping rules report one finding
		{name: "possessive mistake in root cause is one finding", root: true, body: "Dan's mistake.", want: []string{"mistake_by_person:Dan's mistake"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := incident.Section{Key: "event-description", Title: "Event description", Body: tt.body}
			if tt.root {
				sec = incident.Section{Key: "analysis", Title: "Analysis", Body: tt.body, Block: incident.BlockRootCauses}
			}
			got := Check([]incident.Section{sec})
			var gotS []string
			for _, f := range got {
				gotS = append(gotS, f.Rule+":"+f.Match)
				if tt.body[f.Start:f.End] != f.Match {
					t.Errorf("span [%d:%d] is %q, match %q", f.Start, f.End, tt.body[f.Start:f.End], f.Match)
				}
				if f.SectionKey != sec.Key || f.Message == "" || f.Suggestion == "" {
					t.Errorf("incomplete finding %+v", f)
				}
			}
			if strings.Join(gotS, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Check(%q)\n got %q\nwant %q", tt.body, gotS, tt.want)
			}
		})
	}
}

// TestCheck_Code: fenced blocks, inline code and URLs are not prose.
func TestCheck_Code(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{name: "fenced backticks", body: "Log:\n\n```\nERROR human error in handler\n```\n", want: 0},
		{name: "fenced tildes with info", body: "~~~~ text\nshould have caught\n~~~~\n", want: 0},
		{name: "unclosed fence runs to the end", body: "```\ncareless\n\nstill code", want: 0},
		{name: "shorter closing fence does not close", body: "````\n```\ncareless\n````\nafter: careless", want: 1},
		{name: "fence in blockquote", body: "> ```\n> human error\n> ```", want: 0},
		{name: "indented fence in list", body: "- step\n\n    ```\n    human error\n    ```\n", want: 0},
		{name: "text after the fence is checked", body: "```\nok\n```\nhuman error", want: 1},
		{name: "inline code", body: "the `human error` label and ``careless `x` flag``", want: 0},
		{name: "unmatched backtick is literal", body: "a ` then careless", want: 1},
		{name: "code span does not cross paragraphs", body: "a `x\n\ncareless` y", want: 1},
		{name: "url", body: "See https://git.example.com/blame/careless/main.go and <https://x.example/human-error>", want: 0},
		{name: "link destination but not text", body: "[careless](/docs/sloppy)", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check([]incident.Section{{Key: "s", Title: "S", Body: tt.body}})
			if len(got) != tt.want {
				t.Errorf("Check(%q) = %+v, want %d findings", tt.body, got, tt.want)
			}
		})
	}
}

// TestCheck_Positions: offsets are bytes into the body; line and column
// count lines and characters, across multi-byte text and several sections.
func TestCheck_Positions(t *testing.T) {
	secs := []incident.Section{
		{Key: "summary", Title: "Summary", Body: "Fine text.\n\n"},
		{Key: "impact", Title: "Impact", Body: "Überlastung — ok.\nZeile zwei: ein human error.\n\n```\nhuman error\n```\nthen, obviously, careless"},
		{Key: "root-causes", Title: "Root causes", Body: "## Why\n\n- @alice's change"},
	}
	got := Check(secs)
	type pos struct {
		key, match, rule         string
		start, end, line, column int
	}
	body := secs[1].Body
	at := func(s string, n int) int { // byte offset of the n-th (0-based) s
		off := -1
		for range n + 1 {
			off += 1 + strings.Index(body[off+1:], s)
		}
		return off
	}
	want := []pos{
		{key: "impact", match: "human error", rule: RuleHumanError, start: at("human error", 0), end: at("human error", 0) + len("human error"), line: 2, column: 17},
		{key: "impact", match: "obviously", rule: RuleHindsight, start: at("obviously", 0), end: at("obviously", 0) + 9, line: 7, column: 7},
		{key: "impact", match: "careless", rule: RuleJudgement, start: at("careless", 0), end: at("careless", 0) + 8, line: 7, column: 18},
		{key: "root-causes", match: "@alice's change", rule: RulePersonAsRootCause, start: 10, end: 25, line: 3, column: 3},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if (pos{g.SectionKey, g.Match, g.Rule, g.Start, g.End, g.Line, g.Column}) != w {
			t.Errorf("finding %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestCheck_RootCauseSections: which sections count as root causes.
func TestCheck_RootCauseSections(t *testing.T) {
	tests := []struct {
		name string
		sec  incident.Section
		want bool
	}{
		{name: "key root-causes", sec: incident.Section{Key: "root-causes", Title: "Causes"}, want: true},
		{name: "block root_causes", sec: incident.Section{Key: "why", Title: "Why", Block: incident.BlockRootCauses}, want: true},
		{name: "contributing factors", sec: incident.Section{Key: "contributing-factors", Title: "Contributing factors"}, want: true},
		{name: "title only", sec: incident.Section{Key: "analysis", Title: "Root cause analysis"}, want: true},
		{name: "timeline", sec: incident.Section{Key: "timeline", Title: "Timeline", Block: incident.BlockTimeline}, want: false},
		{name: "summary", sec: incident.Section{Key: "summary", Title: "Summary"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.sec.Body = "Bob pushed a bad config."
			got := len(Check([]incident.Section{tt.sec})) == 1
			if got != tt.want {
				t.Errorf("flagged = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCheck_Empty(t *testing.T) {
	got := Check(nil)
	if got == nil || len(got) != 0 {
		t.Errorf("Check(nil) = %#v, want an empty, non-nil slice", got)
	}
}
