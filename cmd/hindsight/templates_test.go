package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun_TemplatesDir(t *testing.T) {
	write := func(t *testing.T, dir, name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("a bad file stops the start and is named", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "good.yaml", "key: good\nname: Good\nsections:\n  - title: A\n")
		write(t, dir, "broken.yaml", "key: broken\nname: Broken\nsections:\n  - title: A\n    audience: everyone\n")
		var out bytes.Buffer
		code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir()},
			[]string{"HINDSIGHT_TEMPLATES_DIR=" + dir}, &out, &out)
		if code != 2 {
			t.Errorf("exit code %d, want 2", code)
		}
		for _, want := range []string{filepath.Join(dir, "broken.yaml"), "line 5", `unknown audience "everyone"`} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
	})

	t.Run("a dir template overrides a built-in", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "essentials.yml", "key: essentials\nname: House essentials\nsections:\n  - title: What happened\n    body: \"{{title}}\"\n")
		base, stop := serve(t, []string{"HINDSIGHT_TEMPLATES_DIR=" + dir}, "--data-dir", filepath.Join(t.TempDir(), "data"))
		defer stop()
		tm := call(t, "GET", base+"/api/v1/templates/essentials", "", 200)
		if tm["name"] != "House essentials" || tm["source"] != "dir" {
			t.Errorf("essentials = %v", tm)
		}
		inc := call(t, "POST", base+"/api/v1/incidents", `{"title":"Queue backlog"}`, 201)
		r := call(t, "POST", base+"/api/v1/incidents/"+inc["key"].(string)+"/rca", `{"template":"essentials"}`, 201)
		secs := r["sections"].([]any)
		if len(secs) != 1 || secs[0].(map[string]any)["body"] != "Queue backlog" {
			t.Errorf("sections = %v", secs)
		}
	})
}
