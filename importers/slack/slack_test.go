package slack

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func parseDir(t *testing.T, dir string, opts importers.Options) *recorder {
	t.Helper()
	rec := &recorder{}
	in := importers.Input{Name: dir, FS: os.DirFS(dir)}
	if err := NewImporter().Parse(context.Background(), in, opts, rec); err != nil {
		t.Fatalf("Parse(%s): %v", dir, err)
	}
	return rec
}

// TestImporter_Golden pins the whole output of the fixture export.
func TestImporter_Golden(t *testing.T) {
	rec := parseDir(t, "testdata/export", importers.Options{})
	got, err := json.MarshalIndent(rec.Events, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	const golden = "testdata/export.golden.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("output differs from %s (run go test -update and review the diff)\n%s", golden, got)
	}
	if len(rec.Rejects) != 0 {
		t.Errorf("rejections: %+v", rec.Rejects)
	}
}
