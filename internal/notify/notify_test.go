package notify_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/notify"
	"github.com/hindsightrca/hindsight/internal/notify/notifytest"
)

func TestSlackText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{name: "plain", in: "disk full", want: "disk full"},
		{name: "control characters", in: "<!channel> & <@U123> > x", want: "&lt;!channel&gt; &amp; &lt;@U123&gt; &gt; x"},
		{name: "already escaped is escaped again", in: "&amp;", want: "&amp;amp;"},
	} {
		if got := notify.SlackText(tc.in); got != tc.want {
			t.Errorf("%s: SlackText(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
	if got := notify.SlackLink("https://h.example/incidents/INC-1?a=1&b=2", "Fix <it> | now"); got != "<https://h.example/incidents/INC-1?a=1&amp;b=2|Fix &lt;it&gt; ¦ now>" {
		t.Errorf("SlackLink = %q", got)
	}
}

func TestSlackWebhook_Send(t *testing.T) {
	var got map[string]any
	status, reply := http.StatusOK, "ok"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("request %s %s", r.Method, r.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(r.Body)
		got = nil
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("body is not JSON: %s", b)
		}
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "30")
		}
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	defer srv.Close()
	hook := notify.SlackWebhook{URL: srv.URL + "/services/T000/B000/SECRET"}
	msg := notify.SlackMessage{Text: "2 actions overdue", Blocks: []notify.SlackBlock{
		notify.SlackHeader("Reminders"), notify.SlackSection("*" + notify.SlackText("a<b") + "*"), notify.SlackContext("ctx"),
	}}
	if err := hook.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	blocks := got["blocks"].([]any)
	if got["text"] != "2 actions overdue" || len(blocks) != 3 ||
		blocks[1].(map[string]any)["text"].(map[string]any)["text"] != "*a&lt;b*" ||
		blocks[0].(map[string]any)["text"].(map[string]any)["type"] != "plain_text" {
		t.Errorf("payload = %v", got)
	}
	for _, tc := range []struct {
		name   string
		status int
		reply  string
		want   string
	}{
		{name: "bad payload", status: 400, reply: "invalid_payload", want: "HTTP 400: invalid_payload"},
		{name: "channel gone", status: 404, reply: "channel_not_found", want: "channel_not_found"},
		{name: "rate limited", status: 429, reply: "rate_limited", want: "retry after 30s"},
	} {
		status, reply = tc.status, tc.reply
		err := hook.Send(context.Background(), msg)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: error = %v, want %q and no secret", tc.name, err, tc.want)
		}
	}
	srv.Close()
	if err := hook.Send(context.Background(), msg); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("unreachable: error = %v, want one without the URL", err)
	}
}

