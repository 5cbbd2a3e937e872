package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hindsightrca/hindsight/internal/report"
)

const importFixture = `---
title: Checkout errors
summary: EU checkout failed.
key: INC-41
severity: SEV2
status: resolved
services: [checkout]
commander: alice.secret
started_at: 2026-03-01T10:00:00Z
resolved_at: 2026-03-01T12:00:00Z
template: essentials
rca_status: draft
timeline:
  - id: 7
    occurred_at: 2026-03-01T10:02:00Z
    source: slack
    actor: bob.secret
    body: db-17.internal disk full
    key_event: true
root_causes:
  - category: capacity
    description: Disk filled up.
    evidence: [7]
actions:
  - title: Alert on disk
    owner: owner.secret
---

<!-- hindsight:section {"key":"event-description","audience":"public","required":true} -->
## Event description

Checkout failed.

<!-- hindsight:section {"key":"timeline","audience":"internal","required":true,"block":"timeline"} -->
## Timeline

<!-- hindsight:generated -->
| stale generated table |
<!-- hindsight:end-generated -->
`

// runCLI runs the command line and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, environ, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestCLI_ImportExport(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	src := filepath.Join(dir, "in.md")
	if err := os.WriteFile(src, []byte(importFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, nil, "import", "markdown", src, "--data-dir", data)
	if code != 0 || !strings.Contains(out, "\tINC-1\tCheckout errors") {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}

	code, _, errOut = runCLI(t, nil, "export", "INC-1", "--format", "md", "--output", dir, "--data-dir", data)
	if code != 0 {
		t.Fatalf("export md: exit %d\n%s", code, errOut)
	}
	md, err := os.ReadFile(filepath.Join(dir, "INC-1-checkout-errors.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := report.ParseMarkdown([]byte(importFixture))
	got, err := report.ParseMarkdown(md)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.RCA.Sections, got.RCA.Sections); diff != "" {
		t.Errorf("sections (-imported +exported):\n%s", diff)
	}
	if !strings.Contains(string(md), "| 2026-03-01 10:02:00 UTC | slack | bob.secret | db-17.internal disk full |") ||
		strings.Contains(string(md), "stale generated table") {
		t.Errorf("timeline block not regenerated:\n%s", md)
	}

	tests := []struct {
		name     string
		environ  []string
		args     []string
		wantCode int
		want     []string
		notWant  []string
	}{
		{name: "public html to stdout", args: []string{"export", "1", "--format", "html", "--audience", "public"},
			want: []string{"<!DOCTYPE html>", "Event description"}, notWant: []string{"alice.secret", "bob.secret", "db-17.internal", "owner.secret"}},
		// No section customer success reads shows the corrective actions
		// or the root causes, so their records stay out too.
		{name: "customer success json", args: []string{"export", "INC-1", "--format", "json", "--audience", "customer_success"},
			want: []string{`"impact_duration": 7200`, `"summary": "EU checkout failed."`}, notWant: []string{"alice.secret", "owner.secret", "Alert on disk", "Disk filled up"}},
		{name: "public json has no summary", args: []string{"export", "INC-1", "--format", "json", "--audience", "public"},
			want: []string{`"draft": true`}, notWant: []string{"EU checkout failed", `"summary"`}},
		{name: "pdf without chromium", environ: []string{"HINDSIGHT_CHROMIUM_PATH=/nonexistent/chromium"},
			args: []string{"export", "INC-1", "--format", "pdf"}, wantCode: 1, want: []string{"install the chromium package"}},
		{name: "unknown incident", args: []string{"export", "INC-9"}, wantCode: 1, want: []string{"incident INC-9 not found"}},
		{name: "bad audience", args: []string{"export", "INC-1", "--audience", "all"}, wantCode: 2, want: []string{"--audience"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.environ, append(tt.args, "--data-dir", data)...)
			all := out + errOut
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tt.wantCode, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(all, w) {
					t.Errorf("output contains %q", w)
				}
			}
		})
	}
}

func TestCLI_ImportRejectsBadFilesBeforeImporting(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	good, bad := filepath.Join(dir, "good.md"), filepath.Join(dir, "bad.md")
	_ = os.WriteFile(good, []byte(importFixture), 0o600)
	_ = os.WriteFile(bad, []byte("---\ntitle: x\nseverity: SEV9\n---\n"), 0o600)
	code, _, errOut := runCLI(t, nil, "import", "markdown", good, bad, "--data-dir", data)
	if code != 1 || !strings.Contains(errOut, "bad.md") || !strings.Contains(errOut, "severity (line 3)") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	code, _, errOut = runCLI(t, nil, "export", "INC-1", "--data-dir", data)
	if code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("INC-1 exists after a refused import: exit %d\n%s", code, errOut)
	}
}
