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
	"os"

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
	stored *os.File // the stored values, as Add took them (see addStored)
	sw     *bufio.Writer
	fields []*fieldAcc // in the order first seen
	byName map[string]*fieldAcc
	docs   uint32
	// touched are the postings of the document being added.
	touched []touch
	rec     []byte
	mem     int64
	err     error
}

// fieldAcc is what a field's documents gave so far.
type fieldAcc struct {
	name string
	id   int // the order first seen; the segment's order is by name
	opts index.FieldIndexingOptions
	dv   bool
	dict map[string]int32
	// terms are the postings of the terms of dict, by their value there.
	terms []postings
	// lens are the analysed lengths of the field, by document: zap keeps
	// a document's length as the "norm" of each of its postings.
	lens []uint32
}

// postings are a term's documents in order: each a uvarint of its distance
// from the last one (the first from -1) and a uvarint of the term's
// frequency there.
type postings struct {
	buf  []byte
	last uint32 // the last document + 1 (0: none yet)
	n    uint32 // how many documents
	// freq sums the term's frequency in the document being added, whose
	// number + 1 is cur.
	freq uint32
	cur  uint32
}

// touch is a term the document being added has.
type touch struct {
	f    *fieldAcc
	term int32
}

// Create starts a segment to be written at path; its scratch file is
// path+".stored" until Close.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path+".stored", os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("zapseg: %w", err)
	}
	return &Writer{path: path, stored: f, sw: bufio.NewWriterSize(f, 1<<20), byName: map[string]*fieldAcc{}}, nil
}

// Docs is how many documents were added.
func (w *Writer) Docs() int { return int(w.docs) }

// Mem estimates the memory the postings and terms held so far take.
func (w *Writer) Mem() int64 { return w.mem }

// Add adds an analysed document (its fields' Analyze called, its id field
// added) as the next document of the segment. A failed Add leaves the
// Writer failed: Close then removes what it wrote and returns the error.
func (w *Writer) Add(doc index.Document) error {
	if w.err != nil {
		return w.err
	}
	if nd, ok := doc.(index.NestedDocument); ok {
		nested := false
		nd.VisitNestedDocuments(func(index.Document) { nested = true })
		if nested {
			w.err = fmt.Errorf("zapseg: document %s: nested documents are not supported", doc.ID())
			return w.err
		}
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
				w.mem += 4
			}
			fa.lens[docNum] += uint32(l)
		}
		for term, tf := range f.AnalyzedTokenFrequencies() {
			if len(tf.Locations) > 0 {
				ferr = fmt.Errorf("%w (document %s, field %s)", ErrTermVectors, doc.ID(), name)
				return
			}
			t, ok := fa.dict[term]
			if !ok {
				t = int32(len(fa.terms))
				fa.dict[term] = t
				fa.terms = append(fa.terms, postings{})
				w.mem += int64(len(term)) + 96
			}
			p := &fa.terms[t]
			if p.cur != docNum+1 {
				p.cur, p.freq = docNum+1, 0
				w.touched = append(w.touched, touch{fa, t})
			}
			p.freq += uint32(tf.Frequency())
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
		p := &tc.f.terms[tc.term]
		before := cap(p.buf)
		p.buf = binary.AppendUvarint(p.buf, uint64(docNum+1-p.last))
		p.buf = binary.AppendUvarint(p.buf, uint64(p.freq))
		p.last = docNum + 1
		p.n++
		w.mem += int64(cap(p.buf) - before)
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
		fa = &fieldAcc{name: name, id: len(w.fields), dict: map[string]int32{}}
		w.fields = append(w.fields, fa)
		w.byName[name] = fa
	}
	return fa
}

// Abort removes what the Writer wrote.
func (w *Writer) Abort() {
	if w.stored != nil {
		_ = w.stored.Close()
		_ = os.Remove(w.stored.Name())
		w.stored = nil
	}
	_ = os.Remove(w.path)
	w.fields, w.byName = nil, nil
}
