package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/search"
)

// SlackDeps configures the Slack slash command.
type SlackDeps struct {
	// SigningSecret is the Slack app's signing secret
	// (HINDSIGHT_SLACK_SIGNING_SECRET). Empty: the endpoint is off (404).
	SigningSecret string
	// Now is the clock request timestamps are judged against. Default time.Now.
	Now func() time.Time
}

const (
	// slackMaxBody bounds a slash-command request. Slack sends a short form
	// (the command's text is limited to what fits in a message); a larger
	// body is not from Slack and is refused before anything is parsed.
	slackMaxBody = 256 << 10
	// slackMaxSkew is how far a request's timestamp may be from our clock;
	// an older request may be a replay (Slack's own advice: five minutes).
	slackMaxSkew = 5 * time.Minute
	// slackTopN is how many matches an answer lists.
	slackTopN = 5
	// slackMaxPiece bounds one piece of incident text in an answer (a
	// section block holds at most 3,000 characters).
	slackMaxPiece = 300
)

// slackResponse is the JSON answer to a slash command.
type slackResponse struct {
	ResponseType string       `json:"response_type"`
	Text         string       `json:"text"`
	Blocks       []slackBlock `json:"blocks,omitempty"`
}

// slackBlock is a Block Kit block: a section (Text) or a context (Elements).
type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

// slackText is a Block Kit text object.
type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackCommand handles POST /integrations/slack/command: "/hindsight
// similar <text>" and "/hindsight search <query>", answered privately
// (ephemeral) with the top matches and links. Only a request signed with
// the configured signing secret is answered.
func (s *server) slackCommand(c *gin.Context) {
	if s.slack.SigningSecret == "" {
		s.routeNotFound(c)
		return
	}
	// The signature covers the raw body, so it is read (with a cap) before
	// anything parses it.
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, slackMaxBody+1))
	if err != nil {
		s.renderError(c, err)
		return
	}
	if len(body) > slackMaxBody {
		s.renderError(c, errBodyTooLarge(slackMaxBody))
		return
	}
	now := time.Now
	if s.slack.Now != nil {
		now = s.slack.Now
	}
	if err := verifySlack(s.slack.SigningSecret, c.Request.Header, body, now()); err != nil {
		s.renderError(c, &httpError{Status: http.StatusUnauthorized, Code: "slack_unauthorized",
			Message: "the request is not signed with this server's Slack signing secret", Cause: err})
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		s.renderError(c, &httpError{Status: http.StatusBadRequest, Code: "bad_payload", Message: "the body is not a form", Cause: err})
		return
	}
	c.JSON(http.StatusOK, s.answerSlack(c, form))
}

// verifySlack checks a request the way Slack documents ("Verifying
// requests from Slack"): the X-Slack-Signature header must be "v0=" and
// the hex HMAC-SHA256, keyed by the signing secret, of
// "v0:<X-Slack-Request-Timestamp>:<raw body>", and the timestamp must be
// within five minutes of now.
func verifySlack(secret string, h http.Header, body []byte, now time.Time) error {
	ts := h.Get("X-Slack-Request-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("slack: missing or bad X-Slack-Request-Timestamp")
	}
	if skew := now.Sub(time.Unix(sec, 0)); skew > slackMaxSkew || skew < -slackMaxSkew {
		return fmt.Errorf("slack: request timestamp is %s away from now", skew.Round(time.Second))
	}
	got, ok := strings.CutPrefix(h.Get("X-Slack-Signature"), "v0=")
	if !ok {
		return errors.New("slack: missing or bad X-Slack-Signature")
	}
	gotMAC, err := hex.DecodeString(got)
	if err != nil {
		return errors.New("slack: X-Slack-Signature is not hex")
	}
	if !hmac.Equal(gotMAC, slackMAC(secret, ts, body)) {
		return errors.New("slack: signature mismatch")
	}
	return nil
}

