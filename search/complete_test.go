package search

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestSearch_UnfinishedWords: when nothing matches exactly, a word typed
// unfinished finds the incidents with the words it begins, marked in the
// highlights, and the search says it is the fallback; a word that does
// match exactly is not completed.
func TestSearch_UnfinishedWords(t *testing.T) {
	docs := append(fixtures(),
		Doc{ID: 20, Key: "INC-20", Title: "Expired certificate on the payments API", Visibility: "internal",
			Summary: "The TLS certificate of api.example.com expired at midnight."},
		Doc{ID: 21, Key: "INC-21", Title: "Kubernetes control plane upgrade stalls", Visibility: "internal",
			Summary: "kubectl timed out while the API server restarted."},
		Doc{ID: 22, Key: "INC-22", Title: "Certain deploys expired their caches", Visibility: "internal"},
	)
	ix := openBuilt(t, newMemSource(docs...))
	ctx := context.Background()
	for _, tc := range []struct {
		name, q    string
		want, mark string
		not        string
	}{
		{name: "cert expired", q: "cert expired", want: "INC-20", mark: "<mark>certificate</mark>"},
		{name: "kube", q: "kube", want: "INC-21", mark: "<mark>Kubernetes</mark>"},
		{name: "typed capitalised", q: "Kube upgrade", want: "INC-21", mark: "<mark>upgrade</mark>", not: "INC-20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ix.Search(ctx, Request{Q: tc.q, Viewer: Viewer{All: true}})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Fuzzy {
				t.Errorf("not the fallback: %v", keys(r))
			}
			if len(r.Items) == 0 || r.Items[0].Key != tc.want {
				t.Fatalf("got %v, want %s first", keys(r), tc.want)
			}
			if hl := fmt.Sprint(r.Items[0].Highlights); !strings.Contains(hl, tc.mark) {
				t.Errorf("highlights %s, want %s", hl, tc.mark)
			}
			if tc.not != "" && contains(keys(r), tc.not) {
				t.Errorf("%s found: %v", tc.not, keys(r))
			}
		})
	}
	// "expired" matches exactly: no fallback, no completion of it.
	r, err := ix.Search(ctx, Request{Q: "expired", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Fuzzy || r.Total != 2 {
		t.Errorf("expired: fuzzy %v, total %d (%v); want the 2 exact matches", r.Fuzzy, r.Total, keys(r))
	}
}

// TestSearch_CompletionsBounded: a beginning shared by many words is
// completed with the maxCompletion most frequent of them only, counted
// over all the shards (each shard's own most frequent would differ near
// the cut, and the shards would match different words).
func TestSearch_CompletionsBounded(t *testing.T) {
	var docs []Doc
	// Forty words zorbbb, zorbbc, … (consonants the stemmer leaves alone):
	// word k is in k+1 incidents, so the frequent ones are the last.
	const cons = "bcdfghjkmnpqrtvwxz"
	word := func(k int) string { return "zorb" + string(cons[k/len(cons)]) + string(cons[k%len(cons)]) }
	// The words left out (k < 8) are all in one of 3 shards (ids that are
	// multiples of 3), where they outnumber the others' third.
	spread, together := int64(1), int64(30000)
	for k := range 40 {
		for range k + 1 {
			id := &spread
			if k < 40-maxCompletion {
				id = &together
			}
			docs = append(docs, Doc{ID: *id, Key: fmt.Sprintf("INC-%d", *id), Title: "Outage of " + word(k), Visibility: "internal"})
			if id == &together {
				*id += 3
			} else {
				*id++
			}
		}
	}
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, docs)
		r, err := ix.Search(context.Background(), Request{Q: "zorb", Viewer: Viewer{All: true}, Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		// The 32 most frequent words are those of k = 8…39: 9+…+40 incidents.
		want := uint64(0)
		for k := 40 - maxCompletion; k < 40; k++ {
			want += uint64(k + 1)
		}
		if !r.Fuzzy || r.Total != want {
			t.Errorf("%d shards: zorb: fuzzy %v, total %d; want %d (the %d most frequent completions)", shards, r.Fuzzy, r.Total, want, maxCompletion)
		}
	}
}

// TestCompletes_WhichWords: which words are completed.
func TestCompletes_WhichWords(t *testing.T) {
	for w, want := range map[string]bool{
		"cert": true, "kube": true, "postgr": true, "überw": true,
		"dns": false, "certificates": false, "err5": false, "a_b_c": false, "": false,
	} {
		if got := completes(w); got != want {
			t.Errorf("completes(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestSearch_WholeWordsNotCompleted: a word that is a word of the index
// (in any shard) was typed whole and is not completed, in every shard
// alike: "zorb" is in one incident, so "zorb outagx" falls back to typos
// (outage) without taking in zorbbb and the rest.
func TestSearch_WholeWordsNotCompleted(t *testing.T) {
	docs := []Doc{{ID: 1, Key: "INC-1", Title: "Outage of zorb", Visibility: "internal"}}
	for id := int64(2); id <= 30; id++ {
		docs = append(docs, Doc{ID: id, Key: fmt.Sprintf("INC-%d", id), Title: "Outage of zorbbb", Visibility: "internal"})
	}
	for _, shards := range []int{1, 3} {
		ix, _ := openPaging(t, shards, docs)
		r, err := ix.Search(context.Background(), Request{Q: "zorb", Viewer: Viewer{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Fuzzy || r.Total != 1 {
			t.Errorf("%d shards: zorb: fuzzy %v, total %d (%v); want INC-1 alone, exact", shards, r.Fuzzy, r.Total, keys(r))
		}
		r, err = ix.Search(context.Background(), Request{Q: "zorb outagx", Viewer: Viewer{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if !r.Fuzzy || r.Total != 1 {
			t.Errorf("%d shards: zorb outagx: fuzzy %v, total %d (%v); want INC-1 alone, with typos", shards, r.Fuzzy, r.Total, keys(r))
		}
	}
}

// TestSearch_CompletionsIgnoreHiddenIncidents: what a viewer's unfinished
// word completes to, and whether it is completed at all, does not depend
// on restricted incidents the viewer may not see (review M P1-2: a secret
// incident holding the word switched its completion off, and secret
// incidents holding other completions pushed the viewer's out of the
// kept ones).
func TestSearch_CompletionsIgnoreHiddenIncidents(t *testing.T) {
	const cons = "bcdfghjkmnpqrtvwxz"
	base := []Doc{
		{ID: 1, Key: "INC-1", Title: "Outage of zorbqxyz", Visibility: "internal"},
		{ID: 2, Key: "INC-2", Title: "Outage of zorbyy", Visibility: "internal"},
		{ID: 3, Key: "INC-3", Title: "Alice's own restricted incident", Visibility: "restricted", RestrictedTo: []string{"alice"}},
	}
	// A secret incident holds the word itself, others many completions.
	secret := []Doc{{ID: 99, Key: "INC-99", Title: "Project zorbq", Visibility: "restricted", RestrictedTo: []string{"security-team"}}}
	id := int64(100)
	for k := range maxCompletion {
		w := "zorb" + string(cons[k/len(cons)]) + string(cons[k%len(cons)])
		for range 2 {
			secret = append(secret, Doc{ID: id, Key: fmt.Sprintf("INC-%d", id), Title: "Secret " + w,
				Visibility: "restricted", RestrictedTo: []string{"security-team"}})
			id++
		}
	}
	alice := Viewer{Principals: []string{"alice"}}
	for _, q := range []string{"zorbq", "zorb"} {
		var found [2]string
		for i, withSecret := range []bool{false, true} {
			docs := base
			if withSecret {
				docs = append(append([]Doc{}, base...), secret...)
			}
			ix, _ := openPaging(t, 2, docs)
			r, err := ix.Search(context.Background(), Request{Q: q, Viewer: alice})
			if err != nil {
				t.Fatal(err)
			}
			found[i] = fmt.Sprint(keys(r), r.Total, r.Fuzzy)
		}
		if found[0] != found[1] {
			t.Errorf("%s: alice finds %s without the secret incidents, %s with them", q, found[0], found[1])
		}
	}
}

// TestSearch_StemsNotCompleted: only the word as typed is completed, not
// its stem ("serving" stems to serv, which begins servlet).
func TestSearch_StemsNotCompleted(t *testing.T) {
	ix := openBuilt(t, newMemSource(
		Doc{ID: 1, Key: "INC-1", Title: "Servlet container crashed on a full disk", Visibility: "internal"},
		Doc{ID: 2, Key: "INC-2", Title: "Disk full on host servinx", Visibility: "internal"},
	))
	r, err := ix.Search(context.Background(), Request{Q: "serving disk", Viewer: Viewer{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Fuzzy || contains(keys(r), "INC-1") || !contains(keys(r), "INC-2") {
		t.Errorf("serving disk: %v (fuzzy %v); want INC-2 (servinx, a typo away) and not the servlet incident", keys(r), r.Fuzzy)
	}
}
