// Package zapseg writes analysed documents straight into one segment file
// of zap v17, the format of the segments bleve's scorch index reads
// (github.com/blevesearch/zapx/v17).
//
// zap's own way to make a segment from documents (what scorch's offline
// builder does) keeps every analysed document of a batch in memory, so a
// rebuild writes segments of a hundred documents and merges them, twice
// over, into a shard: at 100k incidents two thirds of a rebuild's CPU went
// to writing and rewriting those small segments. A Writer instead takes the
// documents one at a time, keeps only their postings (a few bytes each),
// the terms and the stored values (in a scratch file), and writes the
// segment once at Close, the way zap itself lays it out: the stored
// documents, then each field's postings, term dictionary (a vellum FST) and
// doc values, then the fields' index and the footer.
//
// What it writes is read by zap itself (the tests compare every term,
// posting, norm, stored value and doc value with a segment zap made from
// the same documents). Term vectors (token locations) and nested documents
// are not supported: the index has neither, and Add refuses them.
package zapseg

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"os"
	"unsafe"

	index "github.com/blevesearch/bleve_index_api"
)

// Version is the zap file format version written.
const Version = 17

// idField is the field every document has, its id: indexed and stored.
const idField = "_id"

// ErrTermVectors is returned by Add for a field that keeps token
// locations, which a Writer does not write.
var ErrTermVectors = errors.New("zapseg: term vectors are not supported")

// Writer writes documents into one segment file. Its methods are not safe
// for concurrent use.
type Writer struct {
	path   string
	stored *os.File // the stored values, as Add took them (see appendStored)
	sw     *bufio.Writer
	fields []*fieldAcc // in the order first seen
	byName map[string]*fieldAcc
	seed   maphash.Seed
	pool   pool // the postings of every field's terms
	docs   uint32
	// touched are the terms the document being added has.
	touched []touch
	rec     []byte
	err     error
	closed  bool // by Close or Abort
}

// ErrFull is returned by Add when the segment holds as much as one can
// (about 4 GB of postings, or of one field's terms).
var ErrFull = errors.New("zapseg: the segment is full")

// errClosed is returned by Add and Close after Close or Abort.
var errClosed = errors.New("zapseg: the writer is closed")

// fieldAcc is what a field's documents gave so far.
type fieldAcc struct {
	name string
	id   int // the order first seen; the segment's order is by name
	opts index.FieldIndexingOptions
	dv   bool
	dict dict
	// lens are the analysed lengths of the field, by document: zap keeps
	// a document's length as the "norm" of each of its postings.
	lens []uint32
}

// A term's postings are its documents in order: each a uvarint of its
// distance from the last one (the first from -1) and a uvarint of the
// term's frequency there.

// touch is a term the document being added has.
type touch struct {
	field int32
	term  int32
}

// Create starts a segment to be written at path; its scratch file is
// path+".stored" until Close.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path+".stored", os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("zapseg: %w", err)
	}
	return &Writer{path: path, stored: f, sw: bufio.NewWriterSize(f, 1<<20), byName: map[string]*fieldAcc{},
		seed: maphash.MakeSeed()}, nil
}

// Docs is how many documents were added.
func (w *Writer) Docs() int { return int(w.docs) }

// Mem is the memory the postings and terms held so far take.
func (w *Writer) Mem() int64 {
	m := w.pool.mem()
	for _, fa := range w.fields {
		d := &fa.dict
		m += int64(cap(d.terms))*int64(unsafe.Sizeof(term{})) + int64(cap(d.bytes)) + 4*int64(cap(d.slots)) + 4*int64(cap(fa.lens))
	}
	return m
}

