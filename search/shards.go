package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// A generation of the index is split into shards by incident id, each a
// bleve index of its own in <generation>/shard-<n>, searched together
// through a bleve alias. A search then runs on every shard at once, one
// goroutine each: on a machine with two cores a large index answers in
// about half the time. (A generation made before shards existed is one
// bleve index in the generation directory itself; it opens as one shard.)
//
// Restricted incidents live in a shard of their own (<generation>/restricted).
// bleve ranks with each shard's own word statistics, so a search by someone
// who may see no restricted incident runs on the other shards only, and
// nothing hidden there — not even how many incidents hold a word — moves
// the scores or the order of what they see. (Someone who may see some
// restricted incidents searches that shard too, whose statistics count the
// restricted incidents of others; see README.)
//
// Each shard stores the last change applied to it, in the same batch as its
// documents. A crash between two shards' batches leaves them at different
// sequences; the index resumes from the lowest, and applying a change again
// only indexes the same incidents again.

// shardDirPrefix names the shards' directories inside a generation;
// restrictedDir the restricted incidents' shard.
const (
	shardDirPrefix = "shard-"
	restrictedDir  = "restricted"
)

// Shard counts.
const (
	// shardMinDocs is how many incidents a rebuild must find for the new
	// generation to be split: below it searches are fast on one shard, and
	// one shard's word statistics rank a small corpus best.
	shardMinDocs = 10_000
	// maxShards bounds the split however many cores there are.
	maxShards = 4
)

// shardsFor is how many shards a generation holding about docs incidents
// gets: one per core (at most maxShards) for a large index, else one;
// want > 0 (Options.Shards) overrides.
func shardsFor(docs int64, want int) int {
	if want > 0 {
		return min(want, 64)
	}
	if docs < shardMinDocs {
		return 1
	}
	return max(1, min(runtime.GOMAXPROCS(0), maxShards))
}

// shardIndex is one generation: its shards and the alias searching them.
// It is a bleve.Index for searching; writes go through its own methods,
// which send each incident to its shard. A view for one viewer (forViewer)
// searches only the shards that viewer may find something in.
type shardIndex struct {
	bleve.IndexAlias
	// parts are the shards of internal incidents (by id); restricted is
	// the restricted incidents' shard (nil in a generation from before it).
	parts      []bleve.Index
	restricted bleve.Index
	// searched are the shards searches and word counts read.
	searched []bleve.Index
	// view is set on a view: it does not own the shards.
	view bool
	// version is the MappingVersion the generation was written with: an
	// older one keeps answering (and taking changes) in its own shape
	// until a rebuild replaces it (see legacyShape).
	version int
	// opened tells this opening of the generation from any other (a
	// random number): its shards' root epochs are its own (snapmark.go).
	opened uint64
}

func newShardIndex(parts []bleve.Index, restricted bleve.Index) *shardIndex {
	s := &shardIndex{parts: parts, restricted: restricted, version: MappingVersion, opened: rand.Uint64()}
	s.searched = s.all()
	s.IndexAlias = bleve.NewIndexAlias(s.searched...)
	return s
}

// all is every shard, the restricted one last.
func (s *shardIndex) all() []bleve.Index {
	out := slices.Clone(s.parts)
	if s.restricted != nil {
		out = append(out, s.restricted)
	}
	return out
}

// forViewer is the index as v may search it: without the restricted shard
// when v may see none of its incidents (most people: the shard is then not
// even asked, and its word counts play no part in similar incidents).
func (s *shardIndex) forViewer(ctx context.Context, v Viewer) *shardIndex {
	if s.restricted == nil || v.All || s.opensAny(ctx, v) {
		return s
	}
	view := *s
	view.searched = s.parts
	view.IndexAlias = bleve.NewIndexAlias(s.parts...)
	view.view = true
	return &view
}

// opensAny reports whether a restricted incident names one of v's
// principals (true when that cannot be told: the search then filters).
func (s *shardIndex) opensAny(ctx context.Context, v Viewer) bool {
	open := opening(v)
	if len(open) == 0 {
		return false
	}
	r, err := s.restricted.SearchInContext(ctx, bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(open...), 0, 0, false))
	return err != nil || r.Total > 0
}

// createShards makes n empty shards and the restricted shard in dir.
func createShards(dir string, n int, create func(path string) (bleve.Index, error)) (*shardIndex, error) {
	parts := make([]bleve.Index, 0, n+1)
	closeAll := func() {
		for _, q := range parts {
			q.Close()
		}
	}
	for i := range n {
		p, err := create(filepath.Join(dir, shardDirPrefix+strconv.Itoa(i)))
		if err != nil {
			closeAll()
			return nil, err
		}
		parts = append(parts, p)
	}
	r, err := create(filepath.Join(dir, restrictedDir))
	if err != nil {
		closeAll()
		return nil, err
	}
	return newShardIndex(parts, r), nil
}

