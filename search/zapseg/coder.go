package zapseg

import (
	"encoding/binary"

	"github.com/golang/snappy"
)

// intCoder writes a term's frequencies and norms as zap does: uvarints cut
// into chunks of chunkSize documents, written after the list of where each
// chunk ends.
type intCoder struct {
	chunkSize uint64
	lens      []uint64 // each chunk's length
	cur       uint64   // the chunk being written
	buf       []byte   // its bytes
	final     []byte   // the chunks before it
}

// reset starts a term whose documents are numbered up to maxDoc.
func (c *intCoder) reset(chunkSize, maxDoc uint64) {
	c.chunkSize = chunkSize
	n := int(maxDoc/chunkSize + 1)
	if cap(c.lens) >= n {
		c.lens = c.lens[:n]
		clear(c.lens)
	} else {
		c.lens = make([]uint64, n)
	}
	c.cur = 0
	c.buf = c.buf[:0]
	c.final = c.final[:0]
}

// add adds a document's values (its documents come in order).
func (c *intCoder) add(doc uint64, vals ...uint64) {
	if ch := doc / c.chunkSize; ch != c.cur {
		c.flush()
		c.cur = ch
	}
	for _, v := range vals {
		c.buf = binary.AppendUvarint(c.buf, v)
	}
}

func (c *intCoder) flush() {
	c.lens[c.cur] = uint64(len(c.buf))
	c.final = append(c.final, c.buf...)
	c.buf = c.buf[:0]
}

// writeAt writes the chunks and returns where they start, or 0 when there
// is nothing to write.
func (c *intCoder) writeAt(cw *countWriter) uint64 {
	c.flush()
	if len(c.final) == 0 {
		return 0
	}
	at := cw.n
	cw.uvarint(uint64(len(c.lens)))
	var end uint64
	for _, l := range c.lens {
		end += l
		cw.uvarint(end)
	}
	_, _ = cw.Write(c.final)
	return at
}

// contentCoder writes a field's doc values as zap does: the values of each
// chunk of chunkSize documents after the list of the documents it holds
// and where each one's values end, snappy-compressed unless told not to;
// then where each chunk ends, the length of that list and the number of
// chunks.
type contentCoder struct {
	chunkSize uint64
	compress  bool
	lens      []uint64
	cur       uint64
	buf       []byte   // the chunk's values
	meta      []uint64 // the chunk's documents and where their values end
	final     []byte
	tmp       []byte
}

func newContentCoder(chunkSize, maxDoc uint64, compress bool) *contentCoder {
	return &contentCoder{chunkSize: chunkSize, compress: compress, lens: make([]uint64, maxDoc/chunkSize+1)}
}

func (c *contentCoder) add(doc uint64, v []byte) {
	if ch := doc / c.chunkSize; ch != c.cur {
		c.flush()
		c.buf, c.meta = c.buf[:0], c.meta[:0]
		c.cur = ch
	}
	c.buf = append(c.buf, v...)
	c.meta = append(c.meta, doc, uint64(len(c.buf)))
}

func (c *contentCoder) flush() {
	start := len(c.final)
	if c.chunkSize != 1 {
		c.final = binary.AppendUvarint(c.final, uint64(len(c.meta)/2))
		for _, v := range c.meta {
			c.final = binary.AppendUvarint(c.final, v)
		}
	}
	if c.compress {
		c.tmp = snappy.Encode(c.tmp[:cap(c.tmp)], c.buf)
		c.final = append(c.final, c.tmp...)
	} else {
		c.final = append(c.final, c.buf...)
	}
	c.lens[c.cur] = uint64(len(c.final) - start)
}

func (c *contentCoder) close() { c.flush() }

func (c *contentCoder) write(cw *countWriter) {
	_, _ = cw.Write(c.final)
	var offs []byte
	var end uint64
	for _, l := range c.lens {
		end += l
		offs = binary.AppendUvarint(offs, end)
	}
	_, _ = cw.Write(offs)
	cw.u64(uint64(len(offs)))
	cw.u64(uint64(len(c.lens)))
}