// slackMAC is Slack's v0 request signature (without the "v0=" prefix).
func slackMAC(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// slackUsage explains the command.
func slackUsage(cmd string) string {
	if cmd == "" {
		cmd = "/hindsight"
	}
	cmd = slackEscape(cmd)
	return "Find past incidents from Slack:\n" +
		"• `" + cmd + " similar <text>`: paste an alert, an error message or a symptom; get the past incidents most like it, and why.\n" +
		"• `" + cmd + " search <query>`: search incidents (words, \"phrases\", -exclude, service:name, tag:name, after:2024-01-01).\n" +
		"• `" + cmd + " help`: this message."
}

// answerSlack runs the command and builds the answer. Every outcome is an
// answer: Slack shows a non-200 as a failure with no text, so errors are
// said in words.
func (s *server) answerSlack(c *gin.Context, form url.Values) slackResponse {
	cmd := strings.TrimSpace(form.Get("command"))
	verb, rest := splitCommand(slackPlain(form.Get("text")))
	// The caller is a Slack user, not a Hindsight user: they see what every
	// signed-in user sees, never a restricted incident.
	ctx := app.WithViewer(c.Request.Context(), search.Viewer{})
	base := s.linkBase(c)
	switch strings.ToLower(verb) {
	case "similar", "like":
		if rest == "" {
			return ephemeral("Paste the text after `similar`: an alert, an error message or a symptom.\n\n" + slackUsage(cmd))
		}
		items, err := s.svc.SimilarText(ctx, rest, slackTopN)
		if err != nil {
			return s.slackError(c, err)
		}
		if len(items) == 0 {
			return ephemeral("No past incident looks like that. Try other words, or `search` for them.")
		}
		return slackSimilar(base, items)
	case "search", "find":
		if rest == "" {
			return ephemeral("Say what to search for after `search`.\n\n" + slackUsage(cmd))
		}
		res, err := s.svc.Search(ctx, search.Request{Q: rest, Limit: slackTopN, NoFacets: true})
		if err != nil {
			return s.slackError(c, err)
		}
		if len(res.Items) == 0 {
			return ephemeral("No incident matches " + slackQuote(rest) + ". Try fewer or other words." + slackNotes(res.Notices))
		}
		return slackSearch(base, rest, res)
	case "", "help":
		return ephemeral(slackUsage(cmd))
	default:
		return ephemeral("I do not know " + slackQuote(verb) + ".\n\n" + slackUsage(cmd))
	}
}

// slackEntity is a link, mention or channel as Slack writes them in the
// text it sends: <https://x|label>, <@U123>, <#C123|general>.
var slackEntity = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)

// slackPlain is the text a user typed, as they saw it: Slack sends links
// and mentions in angle brackets and escapes &, < and >, which would
// otherwise be searched for as "lt", "gt" and URLs twice.
func slackPlain(text string) string {
	text = slackEntity.ReplaceAllStringFunc(text, func(m string) string {
		sub := slackEntity.FindStringSubmatch(m)
		if sub[2] != "" {
			return sub[2]
		}
		return sub[1]
	})
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
}

// splitCommand splits a command's text into its first word and the rest
// (pasted text may start on the next line).
func splitCommand(text string) (verb, rest string) {
	text = strings.TrimSpace(text)
	i := strings.IndexFunc(text, unicode.IsSpace)
	if i < 0 {
		return text, ""
	}
	return text[:i], strings.TrimSpace(text[i:])
}

// slackError says in words why a command could not be answered.
func (s *server) slackError(c *gin.Context, err error) slackResponse {
	var verr *incident.ValidationError
	switch {
	case errors.Is(err, search.ErrNotReady):
		msg := "The search index is still being built"
		if st, serr := s.svc.SearchStatus(c.Request.Context()); serr == nil && st.BuildTotal > 0 {
			msg += fmt.Sprintf(" (%d of %d incidents)", st.BuildDone, st.BuildTotal)
		}
		return ephemeral(msg + "; try again in a minute.")
	case errors.Is(err, app.ErrSearchUnavailable), errors.Is(err, search.ErrClosed):
		return ephemeral("Search is not available on this server right now; try again in a minute.")
	case errors.As(err, &verr):
		return ephemeral("That did not work: " + slackEscape(verr.Error()))
	case errors.Is(err, search.ErrBadRequest):
		return ephemeral("That did not work: " + slackEscape(err.Error()))
	}
	rid := requestIDOf(c)
	s.log.Error("Slack command failed", slog.String("request_id", rid), slog.Any("error", err))
	return ephemeral("Something went wrong on the Hindsight server (request id " + slackEscape(rid) + ").")
}

// slackSimilar lists similar incidents with their score and reasons.
func slackSimilar(base string, items []app.SimilarIncident) slackResponse {
	lines := make([]string, 0, len(items))
	blocks := []slackBlock{section(fmt.Sprintf("*Past incidents like your text* (top %d)", len(items)))}
	for _, it := range items {
		line := slackLink(base, it.Key, it.Title) + "  " + slackMeta(it.Severity, it.Status, it.Published) +
			fmt.Sprintf(" · score %.2f", it.Score)
		var why []string
		for _, r := range it.Reasons {
			why = append(why, slackEscape(clip(r.Text, slackMaxPiece)))
		}
		if len(why) > 0 {
			line += "\n" + strings.Join(why, "; ")
		}
		if a := it.Actions; a.Total > 0 {
			switch {
			case a.AllClosed && a.Total == 1:
				line += "\n_Its corrective action is closed._"
			case a.AllClosed:
				line += fmt.Sprintf("\n_All %d corrective actions are closed._", a.Total)
			default:
				line += fmt.Sprintf("\n_%d of %d corrective actions still open._", a.Open, a.Total)
			}
		}
		lines = append(lines, line)
		blocks = append(blocks, section(line))
	}
	return slackResponse{ResponseType: "ephemeral", Text: strings.Join(lines, "\n"), Blocks: blocks}
}

