package e2e

import (
	"archive/zip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// slackExportDir is the sample Slack export of the Slack importer's tests.
func slackExportDir() string {
	return filepath.Join(repoRoot, "importers", "slack", "testdata", "export")
}

// slackStart is when the sample export's incident begins (its first message
// in #general, 2024-11-20 14:00 UTC).
var slackStart = time.Date(2024, 11, 20, 14, 0, 0, 0, time.UTC)

// slackZip zips the sample Slack export (the API takes a folder-shaped
// export as a zip) into a temporary file, with extra messages appended to
// #incidents on 2024-11-20, and returns its path.
func slackZip(t testing.TB, extra ...map[string]any) string {
	t.Helper()
	src := slackExportDir()
	p := filepath.Join(t.TempDir(), "slack-export.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == filepath.Join("incidents", "2024-11-20.json") && len(extra) > 0 {
			var msgs []map[string]any
			if err := json.Unmarshal(b, &msgs); err != nil {
				return err
			}
			msgs = append(msgs, extra...)
			if b, err = json.MarshalIndent(msgs, "", "  "); err != nil {
				return err
			}
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		t.Fatalf("zip the Slack export: %v", err)
	}
	return p
}

// XSS payloads, as a person would type them in Slack. Slack's export
// escapes &, < and > in message text, so the file holds them escaped and
// the importer gives back exactly what was typed.
const (
	xssImg    = `<img src=x onerror="window.__xss=1">`
	xssScript = `<script>window.__xss=1</script>`
)

// slackEscape escapes text as Slack's export does.
func slackEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			out = append(out, "&amp;"...)
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}

// slackMessage is a message by Ann in the sample export at t.
func slackMessage(at time.Time, text string) map[string]any {
	return map[string]any{
		"type": "message",
		"user": "U01ANN",
		"text": slackEscape(text),
		"ts":   formatTS(at),
	}
}

func formatTS(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) + ".000000" }
