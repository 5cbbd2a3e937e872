package zapseg

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/vellum"
	"github.com/golang/snappy"
)

// The constants of zap v17's layout this writer depends on.
const (
	// chunkMode is zap's DefaultChunkMode: a term's postings are cut into
	// chunks by its number of documents (postingsChunkSize).
	chunkMode = 1026
	// dvChunkSize is the doc values' chunk size (zap's LegacyChunkMode).
	dvChunkSize = 1024
	// oneHit marks a dictionary value holding a term's one document (the
	// low 31 bits) and its norm (the next 31) instead of an offset.
	oneHit = 1 << 63
	mask31 = 1<<31 - 1
	// notUninverted marks a field without doc values.
	notUninverted = math.MaxUint64
	// The sections zap registers (without the vectors build tag); a field
	// of ours is only in the inverted text index.
	sectionInvertedText = 0
	sectionSynonym      = 2
	sectionGeoShape     = 3
	// footerSize: writer id length, docs, stored index and sections index
	// offsets, chunk mode, version, CRC.
	footerSize = 4 + 8 + 8 + 8 + 4 + 4 + 4
)

// vellumOpts are the FST builder's options zap uses.
var vellumOpts = &vellum.BuilderOpts{Encoder: 1, RegistryTableSize: 0, RegistryMRUSize: 1}

// countWriter counts what is written and keeps its CRC-32 (IEEE).
type countWriter struct {
	w   *bufio.Writer
	n   uint64
	crc uint32
	err error
}

func (c *countWriter) Write(b []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(b)
	c.crc = crc32.Update(c.crc, crc32.IEEETable, b[:n])
	c.n += uint64(n)
	c.err = err
	return n, err
}

func (c *countWriter) uvarint(v uint64) {
	var b [binary.MaxVarintLen64]byte
	_, _ = c.Write(b[:binary.PutUvarint(b[:], v)])
}

func (c *countWriter) u64(v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	_, _ = c.Write(b[:])
}

func (c *countWriter) u32(v uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	_, _ = c.Write(b[:])
}

func (c *countWriter) u16(v uint16) {
	var b [2]byte
	binary.BigEndian.PutUint16(b[:], v)
	_, _ = c.Write(b[:])
}

// Close writes the segment file and removes the scratch file. On an error
// nothing is left at the path. A Writer given no document writes nothing
// and returns an error (zap has no empty segments).
func (w *Writer) Close() (err error) {
	if w.closed {
		return errClosed
	}
	defer func() {
		if err != nil {
			w.Abort()
			return
		}
		w.closed = true
		_ = w.stored.Close()
		_ = os.Remove(w.stored.Name())
		w.stored = nil
		w.fields, w.byName, w.pool = nil, nil, pool{}
	}()
	if w.err != nil {
		return w.err
	}
	if w.docs == 0 {
		return errors.New("zapseg: no documents")
	}
	if err := w.sw.Flush(); err != nil {
		return fmt.Errorf("zapseg: %w", err)
	}
	if _, err := w.stored.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("zapseg: %w", err)
	}
	// The segment's fields: the id first, the others by name (as zap).
	order := slices.Clone(w.fields)
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i].name, order[j].name
		if (a == idField) != (b == idField) {
			return a == idField
		}
		return a < b
	})
	if len(order) == 0 || order[0].name != idField {
		return fmt.Errorf("zapseg: no %s field", idField)
	}
	final := make([]int, len(w.fields)) // first-seen order -> segment order
	for i, fa := range order {
		final[fa.id] = i
	}

	f, err := os.OpenFile(w.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("zapseg: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("zapseg: %w", cerr)
		}
	}()
	cw := &countWriter{w: bufio.NewWriterSize(f, 1<<20)}
	storedIndex, err := w.writeStored(cw, final)
	if err != nil {
		return err
	}
	addrs := make([]uint64, len(order))
	for i, fa := range order {
		if addrs[i], err = w.writeField(cw, fa); err != nil {
			return err
		}
		fa.dict, fa.lens = dict{}, nil // done with: let them go
	}
	sectionsIndex := writeFieldsIndex(cw, order, addrs)
	// The footer: zap's writer id (none), the figures, and the CRC of all
	// that comes before it.
	cw.u32(0)
	cw.u64(uint64(w.docs))
	cw.u64(storedIndex)
	cw.u64(sectionsIndex)
	cw.u32(chunkMode)
	cw.u32(Version)
	cw.u32(cw.crc)
	if cw.err != nil {
		return fmt.Errorf("zapseg: write %s: %w", w.path, cw.err)
	}
	if err := cw.w.Flush(); err != nil {
		return fmt.Errorf("zapseg: write %s: %w", w.path, err)
	}
	return nil
}