// tlsPair returns a server TLS config (httptest's certificate for
// 127.0.0.1) and a client config trusting it.
func tlsPair(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return &tls.Config{Certificates: ts.TLS.Certificates}, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func TestSMTP_Send(t *testing.T) {
	serverTLS, clientTLS := tlsPair(t)
	cases := []struct {
		name      string
		configure func(*notifytest.SMTPServer)
		sender    func(addr string) notify.SMTP
		to        []string
		wantErr   string
		wantTLS   bool
		wantAuth  string
	}{
		{
			name:   "plain relay on localhost",
			sender: func(addr string) notify.SMTP { return notify.SMTP{Addr: addr, From: "Hindsight <hs@example.com>"} },
			to:     []string{"ana@example.com"},
		},
		{
			name:      "STARTTLS and AUTH",
			configure: func(s *notifytest.SMTPServer) { s.TLS, s.User, s.Password = serverTLS, "hs", "pw" },
			sender: func(addr string) notify.SMTP {
				return notify.SMTP{Addr: addr, From: "hs@example.com", User: "hs", Password: "pw", TLSConfig: clientTLS}
			},
			to: []string{"ana@example.com", "sre@example.com"}, wantTLS: true, wantAuth: "hs",
		},
		{
			name:      "implicit TLS",
			configure: func(s *notifytest.SMTPServer) { s.TLS, s.Implicit = serverTLS, true },
			sender: func(addr string) notify.SMTP {
				return notify.SMTP{Addr: addr, From: "hs@example.com", TLS: notify.TLSImplicit, TLSConfig: clientTLS}
			},
			to: []string{"ana@example.com"}, wantTLS: true,
		},
		{
			name: "STARTTLS required but not offered",
			sender: func(addr string) notify.SMTP {
				return notify.SMTP{Addr: addr, From: "hs@example.com", TLS: notify.TLSStartTLS}
			},
			to: []string{"ana@example.com"}, wantErr: "does not offer STARTTLS",
		},
		{
			name:      "none never encrypts",
			configure: func(s *notifytest.SMTPServer) { s.TLS = serverTLS },
			sender: func(addr string) notify.SMTP {
				return notify.SMTP{Addr: addr, From: "hs@example.com", TLS: notify.TLSNone}
			},
			to: []string{"ana@example.com"},
		},
		{
			name:   "unknown mode",
			sender: func(addr string) notify.SMTP { return notify.SMTP{Addr: addr, From: "hs@example.com", TLS: "ssl3"} },
			to:     []string{"ana@example.com"}, wantErr: "unknown TLS mode",
		},
		{
			name:      "wrong password",
			configure: func(s *notifytest.SMTPServer) { s.TLS, s.User, s.Password = serverTLS, "hs", "pw" },
			sender: func(addr string) notify.SMTP {
				return notify.SMTP{Addr: addr, From: "hs@example.com", User: "hs", Password: "hunter2", TLSConfig: clientTLS}
			},
			to: []string{"ana@example.com"}, wantErr: "AUTH as hs",
		},
		{
			name:      "recipient refused",
			configure: func(s *notifytest.SMTPServer) { s.RejectRcpt = map[string]bool{"gone@example.com": true} },
			sender:    func(addr string) notify.SMTP { return notify.SMTP{Addr: addr, From: "hs@example.com"} },
			to:        []string{"gone@example.com"}, wantErr: "RCPT TO gone@example.com",
		},
		{
			name:   "header injection refused",
			sender: func(addr string) notify.SMTP { return notify.SMTP{Addr: addr, From: "hs@example.com"} },
			to:     []string{"ana@example.com\r\nBcc: eve@example.com"}, wantErr: "one line",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := notifytest.StartSMTP(tc.configure)
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			s := tc.sender(srv.Addr)
			s.Now = func() time.Time { return time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC) }
			err = s.Send(context.Background(), notify.Mail{To: tc.to, Subject: "Überfällig:\r\nBcc: eve@example.com 2 actions",
				Text: "Line one\nSee <https://h.example/a?x=1&y=2>", HTML: "<p>Line one &amp; <b>two</b></p>"})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error = %v, want %q (and no password)", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages", len(msgs))
			}
			m := msgs[0]
			if m.From != "hs@example.com" || strings.Join(m.To, ",") != strings.Join(tc.to, ",") || m.TLS != tc.wantTLS || m.Auth != tc.wantAuth {
				t.Errorf("envelope = %+v", m)
			}
			checkMIME(t, m.Data)
		})
	}
}

// checkMIME parses the message: one Subject line (no injected header), and
// text and HTML alternatives with the content intact.
func checkMIME(t *testing.T, data string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("not a mail: %v\n%s", err, data)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Error("the subject injected a Bcc header")
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != "Überfällig: Bcc: eve@example.com 2 actions" {
		t.Errorf("subject = %q (%v)", subj, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q", msg.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	parts := map[string]string{}
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b)
	}
	if strings.ReplaceAll(parts["text/plain"], "\r", "") != "Line one\nSee <https://h.example/a?x=1&y=2>" {
		t.Errorf("text part = %q", parts["text/plain"])
	}
	if parts["text/html"] != "<p>Line one &amp; <b>two</b></p>" {
		t.Errorf("html part = %q", parts["text/html"])
	}
}
