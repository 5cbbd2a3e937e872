package search

import (
	"context"
	"slices"
	"testing"
)

// TestCombined_WordsOfEveryField checks searches through all_text: a word
// is found in any text field and as a word of a service or tag, a title
// outweighs the timeline, and a field query still reads its field alone.
func TestCombined_WordsOfEveryField(t *testing.T) {
	docs := []Doc{
		{ID: 1, Key: "INC-1", Title: "Payments slow", Visibility: "internal",
			Services: []string{"API Gateway"}, Tags: []string{"us east"},
			Events: []Event{{ID: 11, Body: "checkout latency rising"}}},
		{ID: 2, Key: "INC-2", Title: "Checkout latency after deploy", Visibility: "internal",
			Summary: "The deploy doubled checkout latency."},
		{ID: 3, Key: "INC-3", Title: "Disk full", Visibility: "internal",
			Sections: []Section{{Title: "Cause", Body: "A runaway log filled the disk."}}},
	}
	ix := openBuilt(t, newMemSource(docs...))
	cases := []struct {
		name    string
		q       string
		want    []string
		ordered bool
	}{
		{"word of a service", "gateway", []string{"INC-1"}, false},
		{"word of a tag", "east", []string{"INC-1"}, false},
		{"phrase of a service", `"api gateway"`, []string{"INC-1"}, false},
		{"title before timeline", "latency", []string{"INC-2", "INC-1"}, true},
		{"word of an RCA section", "runaway", []string{"INC-3"}, false},
		{"field query reads its field", "title:latency", []string{"INC-2"}, false},
		{"timeline field", "timeline:latency", []string{"INC-1"}, false},
		{"rca field", "rca:runaway", []string{"INC-3"}, false},
		{"rca field misses the title", "rca:disk OR rca:full", []string{"INC-3"}, false},
		{"title field misses the rca", "title:runaway", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ix.Search(context.Background(), Request{Q: c.q})
			if err != nil {
				t.Fatal(err)
			}
			got := keys(r)
			if !c.ordered {
				slices.Sort(got)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.q, got, c.want)
			}
		})
	}
}