// writeStored writes the stored documents (zap's stored section) from the
// scratch file, and the index of their offsets; it returns where that
// index starts.
func (w *Writer) writeStored(cw *countWriter, final []int) (uint64, error) {
	r := bufio.NewReaderSize(w.stored, 1<<20)
	offsets := make([]uint64, w.docs)
	type value struct {
		field int
		typ   byte
		ap    []uint64
		val   []byte
	}
	var (
		vals       []value
		meta, data []byte
		compressed []byte
		id         []byte
		combined   []byte
		backing    []byte
	)
	fail := func(err error) (uint64, error) {
		return 0, fmt.Errorf("zapseg: read back stored values: %w", err)
	}
	for d := range w.docs {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return fail(err)
		}
		id = grow(id, int(n))
		if _, err := io.ReadFull(r, id); err != nil {
			return fail(err)
		}
		count, err := binary.ReadUvarint(r)
		if err != nil {
			return fail(err)
		}
		vals = vals[:0]
		backing = backing[:0]
		type span struct{ apStart, apEnd, vStart, vEnd int }
		var spans []span
		for range count {
			fid, err := binary.ReadUvarint(r)
			if err != nil {
				return fail(err)
			}
			typ, err := r.ReadByte()
			if err != nil {
				return fail(err)
			}
			nap, err := binary.ReadUvarint(r)
			if err != nil {
				return fail(err)
			}
			var ap []uint64
			for range nap {
				p, err := binary.ReadUvarint(r)
				if err != nil {
					return fail(err)
				}
				ap = append(ap, p)
			}
			vl, err := binary.ReadUvarint(r)
			if err != nil {
				return fail(err)
			}
			start := len(backing)
			backing = grow(backing, start+int(vl))
			if _, err := io.ReadFull(r, backing[start:]); err != nil {
				return fail(err)
			}
			if int(fid) >= len(final) {
				return fail(fmt.Errorf("field %d of %d", fid, len(final)))
			}
			vals = append(vals, value{field: final[fid], typ: typ, ap: ap})
			spans = append(spans, span{vStart: start, vEnd: start + int(vl)})
		}
		for i := range vals {
			vals[i].val = backing[spans[i].vStart:spans[i].vEnd]
		}
		// zap writes a document's values field by field in the segment's
		// order, each field's in the order given.
		sort.SliceStable(vals, func(i, j int) bool { return vals[i].field < vals[j].field })
		meta = binary.AppendUvarint(meta[:0], uint64(len(id)))
		data = data[:0]
		for _, v := range vals {
			meta = binary.AppendUvarint(meta, uint64(v.field))
			meta = binary.AppendUvarint(meta, uint64(v.typ))
			meta = binary.AppendUvarint(meta, uint64(len(data)))
			meta = binary.AppendUvarint(meta, uint64(len(v.val)))
			meta = binary.AppendUvarint(meta, uint64(len(v.ap)))
			for _, p := range v.ap {
				meta = binary.AppendUvarint(meta, p)
			}
			data = append(data, v.val...)
		}
		compressed = snappy.Encode(compressed[:cap(compressed)], data)
		combined = append(append(combined[:0], id...), compressed...)
		offsets[d] = cw.n
		cw.uvarint(uint64(len(meta)))
		cw.uvarint(uint64(len(combined)))
		_, _ = cw.Write(meta)
		_, _ = cw.Write(combined)
	}
	at := cw.n
	for _, o := range offsets {
		cw.u64(o)
	}
	cw.uvarint(0) // no nested documents
	return at, cw.err
}

// grow is b with length n, reusing its array when it can.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}