// Add adds an analysed document (its fields' Analyze called, its id field
// added) as the next document of the segment. A failed Add leaves the
// Writer failed: Close then removes what it wrote and returns the error.
func (w *Writer) Add(doc index.Document) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return errClosed
	}
	if nd, ok := doc.(index.NestedDocument); ok {
		nested := false
		nd.VisitNestedDocuments(func(index.Document) { nested = true })
		if nested {
			w.err = fmt.Errorf("zapseg: document %s: nested documents are not supported", doc.ID())
			return w.err
		}
	}
	if doc.HasComposite() {
		w.err = fmt.Errorf("zapseg: document %s: composite fields are not supported", doc.ID())
		return w.err
	}
	// Past these the uint32 addresses of the postings and of a field's
	// term bytes would wrap: far more than a document can add is left.
	if len(w.pool.chunks) > maxChunks-256 || w.termBytes() > math.MaxUint32-256<<20 {
		w.err = fmt.Errorf("zapseg: document %s: %w", doc.ID(), ErrFull)
		return w.err
	}
	docNum := w.docs
	w.touched = w.touched[:0]
	w.rec = w.rec[:0]
	var id []byte
	hasID := false
	var ferr error
	nStored := 0
	var entries []byte
	doc.VisitFields(func(f index.Field) {
		if ferr != nil {
			return
		}
		name := f.Name()
		switch f.(type) {
		case index.GeoShapeField, index.SynonymField:
			ferr = fmt.Errorf("zapseg: document %s, field %s: %T fields are not supported", doc.ID(), name, f)
			return
		}
		if _, ok := w.byName[name]; !ok && len(w.fields) >= math.MaxUint16 {
			ferr = fmt.Errorf("zapseg: document %s, field %s: more than %d fields", doc.ID(), name, math.MaxUint16)
			return
		}
		fa := w.field(name)
		opts := f.Options()
		fa.opts |= opts
		if opts.IncludeDocValues() {
			fa.dv = true
		}
		if opts.IncludeTermVectors() {
			ferr = fmt.Errorf("%w (document %s, field %s)", ErrTermVectors, doc.ID(), name)
			return
		}
		if name == idField {
			if !hasID {
				id, hasID = f.Value(), true
			}
		} else if opts.IsStored() {
			entries = appendStored(entries, fa.id, f)
			nStored++
		}
		if l := f.AnalyzedLength(); l > 0 {
			for len(fa.lens) <= int(docNum) {
				fa.lens = append(fa.lens, 0)
			}
			fa.lens[docNum] += uint32(l)
		}
		for text, tf := range f.AnalyzedTokenFrequencies() {
			if len(tf.Locations) > 0 {
				ferr = fmt.Errorf("%w (document %s, field %s)", ErrTermVectors, doc.ID(), name)
				return
			}
			t, _ := fa.dict.find(text)
			r := &fa.dict.terms[t]
			if r.cur != docNum+1 {
				r.cur, r.freq = docNum+1, 0
				w.touched = append(w.touched, touch{int32(fa.id), t})
			}
			r.freq += uint32(tf.Frequency())
		}
	})
	if ferr == nil && !hasID {
		ferr = fmt.Errorf("zapseg: document %s has no %s field", doc.ID(), idField)
	}
	if ferr != nil {
		// Nothing of the document is kept: the terms it made stay in the
		// dictionaries, but the Writer is failed and its file removed.
		w.err = ferr
		return ferr
	}
	for _, tc := range w.touched {
		r := &w.fields[tc.field].dict.terms[tc.term]
		w.pool.appendUvarint(r, uint64(docNum+1-r.last))
		w.pool.appendUvarint(r, uint64(r.freq))
		r.last = docNum + 1
		r.n++
	}
	w.rec = binary.AppendUvarint(w.rec, uint64(len(id)))
	w.rec = append(w.rec, id...)
	w.rec = binary.AppendUvarint(w.rec, uint64(nStored))
	w.rec = append(w.rec, entries...)
	if _, err := w.sw.Write(w.rec); err != nil {
		w.err = fmt.Errorf("zapseg: %w", err)
		return w.err
	}
	w.docs++
	return nil
}

// appendStored appends a stored value to a document's record: the field,
// its type, its array positions and the value.
func appendStored(b []byte, field int, f index.Field) []byte {
	b = binary.AppendUvarint(b, uint64(field))
	b = append(b, f.EncodedFieldType())
	ap := f.ArrayPositions()
	b = binary.AppendUvarint(b, uint64(len(ap)))
	for _, p := range ap {
		b = binary.AppendUvarint(b, p)
	}
	v := f.Value()
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// field is the accumulator of the named field, made on first sight.
func (w *Writer) field(name string) *fieldAcc {
	fa := w.byName[name]
	if fa == nil {
		fa = &fieldAcc{name: name, id: len(w.fields), dict: newDict(w.seed)}
		w.fields = append(w.fields, fa)
		w.byName[name] = fa
	}
	return fa
}

// termBytes is the most term bytes a field holds.
func (w *Writer) termBytes() int {
	n := 0
	for _, fa := range w.fields {
		n = max(n, len(fa.dict.bytes))
	}
	return n
}

// Abort removes what the Writer wrote, unless Close wrote the segment.
func (w *Writer) Abort() {
	if w.closed {
		return
	}
	w.closed = true
	if w.stored != nil {
		_ = w.stored.Close()
		_ = os.Remove(w.stored.Name())
		w.stored = nil
	}
	_ = os.Remove(w.path)
	w.fields, w.byName, w.pool = nil, nil, pool{}
}
