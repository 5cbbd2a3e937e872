// Package notifytest has fakes of the services package notify talks to, for
// tests: an SMTP server on loopback that speaks the protocol (EHLO,
// STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) and records what it got.
package notifytest

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"strings"
	"sync"
)

// Message is one mail the fake SMTP server accepted.
type Message struct {
	From string
	To   []string
	Data string
	// TLS and Auth say whether the session used STARTTLS and who
	// authenticated ("" for none).
	TLS  bool
	Auth string
}

// SMTPServer is a fake SMTP server. Set its fields before the first
// connection.
type SMTPServer struct {
	Addr string
	// TLS, when set, makes the server offer STARTTLS with this config.
	TLS *tls.Config
	// Implicit makes the server speak TLS (with TLS) from the first byte.
	Implicit bool
	// User and Password, when User is set, are the only credentials AUTH
	// PLAIN accepts; MAIL is refused before authentication.
	User, Password string
	// RejectRcpt makes RCPT TO of these addresses fail with 550.
	RejectRcpt map[string]bool

	ln   net.Listener
	mu   sync.Mutex
	msgs []Message
	wg   sync.WaitGroup
}

// StartSMTP starts a fake SMTP server on 127.0.0.1 and returns it; Close
// stops it. Configure TLS and credentials through configure, which runs
// before the server accepts connections.
func StartSMTP(configure func(*SMTPServer)) (*SMTPServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &SMTPServer{Addr: ln.Addr().String(), ln: ln}
	if configure != nil {
		configure(s)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	return s, nil
}

// Close stops the server and waits for its sessions.
func (s *SMTPServer) Close() { s.ln.Close(); s.wg.Wait() }

// Messages returns the mails accepted so far.
func (s *SMTPServer) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

func (s *SMTPServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	var (
		cur    Message
		inTLS  bool
		authed string
	)
	if s.Implicit {
		tc := tls.Server(conn, s.TLS)
		if err := tc.Handshake(); err != nil {
			return
		}
		conn, inTLS = tc, true
	}
	tp := textproto.NewConn(conn)
	_ = tp.PrintfLine("220 fake.smtp ESMTP ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"250-fake.smtp", "250-8BITMIME"}
			if s.TLS != nil && !inTLS {
				ext = append(ext, "250-STARTTLS")
			}
			if s.User != "" {
				ext = append(ext, "250-AUTH PLAIN")
			}
			ext = append(ext, "250 SIZE 1000000")
			for _, e := range ext {
				_ = tp.PrintfLine("%s", e)
			}
		case "STARTTLS":
			if s.TLS == nil || inTLS {
				_ = tp.PrintfLine("502 not offered")
				continue
			}
			_ = tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, inTLS = tc, true
			tp = textproto.NewConn(tc)
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				_ = tp.PrintfLine("504 unknown mechanism")
				continue
			}
			b, _ := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(b), "\x00")
			if len(parts) != 3 || parts[1] != s.User || parts[2] != s.Password {
				_ = tp.PrintfLine("535 5.7.8 authentication failed")
				continue
			}
			authed = parts[1]
			_ = tp.PrintfLine("235 2.7.0 authenticated")
		case "MAIL":
			if s.User != "" && authed == "" {
				_ = tp.PrintfLine("530 5.7.0 authentication required")
				continue
			}
			cur = Message{From: addrOf(arg), TLS: inTLS, Auth: authed}
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			a := addrOf(arg)
			if s.RejectRcpt[a] {
				_ = tp.PrintfLine("550 5.1.1 no such user")
				continue
			}
			cur.To = append(cur.To, a)
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(b)
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "RSET", "NOOP":
			_ = tp.PrintfLine("250 ok")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("500 unknown command")
		}
	}
}

// addrOf takes the address out of "FROM:<a@b>" or "TO:<a@b> SIZE=1".
func addrOf(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j > 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}