// writeField writes a field's postings, term dictionary and doc values and
// returns where the field's entry (the three offsets) starts.
func (w *Writer) writeField(cw *countWriter, fa *fieldAcc) (uint64, error) {
	d := &fa.dict
	terms := make([]int32, len(d.terms))
	for i := range terms {
		terms[i] = int32(i)
	}
	slices.SortFunc(terms, func(a, b int32) int { return bytes.Compare(d.text(int(a)), d.text(int(b))) })
	var fst bytes.Buffer
	b, err := vellum.New(&fst, vellumOpts)
	if err != nil {
		return 0, fmt.Errorf("zapseg: field %s: %w", fa.name, err)
	}
	var docTerms [][]byte
	if fa.dv {
		docTerms = make([][]byte, w.docs)
	}
	tf := &intCoder{}
	bm := roaring.New()
	var docs []uint32
	var roar, post []byte
	for _, t := range terms {
		p := &d.terms[t]
		term := d.text(int(t))
		// zap's chunk size for a term of p.n documents in this segment.
		chunk := uint64(w.docs) / (uint64(p.n)/1024 + 1)
		tf.reset(chunk, uint64(w.docs)-1)
		docs = docs[:0]
		doc := int64(-1)
		var lastFreq, lastNorm uint64
		post = w.pool.read(p, post[:0])
		for buf := post; len(buf) > 0; {
			delta, n := binary.Uvarint(buf)
			freq, m := binary.Uvarint(buf[n:])
			if n <= 0 || m <= 0 {
				return 0, fmt.Errorf("zapseg: field %s, term %q: bad postings", fa.name, term)
			}
			buf = buf[n+m:]
			doc += int64(delta)
			docs = append(docs, uint32(doc))
			var norm uint64
			if int(doc) < len(fa.lens) {
				norm = uint64(fa.lens[doc])
			}
			lastFreq, lastNorm = freq, norm
			if freq > 0 {
				tf.add(uint64(doc), freq<<1, norm)
			} else {
				tf.add(uint64(doc), 0)
			}
			if fa.dv {
				docTerms[doc] = append(append(docTerms[doc], term...), 0xff)
			}
		}
		// A term of one document, once, whose norm fits 31 bits, is kept
		// in the dictionary itself ("1-hit"), as zap's merges keep it (a
		// norm of 0 would read as no 1-hit: such a term is written out).
		if p.n == 1 && lastFreq == 1 && lastNorm != 0 && lastNorm <= mask31 && docs[0] <= mask31 {
			if err := b.Insert(term, oneHit|lastNorm<<31|uint64(docs[0])); err != nil {
				return 0, fmt.Errorf("zapseg: field %s: %w", fa.name, err)
			}
			continue
		}
		// The postings: where the frequencies and norms start, where the
		// locations do (none), and the documents as a roaring bitmap.
		tfAt := tf.writeAt(cw)
		at := cw.n
		cw.uvarint(tfAt)
		cw.uvarint(0)
		bm.Clear()
		bm.AddMany(docs)
		roar, err = bm.ToBytes()
		if err != nil {
			return 0, fmt.Errorf("zapseg: field %s: %w", fa.name, err)
		}
		cw.uvarint(uint64(len(roar)))
		_, _ = cw.Write(roar)
		if err := b.Insert(term, at); err != nil {
			return 0, fmt.Errorf("zapseg: field %s: %w", fa.name, err)
		}
	}
	if err := b.Close(); err != nil {
		return 0, fmt.Errorf("zapseg: field %s: %w", fa.name, err)
	}
	dictAt := cw.n
	cw.uvarint(uint64(fst.Len()))
	_, _ = cw.Write(fst.Bytes())
	dvStart, dvEnd := uint64(notUninverted), uint64(notUninverted)
	if fa.dv {
		chunk := uint64(dvChunkSize)
		if fa.opts.SkipDVChunking() {
			chunk = 1
		}
		c := newContentCoder(chunk, uint64(w.docs)-1, !fa.opts.SkipDVCompression())
		for d, v := range docTerms {
			if len(v) > 0 {
				c.add(uint64(d), v)
			}
		}
		c.close()
		dvStart = cw.n
		c.write(cw)
		dvEnd = cw.n
	}
	at := cw.n
	cw.uvarint(dvStart)
	cw.uvarint(dvEnd)
	cw.uvarint(dictAt)
	return at, cw.err
}

// writeFieldsIndex writes each field's name, options and sections, then
// the index of where each starts, and returns where that index starts.
func writeFieldsIndex(cw *countWriter, order []*fieldAcc, addrs []uint64) uint64 {
	starts := make([]uint64, len(order))
	for i, fa := range order {
		starts[i] = cw.n
		cw.uvarint(uint64(len(fa.name)))
		_, _ = cw.Write([]byte(fa.name))
		cw.uvarint(uint64(fa.opts))
		cw.uvarint(3)
		cw.u16(sectionInvertedText)
		cw.u64(addrs[i])
		cw.u16(sectionSynonym)
		cw.u64(0)
		cw.u16(sectionGeoShape)
		cw.u64(0)
	}
	at := cw.n
	cw.uvarint(uint64(len(order)))
	for _, s := range starts {
		cw.u64(s)
	}
	return at
}
