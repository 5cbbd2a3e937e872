package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SlackText escapes s for Slack's mrkdwn: &, < and > become entities, as
// Slack asks of every text it should show as written (a < would otherwise
// start a link or a mention such as <!channel>).
func SlackText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// SlackLink is a mrkdwn link to url showing text (both escaped); an empty
// url gives the text alone.
func SlackLink(url, text string) string {
	if url == "" {
		return SlackText(text)
	}
	// A | in the URL would end it early; Slack takes it percent-encoded.
	return "<" + SlackText(strings.ReplaceAll(url, "|", "%7C")) + "|" + SlackText(strings.ReplaceAll(text, "|", "¦")) + ">"
}

// SlackMessage is the JSON body of an incoming webhook: the text is the
// notification's fallback, the blocks what Slack shows.
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks,omitempty"`
}

// SlackBlock is one Block Kit layout block (section, header, divider or
// context).
type SlackBlock struct {
	Type     string            `json:"type"`
	Text     *SlackTextObject  `json:"text,omitempty"`
	Elements []SlackTextObject `json:"elements,omitempty"`
}

// SlackTextObject is a Block Kit text object: type mrkdwn or plain_text.
type SlackTextObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// SlackSection is a section block of mrkdwn text (already escaped).
func SlackSection(mrkdwn string) SlackBlock {
	return SlackBlock{Type: "section", Text: &SlackTextObject{Type: "mrkdwn", Text: mrkdwn}}
}

// SlackHeader is a header block of plain text (at most 150 characters).
func SlackHeader(text string) SlackBlock {
	if r := []rune(text); len(r) > 150 {
		text = string(r[:149]) + "…"
	}
	return SlackBlock{Type: "header", Text: &SlackTextObject{Type: "plain_text", Text: text}}
}

// SlackContext is a context block of one mrkdwn element (already escaped).
func SlackContext(mrkdwn string) SlackBlock {
	return SlackBlock{Type: "context", Elements: []SlackTextObject{{Type: "mrkdwn", Text: mrkdwn}}}
}

// SlackWebhook posts messages to one Slack incoming webhook.
type SlackWebhook struct {
	// URL is the webhook (https://hooks.slack.com/services/...). A secret:
	// errors never show it.
	URL string
	// Client sends the request. Default: a client with a 15 s timeout.
	Client *http.Client
}

// Send posts msg. Slack answers 200 "ok"; anything else is an error naming
// Slack's reason (invalid_payload, channel_not_found, ...) and, for 429,
// when to try again.
func (w SlackWebhook) Send(ctx context.Context, msg SlackMessage) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("slack webhook: bad URL")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	c := w.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		// The url.Error would repeat the secret URL.
		return fmt.Errorf("slack webhook: request failed: %w", unwrapURLError(err))
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	reason := strings.TrimSpace(string(reply))
	if reason == "" {
		reason = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil {
			reason += "; retry after " + (time.Duration(s) * time.Second).String()
		}
	}
	return fmt.Errorf("slack webhook: HTTP %d: %s", resp.StatusCode, reason)
}