// openShards opens the generation in dir: its shard directories, or the
// directory itself when it is a generation from before shards.
func openShards(dir string, open func(path string) (bleve.Index, error)) (*shardIndex, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var nums []int
	for _, e := range ents {
		if n, ok := strings.CutPrefix(e.Name(), shardDirPrefix); ok && e.IsDir() {
			if i, err := strconv.Atoi(n); err == nil && i >= 0 {
				nums = append(nums, i)
			}
		}
	}
	if len(nums) == 0 {
		p, err := open(dir)
		if err != nil {
			return nil, err
		}
		return newShardIndex([]bleve.Index{p}, nil), nil
	}
	sort.Ints(nums)
	for k, i := range nums {
		if i != k {
			return nil, fmt.Errorf("shard %d of %d is missing", k, len(nums))
		}
	}
	parts := make([]bleve.Index, 0, len(nums))
	for _, i := range nums {
		p, err := open(filepath.Join(dir, shardDirPrefix+strconv.Itoa(i)))
		if err != nil {
			for _, q := range parts {
				q.Close()
			}
			return nil, fmt.Errorf("shard %d: %w", i, err)
		}
		parts = append(parts, p)
	}
	var restricted bleve.Index
	if fi, err := os.Stat(filepath.Join(dir, restrictedDir)); err == nil && fi.IsDir() {
		if restricted, err = open(filepath.Join(dir, restrictedDir)); err != nil {
			for _, q := range parts {
				q.Close()
			}
			return nil, fmt.Errorf("restricted shard: %w", err)
		}
	}
	return newShardIndex(parts, restricted), nil
}

// shardOf is the shard of internal incident id.
func (s *shardIndex) shardOf(id int64) int {
	n := int64(len(s.parts))
	return int(((id % n) + n) % n)
}

// SearchInContext searches every shard at once and merges their hits:
// each shard is asked for the first From+Size hits, and the merged list is
// cut to the page. Hits the sort cannot tell apart are ordered by their
// place in their shard, then by shard (bleve's alias leaves such ties to
// the order the shards answer in). Totals add up; facets are counted by
// the search itself (facetcache.go), not here, and so is a search's page
// of hits, in an order that breaks every tie by incident id (page.go).
func (s *shardIndex) SearchInContext(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	if len(s.searched) == 1 {
		return s.searched[0].SearchInContext(ctx, req)
	}
	results := make([]*bleve.SearchResult, len(s.searched))
	err := eachOf(s.searched, func(i int, p bleve.Index) error {
		r := *req
		r.From, r.Size = 0, req.From+req.Size
		// A sort keeps each hit's values in its fields while it runs: every
		// shard needs its own.
		r.Sort = req.Sort.Copy()
		res, err := p.SearchInContext(ctx, &r)
		results[i] = res
		return err
	})
	if err != nil {
		return nil, err
	}
	type shardHit struct {
		h     *bsearch.DocumentMatch
		shard int
	}
	out := &bleve.SearchResult{Request: req, Status: &bleve.SearchStatus{Errors: map[string]error{}}}
	var all []shardHit
	for i, r := range results {
		out.Total += r.Total
		out.MaxScore = math.Max(out.MaxScore, r.MaxScore)
		out.Took = max(out.Took, r.Took)
		out.Status.Total += r.Status.Total
		out.Status.Successful += r.Status.Successful
		for _, h := range r.Hits {
			all = append(all, shardHit{h, i})
		}
	}
	order := req.Sort
	if len(order) == 0 {
		order = bsearch.SortOrder{&bsearch.SortScore{Desc: true}}
	}
	scoring, desc := order.CacheIsScore(), order.CacheDescending()
	sort.Slice(all, func(a, b int) bool {
		if c := order.Compare(scoring, desc, all[a].h, all[b].h); c != 0 {
			return c < 0
		}
		return all[a].shard < all[b].shard
	})
	if req.From < len(all) {
		all = all[req.From:]
	} else {
		all = nil
	}
	all = all[:min(len(all), req.Size)]
	out.Hits = make(bsearch.DocumentMatchCollection, len(all))
	for i, sh := range all {
		out.Hits[i] = sh.h
	}
	return out, nil
}

