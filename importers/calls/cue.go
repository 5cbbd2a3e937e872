package calls

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// cue is one parsed transcript cue.
type cue struct {
	id                 string
	start              time.Duration
	startText, endText string
	speaker            string
	text               string
}

// parseCue reads a block: an optional id line, the timing line and the text.
func parseCue(b block) (cue, *importers.Rejection) {
	var c cue
	timing := 0
	if !strings.Contains(b.lines[0], "-->") {
		c.id = strings.TrimSpace(b.lines[0])
		timing = 1
	}
	if timing >= len(b.lines) || !strings.Contains(b.lines[timing], "-->") {
		return c, &importers.Rejection{Line: b.line, Field: "timing", Reason: "cue has no timing line (want 00:00:01.000 --> 00:00:04.000)"}
	}
	line := b.line + timing
	left, right, _ := strings.Cut(b.lines[timing], "-->")
	c.startText = strings.TrimSpace(left)
	if f := strings.Fields(right); len(f) > 0 {
		c.endText = f[0]
	}
	start, ok := parseOffset(c.startText)
	if !ok {
		return c, &importers.Rejection{Line: line, Field: "start", Reason: "cue start " + strconv.Quote(short(c.startText)) + " is not a time offset like 00:01:02.500"}
	}
	end, ok := parseOffset(c.endText)
	if !ok {
		return c, &importers.Rejection{Line: line, Field: "end", Reason: "cue end " + strconv.Quote(short(c.endText)) + " is not a time offset like 00:01:02.500"}
	}
	if end < start {
		return c, &importers.Rejection{Line: line, Field: "end", Reason: "cue ends (" + c.endText + ") before it starts (" + c.startText + ")"}
	}
	c.start = start
	c.speaker, c.text = speakerText(b.lines[timing+1:])
	return c, nil
}

// parseOffset reads "hh:mm:ss.ttt", "mm:ss.ttt" (WebVTT) and "hh:mm:ss,ttt"
// (SRT); hours may have more than two digits, the fraction one to three.
func parseOffset(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var h int64
	if len(parts) == 3 {
		if len(parts[0]) == 0 || len(parts[0]) > 5 || !digits(parts[0]) {
			return 0, false
		}
		h, _ = strconv.ParseInt(parts[0], 10, 64)
		parts = parts[1:]
	}
	secText, frac, hasFrac := strings.Cut(strings.Replace(parts[1], ",", ".", 1), ".")
	if len(parts[0]) != 2 || len(secText) != 2 || !digits(parts[0]) || !digits(secText) ||
		(hasFrac && (len(frac) == 0 || len(frac) > 3 || !digits(frac))) {
		return 0, false
	}
	m, _ := strconv.ParseInt(parts[0], 10, 64)
	sec, _ := strconv.ParseInt(secText, 10, 64)
	if m > 59 || sec > 59 {
		return 0, false
	}
	ms := int64(0)
	if hasFrac {
		ms, _ = strconv.ParseInt((frac + "00")[:3], 10, 64)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second + time.Duration(ms)*time.Millisecond, true
}

var (
	voiceRe  = regexp.MustCompile(`<v(?:\.[^\s>]*)?[ \t]+([^>]*)>`)
	tagRe    = regexp.MustCompile(`<[^>]*>|\{\\[^}]*\}`)
	prefixRe = regexp.MustCompile(`^([\p{L}][\p{L}\p{M}0-9.'’ _-]{0,48}?):[ \t]+(\S.*)$`)
	htmlLike = regexp.MustCompile(`<([A-Za-z/!?])`)
)

// group is consecutive text of one speaker.
type group struct {
	speaker string
	lines   []string
}

// speakerText finds who speaks in a cue and what they say. A cue with more
// than one speaker keeps each one's name before their words.
func speakerText(lines []string) (speaker, text string) {
	var groups []group
	current, sawVoice := "", false
	for _, l := range lines {
		if m := voiceRe.FindStringSubmatch(l); m != nil {
			current, sawVoice = importers.NormalizeText(html.UnescapeString(m[1])), true
		} else if !sawVoice {
			l = strings.TrimPrefix(strings.TrimSpace(l), "- ") // SRT dialog dash
			if m := prefixRe.FindStringSubmatch(strings.TrimSpace(tagRe.ReplaceAllString(l, ""))); m != nil && len(strings.Fields(m[1])) <= 4 {
				current, l = strings.TrimSpace(m[1]), m[2]
			}
		}
		l = importers.NormalizeText(html.UnescapeString(tagRe.ReplaceAllString(l, "")))
		l = htmlLike.ReplaceAllString(l, `\<$1`)
		if l == "" {
			continue
		}
		if n := len(groups); n > 0 && groups[n-1].speaker == current {
			groups[n-1].lines = append(groups[n-1].lines, l)
		} else {
			groups = append(groups, group{speaker: current, lines: []string{l}})
		}
	}
	if len(groups) == 0 {
		return "", ""
	}
	if len(groups) == 1 {
		return groups[0].speaker, strings.Join(groups[0].lines, "\n")
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = strings.Join(g.lines, "\n")
		if g.speaker != "" {
			parts[i] = g.speaker + ": " + parts[i]
		}
	}
	return groups[0].speaker, strings.Join(parts, "\n")
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// short keeps messages readable when the input is garbage.
func short(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// ManualCall builds the event for a call someone reports by hand: who
// called whom and what came of it ("Ana called Bo: reached, joined the
// bridge"). It has no external id, so it is never taken for a duplicate.
func ManualCall(who, whom, outcome string, at time.Time) incident.TimelineEvent {
	who, whom, outcome = importers.NormalizeText(who), importers.NormalizeText(whom), importers.NormalizeText(outcome)
	caller := who
	if caller == "" {
		caller = "Someone"
	}
	body := caller + " called " + whom
	if whom == "" {
		body = caller + " made a call"
	}
	if outcome != "" {
		body += ": " + outcome
	}
	meta := map[string]any{}
	if whom != "" {
		meta["callee"] = whom
	}
	if outcome != "" {
		meta["outcome"] = outcome
	}
	return incident.TimelineEvent{
		OccurredAt: at.UTC(),
		Source:     incident.SourceManual,
		Kind:       incident.KindCall,
		Actor:      who,
		Body:       body,
		Metadata:   meta,
	}
}
