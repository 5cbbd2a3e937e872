package search

import (
	"context"
	"strings"
	"testing"
)

// TestSearch_BadDateNoticed: a date bound that is no date is left out of
// the search, which finds what the rest of the text finds and says what
// it left out.
func TestSearch_BadDateNoticed(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	r, err := ix.Search(context.Background(), Request{Q: "bgp after:2021-13-01", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 2 || len(r.Notices) != 1 || !strings.Contains(r.Notices[0], "after:2021-13-01 is not a date") {
		t.Errorf("total %d (%v), notices %q; want the 2 BGP incidents and a notice of after:2021-13-01", r.Total, keys(r), r.Notices)
	}
	if r.Query != "bgp" {
		t.Errorf("read as %q, want bgp", r.Query)
	}
	r, err = ix.Search(context.Background(), Request{Q: "bgp after:2021-01-01", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notices) != 0 {
		t.Errorf("a good date noticed: %q", r.Notices)
	}
}
