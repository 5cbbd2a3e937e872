package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLI_ImportIcingaAndMail imports a Nagios/Cacti/Munin mail export and
// a captured Icinga 2 event stream after the fact, as a new user would.
func TestCLI_ImportIcingaAndMail(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	md := filepath.Join(dir, "in.md")
	if err := os.WriteFile(md, []byte(importFixture), 0o600); err != nil {
		t.Fatal(err)
	}
	mbox, err := filepath.Abs("../../importers/email/testdata/alerts.mbox")
	if err != nil {
		t.Fatal(err)
	}
	stream, err := filepath.Abs("../../importers/icinga/testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	window := []string{"--incident", "INC-1", "--from", "2024-01-15T00:00:00Z", "--to", "2024-01-16T00:00:00Z", "--data-dir", data}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string
		wantErr  []string
	}{
		{name: "incident", args: []string{"import", "markdown", md, "--data-dir", data}, wantOut: []string{"INC-1"}},
		{name: "mail with unreadable messages", args: append([]string{"import", "email", mbox}, window...), wantCode: 1,
			wantOut: []string{"alerts.mbox:13: not a readable mail", `no Date header`}, wantErr: []string{"2 record(s) could not be read"}},
		{name: "mail", args: append([]string{"import", "email", mbox, "--skip-invalid"}, window...),
			wantOut: []string{"Imported email", "13 added, 0 duplicates, 2 rejected"}},
		{name: "mail again", args: append([]string{"import", "email", mbox, "--skip-invalid"}, window...),
			wantOut: []string{"0 added, 13 duplicates"}},
		{name: "icinga stream", args: append([]string{"import", "icinga", stream, "--skip-invalid"}, window...),
			wantOut: []string{"Imported icinga", "20 added, 0 duplicates, 4 rejected"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output lacks %q:\nstdout: %s\nstderr: %s", w, out, errOut)
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
