package email

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/importertest"
	"github.com/hindsightrca/hindsight/internal/incident"
)

var update = flag.Bool("update", false, "rewrite the .golden files from the parser's output")

func parse(t *testing.T, in importers.Input, opts importers.Options) *importertest.Recorder {
	t.Helper()
	var r importertest.Recorder
	if err := New().Parse(context.Background(), in, opts, &r); err != nil {
		t.Fatal(err)
	}
	for i, e := range r.Events {
		if e.Kind != incident.KindAlert {
			t.Errorf("event %d: kind %q", i, e.Kind)
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			t.Errorf("event %d invalid: %v", i, err)
		}
	}
	return &r
}

// TestImporter_ParseMbox reads an mbox of Nagios, Icinga 2, Cacti, Munin
// and other mails (quoted-printable, base64, multipart, RFC 2047, CRLF,
// latin-1, an unknown charset, quoted ">From " lines) and checks every
// event against the golden file.
func TestImporter_ParseMbox(t *testing.T) {
	r := parse(t, importertest.FileInput("testdata/alerts.mbox"), importers.Options{})
	importertest.Golden(t, "testdata/alerts.mbox.golden", r.Events, *update)
	wantRejects := []importers.Rejection{
		{File: "testdata/alerts.mbox", Line: 13, Reason: "not a readable mail (malformed header line: this line is no header)"},
		{File: "testdata/alerts.mbox", Line: 14, Field: "Date", Reason: `message "Disk full on db03 (CRITICAL)" has no Date header and no mbox "From " line date`},
	}
	if diff := cmp.Diff(wantRejects, r.Rejects); diff != "" {
		t.Errorf("rejections (-want +got):\n%s", diff)
	}
	ids := map[string]bool{}
	for _, e := range r.Events {
		if ids[e.ExternalID] {
			t.Errorf("id %s twice", e.ExternalID)
		}
		ids[e.ExternalID] = true
	}
}

