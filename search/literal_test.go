package search

import (
	"context"
	"strings"
	"testing"
)

// TestSearch_PastedFlags: a command pasted with its flags ("rm -rf") that
// finds nothing with the flags left out finds the incidents that hold
// them, says so, and pages on the same way; an exclusion that leaves
// something to show, or a long word excluded, stays an exclusion.
func TestSearch_PastedFlags(t *testing.T) {
	docs := append(fixtures(),
		Doc{ID: 30, Key: "INC-30", Title: "Database directory removed by rm -rf on the wrong host", Visibility: "internal"},
		Doc{ID: 31, Key: "INC-31", Title: "Another rm -rf of a data directory", Visibility: "internal"},
		Doc{ID: 32, Key: "INC-32", Title: "rm of a log file", Visibility: "internal"},
	)
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, docs)
		ctx := context.Background()
		// rm without rf finds INC-32: an exclusion that leaves something.
		r, err := ix.Search(ctx, Request{Q: "rm -rf", Viewer: Viewer{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 1 || r.Items[0].Key != "INC-32" || len(r.Notices) != 0 {
			t.Errorf("%d shards: rm -rf: %v, notices %q; want INC-32 alone, no notice", shards, keys(r), r.Notices)
		}
		// directory without rf: nothing; the flag as written: INC-30, INC-31.
		r, err = ix.Search(ctx, Request{Q: "directory -rf", Viewer: Viewer{All: true}, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 2 || len(r.Notices) != 1 || !strings.Contains(r.Notices[0], "-rf left out") || r.NextCursor == "" {
			t.Fatalf("%d shards: directory -rf: total %d %v, notices %q, cursor %q; want 2 found as written, noted, and a next page",
				shards, r.Total, keys(r), r.Notices, r.NextCursor)
		}
		first := r.Items[0].Key
		r, err = ix.Search(ctx, Request{Q: "directory -rf", Viewer: Viewer{All: true}, Limit: 1, Cursor: r.NextCursor})
		if err != nil {
			t.Fatal(err)
		}
		if r.Total != 2 || len(r.Items) != 1 || r.Items[0].Key == first {
			t.Errorf("%d shards: directory -rf, page 2: total %d %v; want the other of the two", shards, r.Total, keys(r))
		}
		// A long word or a phrase excluded stays excluded.
		for _, q := range []string{"directory -removed -another", `directory -"rm rf"`} {
			r, err = ix.Search(ctx, Request{Q: q, Viewer: Viewer{All: true}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != 0 {
				t.Errorf("%d shards: %s: %v; want nothing", shards, q, keys(r))
			}
		}
	}
}
