package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Mail is one e-mail: plain text and HTML alternatives of the same content.
type Mail struct {
	To      []string
	Subject string
	Text    string
	// HTML must already be safe (built with html/template).
	HTML string
}

// TLS modes of SMTP.TLS.
const (
	// TLSAuto requires STARTTLS, except to a server on this machine
	// (localhost, a loopback address), where it is used when offered.
	TLSAuto = ""
	// TLSStartTLS requires STARTTLS (port 587).
	TLSStartTLS = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465).
	TLSImplicit = "tls"
	// TLSNone never encrypts (a relay on a trusted network).
	TLSNone = "none"
)

// SMTP sends mail through one SMTP server (a relay, typically port 587).
// Mail is encrypted as TLS says (by default STARTTLS is required unless
// the server is on this machine); credentials are only ever sent over TLS
// (or to localhost), as net/smtp.PlainAuth insists.
type SMTP struct {
	// Addr is host:port.
	Addr string
	// TLS is the encryption mode: TLSAuto, TLSStartTLS, TLSImplicit or TLSNone.
	TLS string
	// User and Password authenticate (PLAIN); empty User sends without.
	User     string
	Password string
	// From is the sender address ("Hindsight <hindsight@example.com>").
	From string
	// Timeout bounds the whole conversation. Default 30 s.
	Timeout time.Duration
	// TLSConfig verifies the server's certificate. Default: the system
	// roots and the host of Addr; tests pass their own.
	TLSConfig *tls.Config
	// Now stamps the Date header. Default time.Now.
	Now func() time.Time
}

// ParseAddress checks one e-mail address and returns it bare
// (alice@example.com), refusing anything with line breaks or a list.
func ParseAddress(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n") {
		return "", errors.New("an e-mail address must be on one line")
	}
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("%q is not an e-mail address", s)
	}
	return a.Address, nil
}

// Send delivers m. The error says which step failed (connect, STARTTLS,
// AUTH, a recipient) and never contains the password.
func (s SMTP) Send(ctx context.Context, m Mail) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("smtp: the sender %q is not an e-mail address", s.From)
	}
	var to []string
	for _, r := range m.To {
		a, err := ParseAddress(r)
		if err != nil {
			return fmt.Errorf("smtp: recipient: %w", err)
		}
		to = append(to, a)
	}
	if len(to) == 0 {
		return errors.New("smtp: no recipient")
	}
	msg, err := s.compose(from, to, m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, _ := net.SplitHostPort(s.Addr)
	cfg := s.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	var conn net.Conn
	switch s.TLS {
	case TLSAuto, TLSStartTLS, TLSNone:
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.Addr)
	case TLSImplicit:
		conn, err = (&tls.Dialer{Config: cfg}).DialContext(ctx, "tcp", s.Addr)
	default:
		return fmt.Errorf("smtp: unknown TLS mode %q (want starttls, tls or none)", s.TLS)
	}
	if err != nil {
		return fmt.Errorf("smtp: connect to %s: %w", s.Addr, err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp: greeting: %w", err)
	}
	defer c.Close()
	if s.TLS != TLSImplicit && s.TLS != TLSNone {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(cfg); err != nil {
				return fmt.Errorf("smtp: STARTTLS: %w", err)
			}
		} else if s.TLS == TLSStartTLS || !isLocal(host) {
			return fmt.Errorf("smtp: %s does not offer STARTTLS: not sending in clear text (HINDSIGHT_SMTP_TLS=none allows it)", s.Addr)
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Password, host)); err != nil {
			return fmt.Errorf("smtp: AUTH as %s: %w", s.User, err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp: MAIL FROM: %w", err)
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("smtp: RCPT TO %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: message refused: %w", err)
	}
	return c.Quit()
}

// compose writes the message: headers (the subject Q-encoded, no line
// break a caller could inject) and a multipart/alternative body with the
// text and HTML parts quoted-printable.
func (s SMTP) compose(from *mail.Address, to []string, m Mail) ([]byte, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	subject := strings.Join(strings.Fields(m.Subject), " ")
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	domain := "hindsight.local"
	if _, d, ok := strings.Cut(from.Address, "@"); ok {
		domain = d
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := []string{
		"From: " + from.String(),
		"To: " + strings.Join(to, ", "),
		"Subject: " + mime.QEncoding.Encode("utf-8", subject),
		"Date: " + now().Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id) + "@" + domain + ">",
		"MIME-Version: 1.0",
		"Auto-Submitted: auto-generated",
		`Content-Type: multipart/alternative; boundary="` + mw.Boundary() + `"`,
	}
	var out bytes.Buffer
	out.WriteString(strings.Join(h, "\r\n") + "\r\n\r\n")
	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		if part.body == "" {
			continue
		}
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(crlf(part.body))); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	out.Write(buf.Bytes())
	return out.Bytes(), nil
}

// crlf gives text SMTP's line ends.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// isLocal reports whether host is this machine.
func isLocal(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
