package zapseg

import (
	"encoding/binary"
	"hash/maphash"
)

// A Writer holds millions of terms and their postings for as long as it
// takes a shard's documents: kept in maps, strings and slices of their own
// they are millions of pointers the garbage collector walks again at every
// cycle, which took more CPU than the indexing at 100k incidents. So the
// terms, their postings and the dictionaries hold no pointers at all: a
// term is a record in a slice, its bytes are in one byte arena, its
// postings are a chain of blocks in a pool of byte chunks, and each
// field's dictionary is an open-addressing table of record numbers.

// term is a term's record.
type term struct {
	hash  uint64
	off   uint32 // its bytes in the field's arena
	len   uint32
	head  uint32 // its postings' first block in the pool
	tail  uint32 // where the next byte of its postings goes
	left  uint32 // bytes left in the block tail is in
	size  uint32 // bytes of postings written
	level uint8  // the size class of the block tail is in
	last  uint32 // the last document + 1 (0: none yet)
	n     uint32 // how many documents
	freq  uint32 // the term's frequency in the document being added,
	cur   uint32 // whose number + 1 is cur
}

// dict is a field's terms: records, their bytes, and a hash table of
// record numbers + 1 (0: free).
type dict struct {
	seed  maphash.Seed
	terms []term
	bytes []byte
	slots []uint32
}

func newDict(seed maphash.Seed) dict {
	return dict{seed: seed, slots: make([]uint32, 64)}
}

// find returns the record number of t, adding it when absent (added says
// so).
func (d *dict) find(t string) (n int32, added bool) {
	h := maphash.String(d.seed, t)
	mask := uint64(len(d.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := d.slots[i]
		if s == 0 {
			n = int32(len(d.terms))
			d.terms = append(d.terms, term{hash: h, off: uint32(len(d.bytes)), len: uint32(len(t))})
			d.bytes = append(d.bytes, t...)
			d.slots[i] = uint32(n) + 1
			if len(d.terms)*2 > len(d.slots) {
				d.grow()
			}
			return n, true
		}
		r := &d.terms[s-1]
		if r.hash == h && string(d.bytes[r.off:r.off+r.len]) == t {
			return int32(s - 1), false
		}
	}
}

func (d *dict) grow() {
	slots := make([]uint32, 2*len(d.slots))
	mask := uint64(len(slots) - 1)
	for n := range d.terms {
		for i := d.terms[n].hash & mask; ; i = (i + 1) & mask {
			if slots[i] == 0 {
				slots[i] = uint32(n) + 1
				break
			}
		}
	}
	d.slots = slots
}

// text is the bytes of record n.
func (d *dict) text(n int) []byte {
	r := &d.terms[n]
	return d.bytes[r.off : r.off+r.len]
}

// pool holds postings in chains of blocks. A block's last four bytes are
// the address of the next block once it is full; blocks grow with each
// link of a chain (poolSizes), so a term in two documents takes 16 bytes
// and one in thousands wastes little. An address is a chunk number and an
// offset in it; a block never spans chunks.
type pool struct {
	chunks [][]byte
	used   int // bytes used in the last chunk
}

const (
	chunkBits = 20
	chunkSize = 1 << chunkBits
	// maxChunks is how many chunks an address can name.
	maxChunks = 1 << (32 - chunkBits)
)

var poolSizes = [...]uint32{16, 32, 64, 128, 256, 512, 1024}

// alloc returns the address of a new block of the given size class.
func (p *pool) alloc(level uint8) uint32 {
	size := int(poolSizes[level])
	if len(p.chunks) == 0 || p.used+size > chunkSize {
		p.chunks = append(p.chunks, make([]byte, chunkSize))
		p.used = 0
	}
	a := uint32(len(p.chunks)-1)<<chunkBits | uint32(p.used)
	p.used += size
	return a
}

func (p *pool) at(a uint32) []byte { return p.chunks[a>>chunkBits][a&(chunkSize-1):] }

// mem is the pool's size in bytes.
func (p *pool) mem() int64 { return int64(len(p.chunks)) * chunkSize }

// appendUvarint appends v to the postings of r.
func (p *pool) appendUvarint(r *term, v uint64) {
	var b [binary.MaxVarintLen64]byte
	for _, c := range b[:binary.PutUvarint(b[:], v)] {
		if r.left == 0 {
			next := r.level
			if r.size > 0 && int(next) < len(poolSizes)-1 {
				next++
			}
			a := p.alloc(next)
			if r.size == 0 {
				r.head = a
			} else {
				binary.LittleEndian.PutUint32(p.at(r.tail), a) // the full block's link
			}
			r.tail, r.left, r.level = a, poolSizes[next]-4, next
		}
		p.at(r.tail)[0] = c
		r.tail++
		r.left--
		r.size++
	}
}

// read appends the postings of r to buf.
func (p *pool) read(r *term, buf []byte) []byte {
	a, level, left := r.head, uint8(0), r.size
	for left > 0 {
		payload := poolSizes[level] - 4
		n := min(payload, left)
		blk := p.at(a)
		buf = append(buf, blk[:n]...)
		left -= n
		if left > 0 {
			a = binary.LittleEndian.Uint32(blk[payload:])
			if int(level) < len(poolSizes)-1 {
				level++
			}
		}
	}
	return buf
}
