package main

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/internal/pgtest"
)

// TestCLI_ImportPostmortemsCorpus loads the whole public collection as a
// library, twice: the second run adds nothing. On both databases.
func TestCLI_ImportPostmortemsCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.md"))
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus %s is missing; CI must provide it", corpusDir)
		}
		t.Skipf("corpus %s not present", corpusDir)
	}
	for _, db := range []struct {
		name    string
		environ func(t *testing.T) []string
	}{
		{"sqlite", func(*testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"HINDSIGHT_DATABASE_URL=" + pgtest.URL(t)} }},
	} {
		t.Run(db.name, func(t *testing.T) {
			environ, data := db.environ(t), filepath.Join(t.TempDir(), "data")
			code, out, errOut := runCLI(t, environ, "import", "postmortems", corpusDir, "--data-dir", data)
			if code != 0 || !strings.Contains(out, "Imported 242 post-mortem(s)") || !strings.Contains(out, "242 new, 0 already there") ||
				!strings.Contains(errOut, "242 of 242 post-mortems (100%)") {
				t.Fatalf("first run: %d\n%s\n%s", code, out, errOut)
			}
			code, out, errOut = runCLI(t, environ, "import", "postmortems", corpusDir, "--data-dir", data)
			if code != 0 || !strings.Contains(out, "0 new, 242 already there") {
				t.Fatalf("second run: %d\n%s\n%s", code, out, errOut)
			}
			// Browsable: an incident carries its company tag, services and RCA.
			code, md, errOut := runCLI(t, environ, "export", "INC-1", "--format", "md", "--data-dir", data)
			if code != 0 || !strings.Contains(md, "url: ") {
				t.Fatalf("export INC-1: %d\n%s", code, errOut)
			}
		})
	}
}

// TestCLI_ImportPostmortemsZipAndBadFiles reads a zip library, refuses one
// with an unreadable file unless --skip-invalid, and recognises a file seen
// before by its content when it names no url.
func TestCLI_ImportPostmortemsZipAndBadFiles(t *testing.T) {
	dir := t.TempDir()
	zpath := filepath.Join(dir, "lib.zip")
	f, err := os.Create(zpath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	add := func(name, body string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("2024/db-failover.md", "---\ntitle: Database failover took 40 minutes\ncompany: Example\nproduct: checkout\nkeywords: [failover, postgres]\nsummary: The standby lagged.\n---\n\n## What happened\n\nThe primary died.\n")
	add("2024/dns.md", "---\ntitle: DNS outage\nurl: https://status.example.com/incidents/42\nsummary: A bad zone push.\n---\n\n## Root cause\n\nA typo.\n")
	add("notes.txt", "not a post-mortem")
	add("2024/broken.md", "---\ntitle: [unclosed\n---\n")
	add("2024/latin1.md", "---\ntitle: Caf\xe9 outage\n---\n\n## What happened\n\nx\n")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data := filepath.Join(dir, "data")
	code, out, errOut := runCLI(t, nil, "import", "postmortems", zpath, "--data-dir", data)
	if code == 0 || !strings.Contains(errOut, "2024/broken.md") || !strings.Contains(errOut, "nothing was imported") ||
		!strings.Contains(errOut, "2024/latin1.md") || !strings.Contains(errOut, "not UTF-8") {
		t.Fatalf("bad file: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, nil, "import", "postmortems", zpath, "--skip-invalid", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "2 new, 0 already there, 2 skipped") {
		t.Fatalf("skip invalid: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, nil, "import", "postmortems", zpath, "--skip-invalid", "--data-dir", data)
	if code != 0 || !strings.Contains(out, "0 new, 2 already there") {
		t.Fatalf("again: %d\n%s", code, out)
	}
}
