package search

import (
	"context"
	"fmt"
	"slices"
	"testing"

	bsearch "github.com/blevesearch/bleve/v2/search"
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
		{ID: 4, Key: "INC-4", Title: "Region degraded", Visibility: "internal",
			Services: []string{"us-west-2"}, Tags: []string{"payments-api-v2"}},
	}
	ix := openBuilt(t, newMemSource(docs...))
	cases := []struct {
		name    string
		q       string
		want    []string
		ordered bool
	}{
		{"word of a service", "gateway", []string{"INC-1"}, false},
		{"service named in three parts", "us-west-2", []string{"INC-4"}, false},
		{"tag named in three parts", "payments-api-v2", []string{"INC-4"}, false},
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

// fillerWords make the chat of filler events.
var fillerWords = []string{"deploy", "checked", "dashboards", "paged", "oncall", "engineer", "acknowledged",
	"restarted", "pods", "cluster", "metrics", "looked", "normal", "queue", "drained", "customers", "reported",
	"errors", "rolled", "back", "canary", "config", "flag", "toggled", "monitor", "graph", "spike", "traffic"}

// filler is n events of ten filler words each, with ids from from.
func filler(n, from int64) []Event {
	var evs []Event
	for i := int64(0); i < n; i++ {
		s := ""
		for j := int64(0); j < 10; j++ {
			s += fillerWords[(i*7+j*3+from)%int64(len(fillerWords))] + fmt.Sprint(j%3) + " "
		}
		evs = append(evs, Event{ID: from + i, Body: s})
	}
	return evs
}

// TestSearch_RankingByField checks that a word in the title, summary or a
// service ranks an incident above one that only mentions it in chat, even
// when the first has a long timeline (all_text alone scores an incident as
// one long text, where the title weighs little). From the review of lane q.
func TestSearch_RankingByField(t *testing.T) {
	docs := []Doc{
		{ID: 1, Key: "INC-1", Title: "Checkout latency spike", Visibility: "internal", Events: filler(50, 100)},
		{ID: 2, Key: "INC-2", Title: "Database maintenance", Visibility: "internal",
			Events: append(filler(5, 200), Event{ID: 299, Body: "latency rose briefly"})},
		{ID: 3, Key: "INC-3", Title: "Cache timeouts", Services: []string{"redis"}, Visibility: "internal", Events: filler(50, 300)},
		{ID: 4, Key: "INC-4", Title: "Queue backlog", Visibility: "internal",
			Events: append(filler(5, 400), Event{ID: 499, Body: "redis slow"}, Event{ID: 498, Body: "redis restarted"})},
		{ID: 5, Key: "INC-5", Title: "Login outage", Summary: "Users could not log in", Visibility: "internal", Events: filler(50, 500)},
		{ID: 6, Key: "INC-6", Title: "Batch job delay", Visibility: "internal",
			Events: append(filler(3, 600), Event{ID: 699, Body: "some login errors, login retried, login ok"})},
	}
	ix := openBuilt(t, newMemSource(docs...))
	cases := []struct{ name, q, first, second string }{
		{"title", "latency", "INC-1", "INC-2"},
		{"service", "redis", "INC-3", "INC-4"},
		{"summary", "login", "INC-5", "INC-6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ix.Search(context.Background(), Request{Q: c.q})
			if err != nil {
				t.Fatal(err)
			}
			var sc []string
			for _, h := range r.Items {
				sc = append(sc, fmt.Sprintf("%s=%.4f", h.Key, h.Score))
			}
			if got := keys(r); !slices.Equal(got, []string{c.first, c.second}) {
				t.Errorf("%s: got %v, want %s then %s", c.q, sc, c.first, c.second)
			}
		})
	}
}

// TestSearch_LabelFoundByStemIsHighlighted checks that a word finding an
// incident through a word of its service or tag by its stem ("gateways",
// "balancer") marks it there. From the review of lane q (P2-2).
func TestSearch_LabelFoundByStemIsHighlighted(t *testing.T) {
	ix := openBuilt(t, newMemSource(Doc{ID: 1, Key: "INC-1", Title: "Slow checkout", Visibility: "internal",
		Services: []string{"API Gateway"}, Tags: []string{"load balancers"},
		Summary: "checkout-gateway-v2 returned errors"}))
	cases := []struct{ q, field, want string }{
		{"gateways", FieldServices, "API <mark>Gateway</mark>"},
		{"balancer", FieldTags, "load <mark>balancers</mark>"},
		{"gateway", FieldServices, "API <mark>Gateway</mark>"},
		// a part of a typed identifier does not mark a label
		{"checkout-gateway-v2", FieldServices, ""},
	}
	for _, c := range cases {
		r, err := ix.Search(context.Background(), Request{Q: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if c.want == "" {
			for _, h := range r.Items {
				if got := h.Highlights[c.field]; len(got) > 0 {
					t.Errorf("%s: %s highlights %q, want none", c.q, c.field, got)
				}
			}
			continue
		}
		if len(r.Items) != 1 {
			t.Fatalf("%s: %d hits, want 1", c.q, len(r.Items))
		}
		if got := r.Items[0].Highlights[c.field]; len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: %s highlights %q, want %q", c.q, c.field, got, c.want)
		}
	}
}

// TestLoadFields_DropsGoneIncidents checks that a hit whose incident is
// gone by the time its fields are read is left out, not shown bare. From
// the review of lane q (P3-1).
func TestLoadFields_DropsGoneIncidents(t *testing.T) {
	ix := openBuilt(t, newMemSource(fixtures()...))
	err := ix.reader(func(idx *shardIndex) error {
		hits := []*bsearch.DocumentMatch{{ID: "1"}, {ID: "999"}, {ID: "2"}}
		kept, err := loadFields(idx, hits)
		if err != nil {
			return err
		}
		var got []string
		for _, h := range kept {
			got = append(got, h.ID+":"+fieldString(h.Fields, FieldKey))
		}
		if want := []string{"1:inc-1", "2:inc-2"}; !slices.Equal(got, want) {
			t.Errorf("kept %v, want %v", got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