// searchPlanned runs q on every shard at once as a plan (fastplan.go),
// which the caller has checked it can be (planFastable), ranked by score:
// the page (of n hits) is kept by a pageResults, the facets of every match
// counted into fc (when set). A page after cursor c (nil: the first)
// continues after c's incident as the plan scores it in the same
// snapshots the page is then read from — or with the score c carries
// when stands, asked once the snapshots are open, says it still holds
// there (snapmark.go). The result holds the total.
func (s *shardIndex) searchPlanned(ctx context.Context, q query.Query, n int, c *cursor, stands func() bool,
	fcache *facetCache, posts *postingsCache, fc *facetCounters) (*bleve.SearchResult, *pageResults, error) {
	type planned struct {
		ps      *planShard
		root    planNode
		closeIt func()
	}
	plans := make([]planned, len(s.searched))
	defer func() {
		for _, p := range plans {
			if p.closeIt != nil {
				p.closeIt()
			}
		}
	}()
	err := eachOf(s.searched, func(i int, p bleve.Index) error {
		ps, root, closeIt, err := planIn(p, q, posts)
		plans[i] = planned{ps, root, closeIt}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	var after *pageHit
	if c != nil {
		id := strconv.FormatInt(c.ID, 10)
		after = &pageHit{id: id}
		// No longer a match (deleted, edited, hidden), or nothing changed
		// since: the score it had.
		after.score = c.score()
		var homes []bleve.Index
		if !stands() {
			homes = s.homesOf(c.ID)
		}
		for _, home := range homes {
			i := slices.Index(s.searched, home)
			score, ok, err := anchorIn(ctx, plans[i].ps, plans[i].root, id)
			if err != nil {
				return nil, nil, err
			}
			if ok {
				after.score = score
				break
			}
		}
	}
	page := newPageResults(SortRelevance, n, after)
	totals := make([]uint64, len(s.searched))
	err = eachOf(s.searched, func(i int, p bleve.Index) error {
		n, err := fcache.walkPlanned(ctx, plans[i].ps, plans[i].root, page, fc)
		totals[i] = n
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	out := &bleve.SearchResult{Status: &bleve.SearchStatus{Total: len(totals), Successful: len(totals), Errors: map[string]error{}}}
	for _, n := range totals {
		out.Total += n
	}
	return out, page, nil
}

// Document reads an incident's stored fields from its shard (nil when
// none of the searched shards holds it).
func (s *shardIndex) Document(id string) (index.Document, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, nil // no incident has such an id
	}
	d, err := s.parts[s.shardOf(n)].Document(id)
	if err != nil || d != nil || s.restricted == nil || !slices.Contains(s.searched, s.restricted) {
		return d, err
	}
	return s.restricted.Document(id)
}

// FieldDictPrefix lists the terms of field starting with prefix over all
// shards, each with the number of documents holding it.
func (s *shardIndex) FieldDictPrefix(field string, prefix []byte) (index.FieldDict, error) {
	if len(s.searched) == 1 {
		return s.searched[0].FieldDictPrefix(field, prefix)
	}
	counts := map[string]uint64{}
	for _, p := range s.searched {
		d, err := p.FieldDictPrefix(field, prefix)
		if err != nil {
			return nil, err
		}
		for {
			e, err := d.Next()
			if err != nil {
				d.Close()
				return nil, err
			}
			if e == nil {
				break
			}
			counts[e.Term] += e.Count
		}
		if err := d.Close(); err != nil {
			return nil, err
		}
	}
	out := &listDict{entries: make([]index.DictEntry, 0, len(counts))}
	for t, c := range counts {
		out.entries = append(out.entries, index.DictEntry{Term: t, Count: c})
	}
	sort.Slice(out.entries, func(i, j int) bool { return out.entries[i].Term < out.entries[j].Term })
	return out, nil
}

// listDict is a FieldDict over a list of terms in order.
type listDict struct {
	entries []index.DictEntry
	next    int
}

func (d *listDict) Next() (*index.DictEntry, error) {
	if d.next >= len(d.entries) {
		return nil, nil
	}
	d.next++
	return &d.entries[d.next-1], nil
}

func (d *listDict) Cardinality() int { return len(d.entries) }

func (d *listDict) BytesRead() uint64 { return 0 }

func (d *listDict) Close() error { return nil }

// readers opens a reader on every searched shard (for many term counts at
// once); close them with closeReaders.
func (s *shardIndex) readers() ([]index.IndexReader, error) {
	rs := make([]index.IndexReader, 0, len(s.searched))
	for _, p := range s.searched {
		adv, err := p.Advanced()
		if err != nil {
			closeReaders(rs)
			return nil, err
		}
		r, err := adv.Reader()
		if err != nil {
			closeReaders(rs)
			return nil, err
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func closeReaders(rs []index.IndexReader) {
	for _, r := range rs {
		_ = r.Close()
	}
}

// Close closes every shard (a view closes nothing).
func (s *shardIndex) Close() error {
	if s.view {
		return nil
	}
	var errs []error
	for _, p := range s.all() {
		errs = append(errs, p.Close())
	}
	_ = s.IndexAlias.Close()
	return errors.Join(errs...)
}
