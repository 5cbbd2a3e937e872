package slack

import (
	"context"
	"strings"
	"testing"

	"github.com/hindsightrca/hindsight/importers"
)

// TestParse_DayFileOverLimit: a crafted export with one huge (and highly
// compressible) day file is refused by name instead of being read whole.
func TestParse_DayFileOverLimit(t *testing.T) {
	fsys := memFS(map[string]string{
		"users.json":                `[]`,
		"channels.json":             `[{"id":"C1","name":"incidents"}]`,
		"incidents/2024-11-20.json": "[" + strings.Repeat(" ", MaxDayFile) + "]",
	})
	var r recorder
	err := NewImporter().Parse(context.Background(), importers.Input{Name: "export.zip", FS: fsys}, importers.Options{}, &r)
	if err == nil || !strings.Contains(err.Error(), "incidents/2024-11-20.json") || !strings.Contains(err.Error(), "day file") {
		t.Fatalf("err = %v", err)
	}
	if len(r.Events) != 0 {
		t.Fatalf("events from a refused export: %d", len(r.Events))
	}
}