// slackSearch lists search hits with the best fragment of each.
func slackSearch(base, q string, res search.Result) slackResponse {
	head := fmt.Sprintf("*%d incident", res.Total)
	if res.Total != 1 {
		head += "s"
	}
	head += " match* " + slackQuote(q)
	if res.Fuzzy {
		head += " _(allowing for typos and unfinished words)_"
	}
	if res.AnyWord {
		head += " _(some of the words)_"
	}
	if res.Total > uint64(len(res.Items)) {
		head += fmt.Sprintf(", the top %d:", len(res.Items))
	}
	head += slackNotes(res.Notices)
	blocks := []slackBlock{section(head)}
	lines := []string{head}
	for _, h := range res.Items {
		line := slackLink(base, h.Key, h.Title) + "  " + slackMeta(h.Severity, h.Status, h.Published)
		if f := bestFragment(h); f != "" {
			line += "\n" + f
		}
		lines = append(lines, line)
		blocks = append(blocks, section(line))
	}
	if res.Total > uint64(len(res.Items)) {
		more := "<" + base + "/search?q=" + url.QueryEscape(q) + "|See all " + strconv.FormatUint(res.Total, 10) + " in Hindsight>"
		blocks = append(blocks, slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: more}}})
	}
	return slackResponse{ResponseType: "ephemeral", Text: strings.Join(lines, "\n"), Blocks: blocks}
}

// fragmentFields is the order in which a hit's highlights are preferred:
// the title is already the link, so a match elsewhere says more.
var fragmentFields = []string{search.FieldRootCauses, search.FieldSummary, search.FieldRCA, search.FieldTimeline,
	search.FieldActions, search.FieldTitle}

// bestFragment is the hit's most telling highlight, in Slack mrkdwn.
func bestFragment(h search.Hit) string {
	for _, f := range fragmentFields {
		if frags := h.Highlights[f]; len(frags) > 0 {
			return "> " + markToSlack(frags[0])
		}
	}
	return ""
}

// markToSlack turns a highlight fragment (HTML-escaped text with the
// matches in <mark>…</mark>) into Slack mrkdwn: the text unescaped, then
// escaped as Slack wants, the matches in *bold*.
func markToSlack(frag string) string {
	var b strings.Builder
	n := 0
	for frag != "" {
		before, after, found := strings.Cut(frag, "<mark>")
		b.WriteString(slackEscape(html.UnescapeString(before)))
		n += len(before)
		if !found || n > slackMaxPiece {
			break
		}
		inner, rest, _ := strings.Cut(after, "</mark>")
		if w := strings.TrimSpace(html.UnescapeString(inner)); w != "" {
			// Slack's bold needs its asterisks against the word; an
			// asterisk inside would end it early.
			b.WriteString("*" + slackEscape(strings.ReplaceAll(w, "*", "")) + "*")
		}
		n += len(inner)
		frag = rest
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning to
// (links and mentions are written <…>); every piece of incident text goes
// through it.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// slackLink is a link to the incident, labelled with its key and title.
func slackLink(base, key, title string) string {
	label := key + " " + clip(title, slackMaxPiece)
	// "|" ends the URL part of a link; the label may hold more of them.
	return "<" + base + "/incidents/" + url.PathEscape(key) + "|" + slackEscape(label) + ">"
}

// slackMeta is the short line of an incident's severity and status.
func slackMeta(severity, status string, published bool) string {
	var parts []string
	for _, p := range []string{strings.ToUpper(severity), status} {
		if p != "" {
			parts = append(parts, slackEscape(p))
		}
	}
	if published {
		parts = append(parts, "RCA published")
	}
	if len(parts) == 0 {
		return ""
	}
	return "_" + strings.Join(parts, " · ") + "_"
}

// slackNotes are a search's notices (search.Result.Notices), a line
// each, as code: they quote what was typed.
func slackNotes(notices []string) string {
	out := ""
	for _, n := range notices {
		out += "\nNote: " + slackQuote(n) + "."
	}
	return out
}

// slackQuote shows what the user typed, escaped, in code style.
func slackQuote(s string) string {
	return "`" + slackEscape(strings.ReplaceAll(clip(s, slackMaxPiece), "`", "'")) + "`"
}

func ephemeral(text string) slackResponse {
	return slackResponse{ResponseType: "ephemeral", Text: text, Blocks: []slackBlock{section(text)}}
}

func section(mrkdwn string) slackBlock {
	return slackBlock{Type: "section", Text: &slackText{Type: "mrkdwn", Text: mrkdwn}}
}

// clip shortens s to about n bytes at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// hostPattern is what a Host or X-Forwarded-Host may hold to be used in a
// link: a name or address and a port, nothing that could end the link.
var hostPattern = regexp.MustCompile(`^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$`)

// linkBase is the root of links to this server: the configured public URL,
// else the scheme and host the request came to (as the proxy in front
// says), else a relative link.
func (s *server) linkBase(c *gin.Context) string {
	if s.publicURL != "" {
		return strings.TrimRight(s.publicURL, "/")
	}
	r := c.Request
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := strings.ToLower(firstValue(r.Header.Get("X-Forwarded-Proto"))); p == "http" || p == "https" {
		scheme = p
	}
	host := firstValue(r.Header.Get("X-Forwarded-Host"))
	if host == "" || !hostPattern.MatchString(host) {
		host = r.Host
	}
	if !hostPattern.MatchString(host) {
		return ""
	}
	return scheme + "://" + host
}

// firstValue is the first of a comma-separated header value (proxies
// append theirs).
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}
