package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pullCase is one run of the command line against a fake vendor API.
type pullCase struct {
	name      string
	environ   []string
	args      []string
	wantCode  int
	wantOut   []string
	wantErr   []string
	wantCount int // events in INC-1's timeline afterwards (1 from the fixture)
}

// fixtureDataDir is a fresh data dir holding the import fixture's INC-1.
func fixtureDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	md := filepath.Join(dir, "in.md")
	if err := os.WriteFile(md, []byte(importFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, nil, "import", "markdown", md, "--data-dir", data); code != 0 {
		t.Fatal(errOut)
	}
	return data
}

// runPullCases runs the cases in order, each as a subtest: the exit code,
// the wanted text on stdout and stderr, no secret printed, and the size
// of INC-1's timeline in data afterwards.
func runPullCases(t *testing.T, data string, secrets []string, tests []pullCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tt.environ, tt.args...)
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
			for _, secret := range secrets {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("a secret was printed:\nstdout: %s\nstderr: %s", out, errOut)
				}
			}
			if got := len(timelineOf(t, data)); got != tt.wantCount {
				t.Errorf("timeline has %d events, want %d", got, tt.wantCount)
			}
		})
	}
}
