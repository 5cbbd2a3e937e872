// Package zapsegtest compares two zap v17 segments through zap's own
// reader, for the tests of segments zapseg writes against segments zap
// made from the same documents.
package zapsegtest

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"

	segment "github.com/blevesearch/scorch_segment_api/v2"
	"github.com/blevesearch/vellum"
	zap "github.com/blevesearch/zapx/v17"
)

// Open opens a segment file with zap v17.
func Open(path string) (*zap.Segment, error) {
	s, err := (&zap.ZapPlugin{}).Open(path)
	if err != nil {
		return nil, err
	}
	zs, ok := s.(*zap.Segment)
	if !ok {
		_ = s.Close()
		return nil, fmt.Errorf("%s: not a zap v17 segment (%T)", path, s)
	}
	return zs, nil
}

// DiffFiles is Diff of the segment files got and want.
func DiffFiles(got, want string) error {
	g, err := Open(got)
	if err != nil {
		return err
	}
	defer g.Close()
	w, err := Open(want)
	if err != nil {
		return err
	}
	defer w.Close()
	return Diff(g, w)
}

// Diff reports the first difference between what got and want hold, as
// zap reads them: the documents and their ids, the fields and their
// options, every term of every field with its postings (documents,
// frequencies, norms), the stored values in the order zap visits them,
// and the doc values. It also checks got's footer CRC. nil means none.
func Diff(got, want *zap.Segment) error {
	if crc := crc32.ChecksumIEEE(got.Data()[:len(got.Data())-4]); crc != got.CRC() {
		return fmt.Errorf("CRC: footer says %08x, the file's is %08x", got.CRC(), crc)
	}
	if got.Count() != want.Count() {
		return fmt.Errorf("documents: %d, want %d", got.Count(), want.Count())
	}
	if !slices.Equal(got.Fields(), want.Fields()) {
		return fmt.Errorf("fields: %q, want %q", got.Fields(), want.Fields())
	}
	gopts, err := fieldOptions(got)
	if err != nil {
		return err
	}
	wopts, err := fieldOptions(want)
	if err != nil {
		return err
	}
	if !slices.Equal(gopts, wopts) {
		return fmt.Errorf("field options: %v, want %v", gopts, wopts)
	}
	for d := range got.Count() {
		gid, err := got.DocID(d)
		if err != nil {
			return fmt.Errorf("document %d: id: %w", d, err)
		}
		wid, _ := want.DocID(d)
		if !bytes.Equal(gid, wid) {
			return fmt.Errorf("document %d: id %q, want %q", d, gid, wid)
		}
		gs, err := stored(got, d)
		if err != nil {
			return fmt.Errorf("document %d: stored: %w", d, err)
		}
		ws, _ := stored(want, d)
		if !slices.Equal(gs, ws) {
			return fmt.Errorf("document %d (%s): stored %q, want %q", d, gid, gs, ws)
		}
		gdv, err := docValues(got, d)
		if err != nil {
			return fmt.Errorf("document %d: doc values: %w", d, err)
		}
		wdv, _ := docValues(want, d)
		if !slices.Equal(gdv, wdv) {
			return fmt.Errorf("document %d (%s): doc values %q, want %q", d, gid, gdv, wdv)
		}
	}
	for _, f := range got.Fields() {
		if err := diffField(got, want, f); err != nil {
			return fmt.Errorf("field %s: %w", f, err)
		}
	}
	return nil
}

// fieldOptions reads each field's indexing options from the fields'
// index (zap has no accessor for them).
func fieldOptions(s *zap.Segment) ([]uint64, error) {
	mem := s.Data()[:len(s.Data())-zap.FooterSize]
	pos := s.SectionsIndexOffset()
	n, sz := binary.Uvarint(mem[pos:])
	if sz <= 0 {
		return nil, fmt.Errorf("fields index at %d: bad count", pos)
	}
	pos += uint64(sz)
	var out []uint64
	for i := range n {
		at := binary.BigEndian.Uint64(mem[pos+8*i:])
		l, sz := binary.Uvarint(mem[at:])
		at += uint64(sz) + l
		opts, sz := binary.Uvarint(mem[at:])
		if sz <= 0 {
			return nil, fmt.Errorf("field %d: bad options", i)
		}
		out = append(out, opts)
	}
	return out, nil
}

func stored(s *zap.Segment, d uint64) ([]string, error) {
	var out []string
	err := s.VisitStoredFields(d, func(field string, typ byte, value []byte, pos []uint64) bool {
		out = append(out, fmt.Sprintf("%s %c %v %q", field, typ, pos, value))
		return true
	})
	return out, err
}

