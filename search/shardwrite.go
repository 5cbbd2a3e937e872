package search

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
)

// batch indexes docs and deletes the incidents gone, each in its shard,
// one batch per shard; with seq > 0 every shard records it in its batch.
// The shards' batches run at once.
// A restricted incident goes to the restricted shard and an internal one
// to its shard by id; it is deleted from the other, where it was if its
// visibility changed.
func (s *shardIndex) batch(build func(d *Doc) *document.Document, docs []Doc, gone []int64, seq int64) error {
	all := s.all()
	bs := make([]*bleve.Batch, len(all))
	for i, p := range all {
		bs[i] = p.NewBatch()
	}
	r := len(all) - 1 // the restricted shard's batch, when there is one
	for i := range docs {
		home := s.shardOf(docs[i].ID)
		if s.restricted != nil {
			if docs[i].restricted() {
				bs[home].Delete(docID(docs[i].ID))
				home = r
			} else {
				bs[r].Delete(docID(docs[i].ID))
			}
		}
		if err := bs[home].IndexAdvanced(build(&docs[i])); err != nil {
			return fmt.Errorf("search: index %s: %w", docs[i].Key, err)
		}
	}
	for _, id := range gone {
		bs[s.shardOf(id)].Delete(docID(id))
		if s.restricted != nil {
			bs[r].Delete(docID(id))
		}
	}
	if seq > 0 {
		v := []byte(strconv.FormatInt(seq, 10))
		for _, b := range bs {
			b.SetInternal(keySeq, v)
		}
	}
	return eachOf(all, func(i int, p bleve.Index) error {
		if bs[i].Size() == 0 {
			return nil
		}
		if err := p.Batch(bs[i]); err != nil {
			return fmt.Errorf("search: index batch: %w", err)
		}
		return nil
	})
}

// setInternal stores key = val in every shard.
func (s *shardIndex) setInternal(key, val []byte) error {
	return s.each(func(_ int, p bleve.Index) error {
		b := p.NewBatch()
		b.SetInternal(key, val)
		return p.Batch(b)
	})
}

// meta reads the mapping version (which every shard must agree on) and
// the lowest sequence the shards have applied. Each shard also knows how
// many shards (of internal incidents) its generation was made with, so a
// lost one is noticed.
func (s *shardIndex) meta() (version int, seq int64, err error) {
	for i, p := range s.all() {
		v, q, err := readMeta(p)
		if err != nil {
			return 0, 0, fmt.Errorf("shard %d: %w", i, err)
		}
		n, err := p.GetInternal(keyShards)
		if err != nil {
			return 0, 0, fmt.Errorf("shard %d: %w", i, err)
		}
		if len(n) > 0 && string(n) != strconv.Itoa(len(s.parts)) {
			return 0, 0, fmt.Errorf("shard %d belongs to %s shards, %d were found", i, n, len(s.parts))
		}
		if i == 0 {
			version, seq = v, q
			continue
		}
		if v != version {
			return 0, 0, fmt.Errorf("shard %d has mapping version %d, shard 0 has %d", i, v, version)
		}
		seq = min(seq, q)
	}
	return version, seq, nil
}

// each runs fn on every shard (the restricted one too) at once and
// returns their errors.
func (s *shardIndex) each(fn func(i int, p bleve.Index) error) error {
	return eachOf(s.all(), fn)
}

// eachOf runs fn on every index of parts at once and returns their errors.
func eachOf(parts []bleve.Index, fn func(i int, p bleve.Index) error) error {
	if len(parts) == 1 {
		return fn(0, parts[0])
	}
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recoverInto(&errs[i])
			errs[i] = fn(i, p)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// recoverInto turns a panic of a search's goroutine into its error (with
// the stack, for the log): a bug met by one search fails that search, not
// the process (a goroutine's panic is not the request's to recover).
func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("search: internal error: %v\n%s", r, debug.Stack())
	}
}
