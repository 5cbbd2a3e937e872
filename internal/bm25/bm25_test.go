package bm25

import (
	"fmt"
	"math"
	"testing"
)

// corpus is a corpus of n incidents of mean length meanLen where the
// words hold the given document frequencies.
func corpus(n int, meanLen float64, df map[string]int) Corpus {
	return Corpus{Docs: n, MeanLen: meanLen, DocFreq: func(w string) int { return df[w] }}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestIDF(t *testing.T) {
	tests := []struct {
		name  string
		n, df int
		want  float64
	}{
		{name: "held by one of ten", n: 10, df: 1, want: math.Log(1 + 9.5/1.5)},
		{name: "held by none", n: 10, df: 0, want: math.Log(1 + 10.5/0.5)},
		{name: "held by all still counts", n: 10, df: 10, want: math.Log(1 + 0.5/10.5)},
		{name: "df above n is clamped", n: 10, df: 12, want: math.Log(1 + 0.5/10.5)},
		{name: "negative df is clamped", n: 10, df: -3, want: math.Log(1 + 10.5/0.5)},
		{name: "empty corpus", n: 0, df: 0, want: math.Log(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IDF(tt.n, tt.df); !near(got, tt.want) {
				t.Errorf("IDF(%d, %d) = %v, want %v", tt.n, tt.df, got, tt.want)
			}
		})
	}
	if IDF(100, 2) <= IDF(100, 50) {
		t.Error("a rarer word must weigh more")
	}
}

func TestQueryOf(t *testing.T) {
	c := corpus(100, 10, map[string]int{"bgp": 2, "outage": 60, "route": 10})
	q := QueryOf(map[string]float64{"outage": 5, "bgp": 1, "route": 1, "half": 0.5, "nan": math.NaN(), "inf": math.Inf(1)}, c, 0)
	if len(q) != 3 {
		t.Fatalf("QueryOf kept %v, want bgp, route and outage (counts below 1, NaN and Inf left out)", q)
	}
	if q[0].Word != "bgp" || q[1].Word != "route" {
		t.Errorf("order %v: want the rare bgp, then route, then the common outage", q)
	}
	if want := (1 + math.Log(5)) * IDF(100, 60); !near(q[2].Weight, want) {
		t.Errorf("outage weighs %v, want (1+log 5)·idf = %v", q[2].Weight, want)
	}
	if got := QueryOf(map[string]float64{"a": 1, "b": 1, "c": 1}, c, 2); len(got) != 2 || got[0].Word != "a" || got[1].Word != "b" {
		t.Errorf("limit 2 of equal weights = %v, want a and b (ties by word)", got)
	}
	if got := QueryOf(map[string]float64{"a": 1}, Corpus{}, 0); len(got) != 1 || !(got[0].Weight > 0) {
		t.Errorf("a corpus without DocFreq = %v, want the word with a positive weight", got)
	}
}

func TestQueryOfWeights(t *testing.T) {
	c := corpus(100, 10, map[string]int{"bgp": 2, "dns": 2})
	q := QueryOfWeights(map[string]float64{"bgp": 3, "dns": 1.5, "zero": 0, "neg": -1, "nan": math.NaN()}, c, 0)
	if len(q) != 2 || q[0].Word != "bgp" || q[1].Word != "dns" {
		t.Fatalf("QueryOfWeights = %v, want bgp then dns (weights not positive left out)", q)
	}
	if want := 3 * IDF(100, 2); !near(q[0].Weight, want) {
		t.Errorf("bgp weighs %v, want 3·idf = %v", q[0].Weight, want)
	}
}

func TestScore(t *testing.T) {
	c := corpus(100, 100, map[string]int{"bgp": 2, "route": 10, "leak": 5})
	q := QueryOf(map[string]float64{"bgp": 2, "route": 1, "leak": 1}, c, 0)
	w := map[string]float64{}
	for _, t := range q {
		w[t.Word] = t.Weight
	}
	tests := []struct {
		name string
		p    Params
		d    Doc
		want float64
	}{
		{name: "by hand, mean length", p: Default, d: Doc{Words: map[string]float64{"bgp": 3, "other": 9}, Len: 100},
			want: w["bgp"] * 3 * 3 / (3 + 2)},
		{name: "by hand, twice the mean length", p: Default, d: Doc{Words: map[string]float64{"bgp": 3}, Len: 200},
			want: w["bgp"] * 3 * 3 / (3 + 2*(1-0.5+0.5*2))},
		{name: "B 0 ignores the length", p: Params{K1: 2, B: 0}, d: Doc{Words: map[string]float64{"bgp": 3}, Len: 1000},
			want: w["bgp"] * 3 * 3 / (3 + 2)},
		{name: "K1 0 counts a word once", p: Params{K1: 0, B: 0.5}, d: Doc{Words: map[string]float64{"bgp": 30, "leak": 1}, Len: 100},
			want: w["bgp"] + w["leak"]},
		{name: "none of the words", p: Default, d: Doc{Words: map[string]float64{"dns": 4}, Len: 100}, want: 0},
		{name: "empty candidate", p: Default, d: Doc{}, want: 0},
		{name: "bad frequencies are skipped", p: Default, d: Doc{Words: map[string]float64{"bgp": -1, "route": math.NaN(), "leak": math.Inf(1)}, Len: 100}, want: 0},
		{name: "negative length counts as the mean", p: Default, d: Doc{Words: map[string]float64{"bgp": 3}, Len: -5},
			want: w["bgp"] * 3 * 3 / (3 + 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Score(q, tt.d, c); !near(got, tt.want) {
				t.Errorf("Score = %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("zero mean length gives no NaN", func(t *testing.T) {
		got := Default.Score(q, Doc{Words: map[string]float64{"bgp": 1}, Len: 5}, Corpus{Docs: 3})
		if math.IsNaN(got) || got <= 0 {
			t.Errorf("Score = %v, want a positive number", got)
		}
	})
}

func TestContribution_SumsToScore(t *testing.T) {
	c := corpus(50, 120, map[string]int{"bgp": 2, "route": 9, "leak": 4, "dns": 30})
	q := QueryOf(map[string]float64{"bgp": 3, "route": 1, "leak": 2, "dns": 1}, c, 0)
	cands := []Doc{
		{Words: map[string]float64{"bgp": 2, "leak": 1, "disk": 7}, Len: 80},
		{Words: map[string]float64{"route": 5, "dns": 1}, Len: 400},
		{Words: map[string]float64{}, Len: 10},
	}
	// As a walk over an inverted list would: word by word, every candidate.
	sums := make([]float64, len(cands))
	for _, term := range q {
		for i, d := range cands {
			sums[i] += LogTF.Contribution(term.Weight, d.Words[term.Word], d.Len, c.MeanLen)
		}
	}
	for i, d := range cands {
		if want := LogTF.Score(q, d, c); !near(sums[i], want) {
			t.Errorf("candidate %d: contributions add to %v, Score %v", i, sums[i], want)
		}
	}
	tests := []struct {
		name                      string
		weight, tf, length, meanL float64
		want                      float64
	}{
		{name: "by hand", weight: 2, tf: 1, length: 10, meanL: 10, want: 2 * 1 * 4 / (1 + 3)},
		{name: "zero weight", weight: 0, tf: 1, length: 10, meanL: 10},
		{name: "infinite frequency", weight: 1, tf: math.Inf(1), length: 10, meanL: 10},
		{name: "infinite length counts as the mean", weight: 2, tf: 1, length: math.Inf(1), meanL: 10, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LogTF.Contribution(tt.weight, tt.tf, tt.length, tt.meanL); !near(got, tt.want) {
				t.Errorf("Contribution = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestScore_Shape(t *testing.T) {
	c := corpus(1000, 100, map[string]int{"bgp": 5, "route": 40, "leak": 20})
	q := QueryOf(map[string]float64{"bgp": 1, "route": 1, "leak": 1}, c, 0)
	doc := func(bgp float64, n float64) Doc { return Doc{Words: map[string]float64{"bgp": bgp}, Len: n} }
	one, two, four := Default.Score(q, doc(1, 100), c), Default.Score(q, doc(2, 100), c), Default.Score(q, doc(4, 100), c)
	if !(one < two && two < four) {
		t.Errorf("repeats must add: %v %v %v", one, two, four)
	}
	if !(two-one > (four-two)/2) {
		t.Errorf("repeats must saturate: +%v for the 2nd, +%v each for the 3rd and 4th", two-one, (four-two)/2)
	}
	if long := Default.Score(q, doc(2, 400), c); !(long < two) {
		t.Errorf("a longer candidate with the same repeats scores %v, want below %v", long, two)
	}
	both := Default.Score(q, Doc{Words: map[string]float64{"bgp": 1, "leak": 1}, Len: 100}, c)
	if !(both > one) {
		t.Errorf("holding two of the words (%v) must beat holding one (%v)", both, one)
	}
	rare := Default.Score(q, Doc{Words: map[string]float64{"bgp": 1}, Len: 100}, c)
	common := Default.Score(q, Doc{Words: map[string]float64{"route": 1}, Len: 100}, c)
	if !(rare > common) {
		t.Errorf("the rarer word must count more: bgp %v, route %v", rare, common)
	}
}

func TestRank(t *testing.T) {
	c := corpus(10, 10, map[string]int{"bgp": 1, "dns": 3})
	q := QueryOf(map[string]float64{"bgp": 1, "dns": 1}, c, 0)
	cands := []Doc{
		{Words: map[string]float64{"dns": 1}, Len: 10},
		{Words: map[string]float64{"bgp": 1, "dns": 1}, Len: 10},
		{Words: map[string]float64{"disk": 1}, Len: 10},
		{Words: map[string]float64{"bgp": 1}, Len: 10},
		{Words: map[string]float64{"disk": 2}, Len: 10},
	}
	got := Default.Rank(q, cands, c)
	var order []int
	for _, s := range got {
		order = append(order, s.Index)
	}
	if want := "[1 3 0 2 4]"; fmt.Sprint(order) != want {
		t.Errorf("Rank order %v, want %s (equal scores in the order given)", order, want)
	}
	if len(Default.Rank(q, nil, c)) != 0 {
		t.Error("no candidates must rank none")
	}
}

// BenchmarkScore is one similar-incident re-rank: a 400-word source
// against 100 candidates of 300 words.
func BenchmarkScore(b *testing.B) {
	df := map[string]int{}
	counts := map[string]float64{}
	for i := range 400 {
		w := fmt.Sprintf("w%d", i)
		df[w] = 1 + i%500
		counts[w] = float64(1 + i%4)
	}
	c := corpus(100_000, 300, df)
	q := QueryOf(counts, c, 0)
	cands := make([]Doc, 100)
	for i := range cands {
		words := map[string]float64{}
		for j := range 300 {
			words[fmt.Sprintf("w%d", (i*7+j*3)%900)] = float64(1 + j%3)
		}
		cands[i] = Doc{Words: words, Len: float64(200 + i*3)}
	}
	b.ResetTimer()
	for b.Loop() {
		Default.Rank(q, cands, c)
	}
}
