package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testSlackSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// slackSign signs body the way Slack does, computed here independently of
// the handler's own code.
func slackSign(secret, ts, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":" + body))
	return "v0=" + hex.EncodeToString(m.Sum(nil))
}

// slackPost sends a slash command with the given timestamp and signature
// headers (omitted when empty).
func slackPost(h http.Handler, body, ts, sig string, extra map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", "/api/v1/integrations/slack/command", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if ts != "" {
		req.Header.Set("X-Slack-Request-Timestamp", ts)
	}
	if sig != "" {
		req.Header.Set("X-Slack-Signature", sig)
	}
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// slackAsk sends a correctly signed command and decodes the answer.
func slackAsk(t *testing.T, h http.Handler, text string, extra map[string]string) (slackResponse, string) {
	t.Helper()
	body := url.Values{"command": {"/hindsight"}, "text": {text}, "user_id": {"U1"}, "team_id": {"T1"}}.Encode()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	rec := slackPost(h, body, ts, slackSign(testSlackSecret, ts, body), extra)
	if rec.Code != http.StatusOK {
		t.Fatalf("%q: status %d: %s", text, rec.Code, rec.Body)
	}
	var res slackResponse
	decodeTestJSON(t, rec.Body.String(), &res)
	if res.ResponseType != "ephemeral" || res.Text == "" || len(res.Blocks) == 0 {
		t.Fatalf("%q: answer %+v", text, res)
	}
	var all []string
	for _, b := range res.Blocks {
		if b.Text != nil {
			all = append(all, b.Text.Text)
		}
		for _, e := range b.Elements {
			all = append(all, e.Text)
		}
	}
	return res, res.Text + "\n" + strings.Join(all, "\n")
}