func docValues(s *zap.Segment, d uint64) ([]string, error) {
	fields, err := s.VisitableDocValueFields()
	if err != nil {
		return nil, err
	}
	var out []string
	_, err = s.VisitDocValues(d, fields, func(field string, term []byte) {
		out = append(out, field+" "+string(term))
	}, nil)
	return out, err
}

// all matches every term.
type all struct{}

func (all) Start() int               { return 0 }
func (all) IsMatch(int) bool         { return true }
func (all) CanMatch(int) bool        { return true }
func (all) WillAlwaysMatch(int) bool { return true }
func (all) Accept(int, byte) int     { return 0 }

func diffField(got, want *zap.Segment, field string) error {
	gd, err := got.Dictionary(field)
	if err != nil {
		return err
	}
	wd, err := want.Dictionary(field)
	if err != nil {
		return err
	}
	if gd.Cardinality() != wd.Cardinality() {
		return fmt.Errorf("%d terms, want %d", gd.Cardinality(), wd.Cardinality())
	}
	gi := gd.AutomatonIterator(all{}, nil, nil)
	wi := wd.AutomatonIterator(all{}, nil, nil)
	for {
		ge, err := gi.Next()
		if err != nil {
			return err
		}
		we, err := wi.Next()
		if err != nil {
			return err
		}
		if ge == nil || we == nil {
			if ge != nil || we != nil {
				return fmt.Errorf("terms end differently: %v, want %v", ge, we)
			}
			return nil
		}
		// Not the entries' Count: zap's iterator reads it into a postings
		// list it reuses, which keeps the one document of a term merged as
		// a "1-hit" for the terms after it (zapx v17.2.5), so a merged
		// segment misreports it. The postings are compared whole below.
		if ge.Term != we.Term {
			return fmt.Errorf("term %q, want %q", ge.Term, we.Term)
		}
		gp, err := postings(gd, ge.Term)
		if err != nil {
			return fmt.Errorf("term %q: %w", ge.Term, err)
		}
		wp, _ := postings(wd, we.Term)
		if !slices.Equal(gp, wp) {
			return fmt.Errorf("term %q: postings %v, want %v", ge.Term, gp, wp)
		}
		// Advance is how searches skip: it must land where zap's does.
		if err := diffAdvance(gd, wd, ge.Term, got.Count()); err != nil {
			return fmt.Errorf("term %q: %w", ge.Term, err)
		}
	}
}

func postings(d segment.TermDictionary, term string) ([]string, error) {
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, err
	}
	// With locations: a posting marked as having some reads them.
	it := pl.Iterator(true, true, true, nil)
	var out []string
	for {
		p, err := it.Next()
		if err != nil {
			return nil, err
		}
		if p == nil {
			return out, nil
		}
		out = append(out, fmt.Sprintf("%d:%d:%g:%d", p.Number(), p.Frequency(), p.Norm(), len(p.Locations())))
	}
}

// diffAdvance advances both postings to a few documents and compares
// where they land.
func diffAdvance(gd, wd segment.TermDictionary, term string, docs uint64) error {
	for _, to := range []uint64{docs / 3, docs / 2, docs - 1} {
		g, err := advance(gd, term, to)
		if err != nil {
			return err
		}
		w, _ := advance(wd, term, to)
		if g != w {
			return fmt.Errorf("advance to %d: %s, want %s", to, g, w)
		}
	}
	return nil
}

func advance(d segment.TermDictionary, term string, to uint64) (string, error) {
	pl, err := d.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return "", err
	}
	p, err := pl.Iterator(true, true, false, nil).Advance(to)
	if err != nil || p == nil {
		return "none", err
	}
	return fmt.Sprintf("%d:%d:%g", p.Number(), p.Frequency(), p.Norm()), nil
}

// DictValue is the value the dictionary of field in s keeps for term (an
// offset of its postings, or its one document when it has the 1-hit mark,
// zap.FSTValEncoding1Hit), and whether it has term.
func DictValue(s *zap.Segment, field, term string) (uint64, bool, error) {
	at, err := s.DictAddr(field)
	if err != nil {
		return 0, false, err
	}
	mem := s.Data()
	n, sz := binary.Uvarint(mem[at:])
	if sz <= 0 {
		return 0, false, fmt.Errorf("field %s: bad dictionary length", field)
	}
	fst, err := vellum.Load(mem[at+uint64(sz) : at+uint64(sz)+n])
	if err != nil {
		return 0, false, err
	}
	return fst.Get([]byte(term))
}
