package main

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestNDCG_HandComputed(t *testing.T) {
	tests := []struct {
		name  string
		got   []float64
		ideal []float64
		want  float64
		ok    bool
	}{
		// DCG(got) = 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.261860 + 0.5
		// equals the ideal (same order): 1.
		{"ideal order", []float64{3, 2, 1}, []float64{1, 2, 3, 0, 0}, 1, true},
		// got = [0, 3]: 3/log2(3) = 1.892789; ideal = [3] → 3.
		{"best one second", []float64{0, 3}, []float64{3, 0, 0}, 3 / math.Log2(3) / 3, true},
		// got = [1, 0, 2]: 1 + 2/2 = 2; ideal = [2, 1] → 2 + 1/log2(3) = 2.630930.
		{"partly right", []float64{1, 0, 2}, []float64{2, 1, 0}, 2 / (2 + 1/math.Log2(3)), true},
		// Only the first k count: got's 6th place and ideal's 6th are cut.
		{"cut at k", []float64{0, 0, 0, 0, 0, 9}, []float64{1, 1, 1, 1, 1, 9}, 0, true},
		{"no gain anywhere", []float64{0, 0}, []float64{0, 0, 0}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := ndcg(tt.got, tt.ideal, 5)
			if ok != tt.ok || !near(v, tt.want) {
				t.Errorf("ndcg = %.6f, %v; want %.6f, %v", v, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestShared_KeywordsAsWords(t *testing.T) {
	a := labels{categories: []string{"cloud", "config-change"}, keywords: []string{"dns", "power loss", "s3"}}
	b := labels{categories: []string{"cloud", "hardware"}, keywords: []string{"dns resolution", "loss", "s3-outage", "powerloss"}}
	c, k := shared(a, b)
	// "dns" is a word of "dns resolution"; "loss" a word of "power loss";
	// "s3" is not a whole word of "s3-outage" as written (normalizeKeyword
	// makes it one), "powerloss" is not "power loss".
	if c != 1 || k != 2 {
		t.Errorf("shared = %d categories, %d keywords; want 1, 2", c, k)
	}
	if normalizeKeyword(" S3-Outage ") != "s3 outage" {
		t.Errorf("normalizeKeyword = %q", normalizeKeyword(" S3-Outage "))
	}
	if !relevant(a, b) || relevant(labels{categories: []string{"cloud"}}, b) {
		t.Error("relevant: one keyword should do, one category should not")
	}
	if !relevant(labels{categories: []string{"cloud", "hardware"}}, b) {
		t.Error("relevant: two categories should do")
	}
}

func TestEvaluate(t *testing.T) {
	all := []labels{
		{keywords: []string{"dns"}},
		{keywords: []string{"dns"}},
		{keywords: []string{"bgp"}},
		{keywords: []string{"bgp"}},
	}
	// Each ranked its twin first, then a miss: nDCG 1, precision 1/2 at k=2.
	good := evaluate(all, [][]int{{1, 2}, {0, 2}, {3, 0}, {2, 0}}, 2)
	if good.n != 4 || !near(good.ndcg, 1) || !near(good.precision, 0.5) {
		t.Errorf("good = %+v", good)
	}
	// Twin second: 1/log2(3) each; an empty ranking scores 0.
	bad := evaluate(all, [][]int{{2, 1}, {3, 0}, {0, 3}, {}}, 2)
	want := 3 * (1 / math.Log2(3)) / 4
	if !near(bad.ndcg, want) || !near(bad.precision, 3*0.5/4) {
		t.Errorf("bad = %+v, want ndcg %.6f", bad, want)
	}
}

func TestParseAndTranslate(t *testing.T) {
	tests := []struct {
		q, fts5 string
	}{
		{"bgp", `"bgp"`},
		{`"leap second"`, `"leap second"`},
		{"database failover timeout", `"database" AND "failover" AND "timeout"`},
		{"db-3.prod.example.com", `"db-3.prod.example.com"`},
		{"-aws config", `"config" NOT "aws"`},
		{"bgp OR dns leak", `("bgp" OR "dns") AND "leak"`},
		{`say "x"y`, `"say" AND "x" AND "y"`},
	}
	for _, tt := range tests {
		if got := fts5Query(tt.q); got != tt.fts5 {
			t.Errorf("fts5Query(%q) = %s, want %s", tt.q, got, tt.fts5)
		}
	}
	if got := likePattern(`ERR_CONN_RESET 5%`); got != `%ERR\_CONN\_RESET 5\%%` {
		t.Errorf("likePattern = %s", got)
	}
}