// testSlackCommand runs on the seeded backend of TestAPI_Search.
func testSlackCommand(t *testing.T, env *searchEnv) {
	public := New(Deps{testIdentity: testUser, Service: env.a, PublicURL: "https://hindsight.example.com/", Slack: SlackDeps{SigningSecret: testSlackSecret}})
	fromRequest := New(Deps{testIdentity: testUser, Service: env.a, Slack: SlackDeps{SigningSecret: testSlackSecret}})
	const inc1Link = "<https://hindsight.example.com/incidents/INC-1|INC-1 Checkout &lt;outage&gt; &amp; TLS certificate expired>"

	t.Run("similar lists escaped links with reasons", func(t *testing.T) {
		_, got := slackAsk(t, public, "similar ERROR x509: certificate has expired for api.payments.internal", nil)
		if !strings.Contains(got, inc1Link) {
			t.Fatalf("no escaped link to INC-1 in:\n%s", got)
		}
		if strings.Contains(got, "<outage>") || strings.Contains(got, "& TLS") {
			t.Errorf("unescaped incident text in:\n%s", got)
		}
		if !strings.Contains(got, "score ") || !strings.Contains(got, "mention") || !strings.Contains(got, "x509") {
			t.Errorf("no score or reasons in:\n%s", got)
		}
		if !strings.Contains(got, "Its corrective action is closed") {
			t.Errorf("no word on INC-1's closed action in:\n%s", got)
		}
	})
	t.Run("similar text may start on the next line", func(t *testing.T) {
		_, got := slackAsk(t, public, "similar\nERROR x509: certificate has expired for api.payments.internal", nil)
		if !strings.Contains(got, inc1Link) {
			t.Fatalf("no link to INC-1 in:\n%s", got)
		}
	})
	t.Run("search shows a fragment in bold", func(t *testing.T) {
		_, got := slackAsk(t, public, "search x509", nil)
		if !strings.Contains(got, inc1Link) || !strings.Contains(got, "*x509*") {
			t.Fatalf("search x509:\n%s", got)
		}
		if strings.Contains(got, "<mark>") || strings.Contains(got, "&lt;mark&gt;") {
			t.Errorf("HTML marks left in:\n%s", got)
		}
	})
	t.Run("search offers the rest in Hindsight", func(t *testing.T) {
		_, got := slackAsk(t, public, "search disk", nil)
		if !strings.Contains(got, "<https://hindsight.example.com/search?q=disk|See all 25 in Hindsight>") {
			t.Fatalf("search disk:\n%s", got)
		}
		if n := strings.Count(got, "|INC-"); n < slackTopN || n > 2*slackTopN {
			t.Errorf("%d links in:\n%s", n, got)
		}
	})
	t.Run("restricted incidents are never shown in Slack", func(t *testing.T) {
		_, got := slackAsk(t, public, "search certificate", nil)
		if strings.Contains(got, "INC-4") || strings.Contains(got, "Credential") {
			t.Fatalf("restricted incident in:\n%s", got)
		}
		_, got = slackAsk(t, public, "similar credential leak in billing exports", nil)
		if strings.Contains(got, "INC-4") {
			t.Fatalf("restricted incident in:\n%s", got)
		}
	})
	t.Run("a bad date is noted", func(t *testing.T) {
		_, got := slackAsk(t, public, "search disk before:2024-13-40", nil)
		if !strings.Contains(got, "Note: `before:2024-13-40 is not a date") || !strings.Contains(got, "See all 25") {
			t.Fatalf("search disk before:2024-13-40:\n%s", got)
		}
		_, got = slackAsk(t, public, "search zzyzx after:<b>", nil)
		if !strings.Contains(got, "Note: `after:&lt;b&gt; is not a date") {
			t.Fatalf("search zzyzx after:<b>:\n%s", got)
		}
	})
	t.Run("no matches", func(t *testing.T) {
		_, got := slackAsk(t, public, "search zzyzx", nil)
		if !strings.Contains(got, "No incident matches `zzyzx`") {
			t.Fatalf("search zzyzx:\n%s", got)
		}
	})
	t.Run("help", func(t *testing.T) {
		for _, text := range []string{"", "help", "frob&lt;x&gt; y"} {
			_, got := slackAsk(t, public, text, nil)
			if !strings.Contains(got, "/hindsight similar") || !strings.Contains(got, "/hindsight search") {
				t.Errorf("%q:\n%s", text, got)
			}
		}
		// An unknown command is echoed back, escaped again.
		_, got := slackAsk(t, public, "frob&lt;x&gt; y", nil)
		if !strings.Contains(got, "I do not know `frob&lt;x&gt;`") || strings.Contains(got, "frob<x>") {
			t.Errorf("unknown command:\n%s", got)
		}
	})
	t.Run("links from the forwarded host", func(t *testing.T) {
		_, got := slackAsk(t, fromRequest, "search x509", map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "rca.internal:8443"})
		if !strings.Contains(got, "<https://rca.internal:8443/incidents/INC-1|") {
			t.Fatalf("forwarded:\n%s", got)
		}
		_, got = slackAsk(t, fromRequest, "search x509", map[string]string{"X-Forwarded-Host": "evil.example|x>"})
		if !strings.Contains(got, "<http://example.com/incidents/INC-1|") {
			t.Fatalf("bad forwarded host, links from Host:\n%s", got)
		}
	})

	body := url.Values{"command": {"/hindsight"}, "text": {"search x509"}}.Encode()
	now := strconv.FormatInt(time.Now().Unix(), 10)
	stale := strconv.FormatInt(time.Now().Add(-6*time.Minute).Unix(), 10)
	future := strconv.FormatInt(time.Now().Add(6*time.Minute).Unix(), 10)
	good := slackSign(testSlackSecret, now, body)
	for _, tc := range []struct {
		name, body, ts, sig string
	}{
		{"tampered body", strings.Replace(body, "x509", "x510", 1), now, good},
		{"wrong secret", body, now, slackSign("another secret", now, body)},
		{"stale timestamp", body, stale, slackSign(testSlackSecret, stale, body)},
		{"timestamp from the future", body, future, slackSign(testSlackSecret, future, body)},
		{"timestamp not the signed one", body, strconv.FormatInt(time.Now().Unix()+1, 10), good},
		{"no signature", body, now, ""},
		{"no timestamp", body, "", good},
		{"signature without v0=", body, now, strings.TrimPrefix(good, "v0=")},
		{"signature not hex", body, now, "v0=zz" + good[5:]},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			rec := slackPost(public, tc.body, tc.ts, tc.sig, nil)
			if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), `"code":"slack_unauthorized"`) {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		})
	}
	t.Run("the good request itself passes", func(t *testing.T) {
		if rec := slackPost(public, body, now, good, nil); rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

// TestAPI_SlackCommand_Verification checks the parts that need no index:
// Slack's own worked example, the endpoint being off without a secret, the
// body cap, and the answer while the index is not built yet.
func TestAPI_SlackCommand_Verification(t *testing.T) {
	// The example of Slack's "Verifying requests from Slack".
	const (
		docTS   = "1531420618"
		docBody = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
		docSig  = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	)
	sec, _ := strconv.ParseInt(docTS, 10, 64)
	at := time.Unix(sec, 0).Add(30 * time.Second)
	env := newSearchEnv(t, "sqlite", Deps{Slack: SlackDeps{SigningSecret: testSlackSecret, Now: func() time.Time { return at }}})

	t.Run("Slack's worked example", func(t *testing.T) {
		rec := slackPost(env.h, docBody, docTS, docSig, nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/webhook-collect similar") {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
	t.Run("the example six minutes later", func(t *testing.T) {
		late := newSearchEnv(t, "sqlite", Deps{Slack: SlackDeps{SigningSecret: testSlackSecret,
			Now: func() time.Time { return at.Add(6 * time.Minute) }}})
		if rec := slackPost(late.h, docBody, docTS, docSig, nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
	t.Run("the index is not built yet", func(t *testing.T) {
		body := url.Values{"command": {"/hindsight"}, "text": {"search disk"}}.Encode()
		ts := strconv.FormatInt(at.Unix(), 10)
		rec := slackPost(env.h, body, ts, slackSign(testSlackSecret, ts, body), nil)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "still being built") ||
			!strings.Contains(rec.Body.String(), `"response_type":"ephemeral"`) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
	t.Run("a body over the cap", func(t *testing.T) {
		body := "text=" + strings.Repeat("a", slackMaxBody)
		ts := strconv.FormatInt(at.Unix(), 10)
		if rec := slackPost(env.h, body, ts, slackSign(testSlackSecret, ts, body), nil); rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
	t.Run("off without a signing secret", func(t *testing.T) {
		rec := slackPost(newTestHandler(t), docBody, docTS, docSig, nil)
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"code":"route_not_found"`) {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}

func TestSlackPlain(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "disk full on db-1", "disk full on db-1"},
		{"escaped", "p99 &gt; 2s &amp;&amp; errors &lt; 1%", "p99 > 2s && errors < 1%"},
		{"link with label", "see <https://grafana.example.com/d/x|dashboard> now", "see dashboard now"},
		{"bare link", "<https://status.example.com>", "https://status.example.com"},
		{"mention", "<@U123> says hi", "@U123 says hi"},
		{"channel", "<#C1|incidents>", "incidents"},
		{"escaped entity stays text", "&lt;@U1&gt;", "<@U1>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := slackPlain(tc.in); got != tc.want {
				t.Errorf("slackPlain(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMarkToSlack(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"marks become bold", "the <mark>disk</mark> filled", "the *disk* filled"},
		{"escaping kept for Slack", "a &lt;b&gt; &amp; <mark>c&amp;d</mark>", "a &lt;b&gt; &amp; *c&amp;d*"},
		{"quotes unescaped", "it&#39;s <mark>&#34;x&#34;</mark>", `it's *"x"*`},
		{"an asterisk cannot end the bold", "<mark>a*b</mark>", "*ab*"},
		{"no marks", "plain &amp; simple", "plain &amp; simple"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := markToSlack(tc.in); got != tc.want {
				t.Errorf("markToSlack(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