// TestImporter_ParseEml reads one CRLF .eml file.
func TestImporter_ParseEml(t *testing.T) {
	r := parse(t, importertest.FileInput("testdata/nagios_recovery.eml"), importers.Options{})
	want := []incident.TimelineEvent{{
		OccurredAt: time.Date(2024, 1, 15, 13, 0, 45, 0, time.UTC), OccurredAtText: "Mon Jan 15 13:00:45 UTC 2024",
		Source: "nagios", Kind: incident.KindAlert, Actor: "Nagios",
		Body:       "Resolved: HTTP on web01 is OK\n\nHTTP OK: HTTP/1.1 200 OK - 1523 bytes in 0.004 second response time",
		ExternalID: "20240115130046.RCV1@mon1.example.com", ThreadID: "web01!HTTP",
		Metadata: map[string]any{"subtype": "resolve", "event_type": "RECOVERY", "alert_id": "web01!HTTP", "title": "HTTP on web01 is OK",
			"service": "HTTP", "host": "web01", "status": "OK", "vendor_severity": "OK", "severity": "info",
			"notification_type": "RECOVERY", "address": "10.0.0.5", "subject": "** RECOVERY Service Alert: web01/HTTP is OK **",
			"from": "nagios@mon1.example.com", "message_id": "20240115130046.RCV1@mon1.example.com"},
	}}
	if diff := cmp.Diff(want, r.Events); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestImporter_ParseFolder reads a zip of .eml files and an mbox, and a
// Maildir, and skips what is not mail.
func TestImporter_ParseFolder(t *testing.T) {
	eml := importertest.ReadFile(t, "testdata/nagios_recovery.eml")
	mbox := importertest.ReadFile(t, "testdata/alerts.mbox")
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	for name, body := range map[string][]byte{"export/recovery.eml": eml, "export/all.mbox": mbox, "export/readme.txt": []byte("hi"), "export/__MACOSX/._recovery.eml": []byte("junk")} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	fsys, err := importers.OpenZip(bytes.NewReader(zb.Bytes()), int64(zb.Len()), "mails.zip", importers.ZipLimits{})
	if err != nil {
		t.Fatal(err)
	}
	r := parse(t, importers.Input{Name: "mails.zip", FS: fsys}, importers.Options{})
	if len(r.Events) != 14 || len(r.Rejects) != 2 {
		t.Fatalf("zip: %d events, %d rejects; want 14, 2", len(r.Events), len(r.Rejects))
	}
	if r.Rejects[0].File != "all.mbox" {
		t.Errorf("rejection names %q, want all.mbox", r.Rejects[0].File)
	}
	maildir := fstest.MapFS{
		"Maildir/cur/1705323646.M1P2.mon1:2,S": {Data: eml},
		"Maildir/new/1705323647.M2P2.mon1":     {Data: bytes.ReplaceAll(eml, []byte("RCV1"), []byte("RCV2"))},
		"Maildir/tmp/partial":                  {Data: []byte("x")},
	}
	r = parse(t, importers.Input{Name: "Maildir", FS: maildir}, importers.Options{})
	if len(r.Events) != 2 {
		t.Fatalf("maildir: %d events, want 2", len(r.Events))
	}
	var none importertest.Recorder
	err = New().Parse(context.Background(), importers.Input{Name: "empty", FS: fstest.MapFS{"a.txt": {Data: []byte("x")}}}, importers.Options{}, &none)
	if err == nil || !strings.Contains(err.Error(), "no .eml or .mbox file") {
		t.Errorf("folder without mail: err = %v", err)
	}
}

func TestImporter_ParseBadFiles(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "", "email: f.eml is empty"},
		{"json", `{"type":"StateChange"}`, "email: f.eml is neither an mbox"},
		{"text", "hello world\n", "email: f.eml is neither an mbox"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r importertest.Recorder
			err := New().Parse(context.Background(), importertest.StringInput("f.eml", tc.body), importers.Options{}, &r)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

// buildMail builds a message from headers and a body, with CRLF line ends when
// crlf is set.
func buildMail(headers, body string, crlf bool) string {
	s := headers + "\n\n" + body
	if crlf {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	return s
}

// TestImporter_Message checks single mails field by field.
func TestImporter_Message(t *testing.T) {
	const hdr = "From: Ops Robot <ops@example.com>\nMessage-ID: <m1@example.com>\nDate: Tue, 16 Jan 2024 09:00:00 +0100\n"
	at := time.Date(2024, 1, 16, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		mail string
		opts importers.Options
		want mailAlert
	}{
		{
			name: "generic trigger, latin-1 encoded-word subject, actor from display name",
			mail: buildMail(hdr+"Subject: =?ISO-8859-1?Q?CRITICAL:_Festplatte_fast_voll_auf_db03_=28G=E4ste=29?=", "Disk / is 98% full.", true),
			want: mailAlert{source: "email", Alert: importers.Alert{Subtype: "trigger", EventType: "CRITICAL", Title: "CRITICAL: Festplatte fast voll auf db03 (Gäste)",
				Details: "Disk / is 98% full.", Severity: "critical", Actor: "Ops Robot", AlertID: "ops@example.com: festplatte fast voll auf db03",
				At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
		{
			name: "generic: the first status word wins, replies are stripped",
			mail: buildMail(hdr+"Subject: Re: RESOLVED - CRITICAL disk alert on db03", "ok now", false),
			want: mailAlert{source: "email", Alert: importers.Alert{Subtype: "resolve", EventType: "RESOLVED", Title: "Re: RESOLVED - CRITICAL disk alert on db03",
				Details: "ok now", Severity: "critical", Actor: "Ops Robot", AlertID: "ops@example.com: disk on db03",
				At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
		{
			name: "generic acknowledge with an incident header, no subject words",
			mail: buildMail(hdr+"X-Hindsight-Incident: INC-3\nSubject: Alert acknowledged by bob", "", false),
			want: mailAlert{source: "email", Alert: importers.Alert{Subtype: "trigger", EventType: "ALERT", Title: "Alert acknowledged by bob",
				Actor: "Ops Robot", AlertID: "ops@example.com: by bob", IncidentRef: "INC-3",
				At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
		{
			name: "no subject status word is other; an Incident line names the incident",
			mail: buildMail(hdr+"Subject: Weekly capacity report", "All fine.\nIncident: inc-12\n", false),
			want: mailAlert{source: "email", Alert: importers.Alert{Subtype: "other", EventType: "email", Title: "Weekly capacity report",
				Details: "All fine.\nIncident: inc-12", Actor: "Ops Robot", AlertID: "ops@example.com: weekly capacity report", IncidentRef: "INC-12",
				At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
		{
			name: "no Message-ID: id from date, sender and subject",
			mail: buildMail("From: ops@example.com\nDate: Tue, 16 Jan 2024 08:00:00 GMT\nSubject: Server DOWN", "", false),
			want: mailAlert{source: "email", Alert: importers.Alert{Subtype: "trigger", EventType: "DOWN", Title: "Server DOWN",
				Severity: "down", Actor: "ops@example.com", AlertID: "ops@example.com: server",
				At: at, AtText: "Tue, 16 Jan 2024 08:00:00 GMT", ID: importers.StableID("email", "Tue, 16 Jan 2024 08:00:00 GMT", "ops@example.com", "", "Server DOWN")}},
		},
		{
			name: "Nagios body time in an unknown zone takes the Date header's offset",
			mail: buildMail(hdr+"Subject: ** PROBLEM Host Alert: db02 is DOWN **", "***** Nagios *****\n\nNotification Type: PROBLEM\nHost: db02\nState: DOWN\nAddress: 10.0.0.7\nInfo: PING CRITICAL\n\nDate/Time: Tue Jan 16 08:59:58 XYZ 2024\n", false),
			want: mailAlert{source: "nagios", Alert: importers.Alert{Subtype: "trigger", EventType: "PROBLEM", Title: "db02 is DOWN", Details: "PING CRITICAL",
				Host: "db02", Status: "DOWN", Severity: "DOWN", Actor: "Nagios", AlertID: "db02",
				At: at.Add(-2 * time.Second), AtText: "Tue Jan 16 08:59:58 XYZ 2024", ID: "m1@example.com"}},
		},
		{
			name: "Icinga 2 before 2.8: subject and body with Comment: [author]",
			mail: buildMail(hdr+"Subject: ACKNOWLEDGEMENT - web01 - HTTP is CRITICAL", "***** Icinga  *****\n\nNotification Type: ACKNOWLEDGEMENT\n\nService: HTTP\nHost: web01\nAddress: 10.0.0.5\nState: CRITICAL\n\nDate/Time: 2024-01-16 08:59:00 +0000\n\nAdditional Info: HTTP CRITICAL - 503\n\nComment: [alice] on it\n", false),
			want: mailAlert{source: "icinga", Alert: importers.Alert{Subtype: "acknowledge", EventType: "ACKNOWLEDGEMENT", Title: "HTTP on web01 is CRITICAL",
				Details: "on it\n\nHTTP CRITICAL - 503", Host: "web01", Service: "HTTP", Status: "CRITICAL", Severity: "CRITICAL", Actor: "alice", AlertID: "web01!HTTP",
				At: time.Date(2024, 1, 16, 8, 59, 0, 0, time.UTC), AtText: "2024-01-16 08:59:00 +0000", ID: "m1@example.com"}},
		},
		{
			name: "old thold without a prefix",
			mail: buildMail(hdr+"Subject: router1 - CPU Usage [cpu] went above threshold of 90 with 97", "", false),
			want: mailAlert{source: "cacti", Alert: importers.Alert{Subtype: "trigger", EventType: "threshold", Title: "router1 - CPU Usage [cpu] went above threshold of 90 with 97",
				Host: "router1", Service: "CPU Usage", Component: "cpu", Status: "ALERT", Severity: "alert", Actor: "Cacti", AlertID: "router1 - CPU Usage [cpu]",
				At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
		{
			name: "thold repeat alert is an update",
			mail: buildMail(hdr+"Subject: ALERT: web01 - Traffic - eth0 [traffic_in] is still above threshold of 100 with 250", "", false),
			want: mailAlert{source: "cacti", Alert: importers.Alert{Subtype: "update", EventType: "ALERT", Title: "web01 - Traffic - eth0 [traffic_in] is still above threshold of 100 with 250",
				Host: "web01", Service: "Traffic - eth0", Component: "traffic_in", Status: "ALERT", Severity: "alert", Actor: "Cacti", AlertID: "web01 - Traffic - eth0 [traffic_in]",
				At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
		{
			name: "munin UNKNOWNs update",
			mail: buildMail(hdr+"Subject: Munin", "example.com :: db01.example.com :: MySQL queries\n\tUNKNOWNs: select is unknown.\n", false),
			want: mailAlert{source: "munin", Alert: importers.Alert{Subtype: "update", EventType: "munin-limits", Title: "MySQL queries on db01.example.com is UNKNOWN",
				Details: "UNKNOWNs: select is unknown.", Host: "db01.example.com", Service: "MySQL queries", Status: "UNKNOWN", Severity: "UNKNOWN", Actor: "Munin",
				AlertID: "example.com;db01.example.com;MySQL queries", At: at, AtText: "Tue, 16 Jan 2024 09:00:00 +0100", ID: "m1@example.com"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, err := readMessage([]byte(tc.mail))
			if err != nil {
				t.Fatal(err)
			}
			m := &mailContext{msg: msg, at: msg.Date, atText: msg.DateText, loc: time.UTC}
			got := recognize(m)
			if len(got) != 1 {
				t.Fatalf("got %d alerts", len(got))
			}
			got[0].ID = m.id(0)
			if got[0].IncidentRef == "" {
				got[0].IncidentRef = incidentRef(msg)
			}
			got[0].Extra = nil
			if diff := cmp.Diff(tc.want, got[0], cmp.AllowUnexported(mailAlert{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestImporter_ParseLocalFromLine dates a mail without a Date header by
// its mbox From line, read in the import's zone.
func TestImporter_ParseLocalFromLine(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	box := "From x@example.com Tue Jan 16 09:00:00 2024\nFrom: x@example.com\nSubject: ALERT disk\n\nbody\n"
	r := parse(t, importertest.StringInput("a.mbox", box), importers.Options{Location: berlin})
	if len(r.Events) != 1 {
		t.Fatalf("%d events", len(r.Events))
	}
	e := r.Events[0]
	if !e.OccurredAt.Equal(time.Date(2024, 1, 16, 8, 0, 0, 0, time.UTC)) || e.OccurredAtText != "Tue Jan 16 09:00:00 2024" {
		t.Errorf("at %v %q", e.OccurredAt, e.OccurredAtText)
	}
}

func TestMbox_Split(t *testing.T) {
	box := "From a Mon Jan 15 12:00:00 2024\r\nSubject: one\r\n\r\nFrom here on\r\n>From quoted\r\n\r\n" +
		"From b Mon Jan 15 12:01:00 2024\nSubject: two\n\nline\nFrom c Mon Jan 15 12:02:00 2024\nSubject: three\n\n>>From x\n"
	mr := newMboxReader(strings.NewReader(box))
	var got []string
	for {
		m, err := mr.Next()
		if err != nil {
			break
		}
		got = append(got, m.fromLine+"|"+string(m.raw))
	}
	want := []string{
		"a Mon Jan 15 12:00:00 2024|Subject: one\r\n\r\nFrom here on\r\nFrom quoted\r\n",
		"b Mon Jan 15 12:01:00 2024|Subject: two\n\nline\n",
		"c Mon Jan 15 12:02:00 2024|Subject: three\n\n>From x\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMbox_TooLong(t *testing.T) {
	defer func(n int) { maxMessageBytes = n }(maxMessageBytes)
	maxMessageBytes = 100
	box := "From a Mon Jan 15 12:00:00 2024\nSubject: big\nDate: Mon, 15 Jan 2024 12:00:00 +0000\n\n" + strings.Repeat("x", 200) + "\n\n" +
		"From b Mon Jan 15 12:01:00 2024\nSubject: ALERT small\nDate: Mon, 15 Jan 2024 12:01:00 +0000\n\nok\n"
	r := parse(t, importertest.StringInput("a.mbox", box), importers.Options{})
	if len(r.Events) != 1 || len(r.Rejects) != 1 || r.Rejects[0].Line != 1 || !strings.Contains(r.Rejects[0].Reason, "larger than") {
		t.Fatalf("events %d, rejects %+v", len(r.Events), r.Rejects)
	}
}

func TestDecodeCharset(t *testing.T) {
	tests := []struct {
		name, in, charset, want string
		note                    bool
	}{
		{"utf-8", "Grüße", "utf-8", "Grüße", false},
		{"us-ascii", "plain", "US-ASCII", "plain", false},
		{"latin1", "Gr\xfc\xdfe", "iso-8859-1", "Grüße", false},
		{"latin1 alias", "Gr\xfc\xdfe", "latin1", "Grüße", false},
		{"windows-1252 dash", "a \x96 b \x80", "windows-1252", "a – b €", false},
		{"undeclared 8-bit", "caf\xe9", "", "café", false},
		{"koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r", "Привет", false},
		{"utf-8 that is not", "caf\xe9 ok", "utf-8", "café ok", true},
		{"unknown charset", "caf\xc3\xa9 \xff", "x-made-up", "café ÿ", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, note := decodeCharset([]byte(tc.in), tc.charset)
			if got != tc.want || (note != "") != tc.note {
				t.Errorf("got %q (note %q), want %q (note %v)", got, note, tc.want, tc.note)
			}
		})
	}
}

func TestHTMLToText(t *testing.T) {
	in := `<html><head><title>x</title><style>p{}</style></head><body><h1>Alert &amp; more</h1><p>Line one<br>line&nbsp;two</p>` +
		`<ul><li>a</li><li>b</li></ul><table><tr><th>k</th><th>v</th></tr><tr><td>host</td><td>web01</td></tr></table>` +
		`<a href="https://x.example/a">details</a> <a href="https://x.example/b">https://x.example/b</a><script>evil()</script></body></html>`
	want := "Alert & more\n\nLine one\nline two\n\n- a\n- b\n\nk | v\nhost | web01\n\ndetails (https://x.example/a) https://x.example/b"
	if got := htmlToText(in); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}
