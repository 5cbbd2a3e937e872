package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusDir is the public post-mortem collection, next to the checkout.
const corpusDir = "../../../shared/corpus/postmortems"

// TestCLI_ImportWholeCorpus imports every file of the collection into one
// SQLite database: all of them, those without a title included.
func TestCLI_ImportWholeCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.md"))
	if len(files) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("corpus %s is missing; CI must provide it", corpusDir)
		}
		t.Skipf("corpus %s not present", corpusDir)
	}
	data := filepath.Join(t.TempDir(), "data")
	code, out, errOut := runCLI(t, nil, append(append([]string{"import", "markdown"}, files...), "--data-dir", data)...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(files) != 242 || len(lines) != 242 {
		t.Fatalf("%d files, %d imported, want 242 of 242", len(files), len(lines))
	}
	if !strings.Contains(lines[241], "\tINC-242\t") {
		t.Errorf("last import = %q, want INC-242", lines[241])
	}
	// One of the files without a title: its title, url and company survive
	// an export.
	name := filepath.Join(corpusDir, "04f5afd8-09fc-4314-9c60-7f942faca125.md")
	for i, f := range files {
		if f != name {
			continue
		}
		key := strings.Split(lines[i], "\t")[1]
		code, md, errOut := runCLI(t, nil, "export", key, "--format", "md", "--data-dir", data)
		if code != 0 {
			t.Fatalf("export %s: exit %d\n%s", key, code, errOut)
		}
		for _, want := range []string{"title: 'rust-lang: On 2023-07-20 between", "url: https://blog.rust-lang.org/inside-rust/2023/07/21/crates-io-postmortem.html", "company: rust-lang"} {
			if !strings.Contains(md, want) {
				t.Errorf("export lacks %q:\n%s", want, md[:min(len(md), 1500)])
			}
		}
	}
}

// TestCLI_ImportBOMAndCRLF: a file saved by a Windows editor imports.
func TestCLI_ImportBOMAndCRLF(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "windows.md")
	body := "\uFEFF" + strings.ReplaceAll(importFixture, "\n", "\r\n")
	if err := os.WriteFile(src, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "import", "markdown", src, "--data-dir", filepath.Join(dir, "data"))
	if code != 0 || !strings.Contains(out, "\tINC-1\tCheckout errors") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
}
