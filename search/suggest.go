package search

import (
	"context"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Autocomplete: services and tags come from the index's dictionaries (each
// value with the number of incidents having it, checked against what the
// viewer may see); titles from a search whose last word is a prefix.
const (
	// DefaultSuggestions is how many suggestions are returned by default.
	DefaultSuggestions = 8
	// maxSuggestPrefix bounds the text completed.
	maxSuggestPrefix = 200
)

// Suggest completes prefix: incident keys, services, tags and titles
// (in that order), at most limit in all.
func (ix *Index) Suggest(ctx context.Context, prefix string, limit int, v Viewer) ([]Suggestion, error) {
	if limit <= 0 {
		limit = DefaultSuggestions
	}
	limit = min(limit, MaxLimit)
	if len(prefix) > maxSuggestPrefix {
		prefix = prefix[:maxSuggestPrefix]
	}
	prefix = strings.ToValidUTF8(prefix, "")
	out := []Suggestion{}
	lower := normalizeKeyword(prefix)
	if lower == "" {
		return out, nil
	}
	err := ix.reader(func(idx *shardIndex) error {
		idx = idx.forViewer(ctx, v)
		b := ix.builder()
		vis := b.visibility(v)
		count := func(field, value string) (int, error) {
			tq := bleve.NewTermQuery(value)
			tq.SetField(field)
			sr := bleve.NewSearchRequestOptions(b.combine(tq, nil, nil, vis), 0, 0, false)
			r, err := idx.SearchInContext(ctx, sr)
			if err != nil {
				return 0, err
			}
			return int(r.Total), nil
		}
		for _, f := range []struct{ field, kind string }{{FieldServices, "service"}, {FieldTags, "tag"}} {
			dict, err := idx.FieldDictPrefix(f.field, []byte(lower))
			if err != nil {
				return err
			}
			var vals []string
			for len(vals) < limit {
				e, err := dict.Next()
				if err != nil {
					dict.Close()
					return err
				}
				if e == nil {
					break
				}
				vals = append(vals, e.Term)
			}
			dict.Close()
			for _, val := range vals {
				n, err := count(f.field, val)
				if err != nil {
					return err
				}
				if n > 0 {
					out = append(out, Suggestion{Kind: f.kind, Value: val, Count: n})
				}
			}
		}
		titles, err := ix.suggestTitles(ctx, idx, b, prefix, vis, limit)
		if err != nil {
			return err
		}
		out = append(out, titles...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// suggestTitles finds incidents whose title has the typed words, the last
// one as a prefix, or whose key starts with the text.
func (ix *Index) suggestTitles(ctx context.Context, idx bleve.Index, b queryBuilder, prefix string, vis query.Query, limit int) ([]Suggestion, error) {
	words := strings.Fields(prefix)
	var must []query.Query
	for i, w := range words {
		if i == len(words)-1 && !strings.HasSuffix(prefix, " ") {
			pq := bleve.NewPrefixQuery(strings.ToLower(w))
			pq.SetField(FieldTitle)
			must = append(must, pq)
			continue
		}
		if x := b.term(Term{Field: FieldTitle, Value: w}, false); x != nil {
			must = append(must, x)
		}
	}
	if len(must) == 0 {
		return nil, nil
	}
	var text query.Query = bleve.NewConjunctionQuery(must...)
	key := bleve.NewPrefixQuery(normalizeKeyword(prefix))
	key.SetField(FieldKey)
	key.SetBoost(10)
	text = bleve.NewDisjunctionQuery(text, key)
	sr := bleve.NewSearchRequestOptions(b.combine(text, nil, nil, vis), limit, 0, false)
	sr.Fields = []string{FieldKey, FieldTitle}
	r, err := idx.SearchInContext(ctx, sr)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(r.Hits))
	for _, h := range r.Hits {
		id := int64(0)
		for _, c := range h.ID {
			id = id*10 + int64(c-'0')
		}
		out = append(out, Suggestion{Kind: "title", Value: fieldString(h.Fields, FieldTitle),
			Key: strings.ToUpper(fieldString(h.Fields, FieldKey)), ID: id})
	}
	return out, nil
}
