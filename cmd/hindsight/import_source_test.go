package main

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const callVTT = `WEBVTT

00:00:05.000 --> 00:00:09.000
<v Ana Lima>Checkout is returning 502s.</v>

00:01:00.000 --> 00:01:04.000
<v Bo Chen>Rolling back api-7f3 now.</v>
`

func TestCLI_ImportSource(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	md := filepath.Join(dir, "in.md")
	vtt := filepath.Join(dir, "bridge.vtt")
	for p, body := range map[string]string{md: importFixture, vtt: callVTT} {
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The incident starts at 2026-03-01T10:00:00Z, so the default window
	// holds a call at 10:30.
	callArgs := []string{"import", "call", vtt, "--incident", "INC-1", "--call-start", "2026-03-01T10:30:00Z", "--data-dir", data}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  []string
	}{
		{name: "markdown still creates incidents", args: []string{"import", "markdown", md, "--data-dir", data},
			wantOut: []string{"\tINC-1\tCheckout errors"}},
		{name: "dry run", args: append(callArgs, "--dry-run"),
			wantOut: []string{"Dry run of call", "nothing written", "2 events read; would be 2 added, 0 duplicates", "Ana Lima", "Checkout is returning 502s."}},
		{name: "import", args: callArgs,
			wantOut: []string{"Imported call", "2 added, 0 duplicates, 0 rejected, 0 outside the window", "Import batch 1. Undo it with: hindsight import undo 1"}},
		{name: "again adds nothing", args: callArgs, wantOut: []string{"0 added, 2 duplicates", "Import batch 2."}},
		{name: "window from flags", args: append(callArgs, "--from", "2026-03-01 10:31", "--to", "2026-03-01T11:00:00Z"),
			wantOut: []string{"0 added, 1 duplicates, 0 rejected, 1 outside the window"}},
		{name: "undo", args: []string{"import", "undo", "1", "--data-dir", data}, wantOut: []string{"Undid import batch 1 (call bridge.vtt): its 2 events are gone."}},
		{name: "undo twice", args: []string{"import", "undo", "1", "--data-dir", data}, wantCode: 1, wantErr: []string{"already undone"}},
		{name: "import after undo", args: callArgs, wantOut: []string{"2 added, 0 duplicates"}},
		{name: "unknown source", args: []string{"import", "irc", vtt, "--incident", "INC-1", "--data-dir", data}, wantCode: 2,
			wantErr: []string{`unknown source "irc": want markdown or one of`, "slack", "teams"}},
		{name: "incident required", args: []string{"import", "call", vtt, "--data-dir", data}, wantCode: 2, wantErr: []string{"--incident"}},
		{name: "bad from", args: append(callArgs, "--from", "02/01/2026 10:00"), wantCode: 2, wantErr: []string{"--from: timestamp"}},
		{name: "bad mapping", args: append(callArgs, "--map", "when=ts"), wantCode: 2, wantErr: []string{"--map: mapping field"}},
		{name: "unknown incident", args: []string{"import", "call", vtt, "--incident", "INC-9", "--call-start", "2026-03-01T10:30:00Z", "--data-dir", data},
			wantCode: 1, wantErr: []string{"incident INC-9 not found"}},
		{name: "unreadable input names the file", args: []string{"import", "call", vtt, "--incident", "INC-1", "--data-dir", data},
			wantCode: 1, wantErr: []string{"bridge.vtt", "call_start is required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestProgressBar(t *testing.T) {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	now := start
	var buf bytes.Buffer
	p := newProgress(&buf, func() time.Time { return now })
	steps := []struct {
		name  string
		after time.Duration
		n     int
		want  string
	}{
		{name: "quiet in the first second", after: 500 * time.Millisecond, n: 1000, want: ""},
		{name: "a line once it takes long", after: 2 * time.Second, n: 4000, want: "import: parsed 4000 events (2000/s)\n"},
		{name: "not again within five seconds", after: 4 * time.Second, n: 8000, want: ""},
		{name: "again after five seconds", after: 8 * time.Second, n: 16000, want: "import: parsed 16000 events (2000/s)\n"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			buf.Reset()
			now = start.Add(s.after)
			p.update(s.n)
			if buf.String() != s.want {
				t.Errorf("printed %q, want %q", buf.String(), s.want)
			}
		})
	}
	buf.Reset()
	now = start.Add(10 * time.Second)
	p.done()
	if got := buf.String(); got != "import: parsed 16000 events (1600/s), storing\n" {
		t.Errorf("done printed %q", got)
	}
	quiet := newProgress(&buf, func() time.Time { return start })
	buf.Reset()
	quiet.update(10)
	quiet.done()
	if buf.Len() != 0 {
		t.Errorf("a fast import printed %q", buf.String())
	}
}

// TestCLI_ImportSlackZip: a Slack export zipped as a folder goes through
// the registry and the zip checks into the timeline, once.
func TestCLI_ImportSlackZip(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	md := filepath.Join(dir, "in.md")
	if err := os.WriteFile(md, []byte(importFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	zipPath := filepath.Join(dir, "export.zip")
	zipFolder(t, "../../importers/slack/testdata/export", "export", zipPath)
	if code, _, errOut := runCLI(t, nil, "import", "markdown", md, "--data-dir", data); code != 0 {
		t.Fatalf("import markdown: %s", errOut)
	}
	args := []string{"import", "slack", zipPath, "--incident", "INC-1", "--from", "2000-01-01T00:00:00Z", "--to", "2100-01-01T00:00:00Z", "--data-dir", data}
	code, out, errOut := runCLI(t, nil, append(args, "--skip-invalid")...)
	if code != 0 || !strings.Contains(out, "Imported slack") || strings.Contains(out, " 0 added") {
		t.Fatalf("import slack: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, append(args, "--skip-invalid")...)
	if code != 0 || !strings.Contains(out, " 0 added") {
		t.Fatalf("import slack again: exit %d\n%s\n%s", code, out, errOut)
	}
}

// zipFolder writes the files under src into a zip at dst, below prefix/.
func zipFolder(t *testing.T, src, prefix, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := zip.NewWriter(f)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		zf, err := w.Create(prefix + "/" + filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = zf.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestImporterRegistry: every importer package of the tree is offered.
func TestImporterRegistry(t *testing.T) {
	got := strings.Join(importerRegistry().Sources(), ",")
	if want := "alertmanager,bugzilla,call,csv,email,github,grafana,hipchat,icinga,jira,jsonl,mantis,mattermost,newrelic,opsgenie,pagerduty,redmine,skype,slack,statuspage,teams,victorops,zabbix,zenoss"; got != want {
		t.Errorf("sources = %s, want %s", got, want)
	}
}
