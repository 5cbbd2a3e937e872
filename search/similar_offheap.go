package search

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// The signatures' large arrays live outside the Go heap, in anonymous
// mappings freed when their segment is collected. They never change once
// loaded and hold no pointers, so the collector has nothing to do with
// them — but on its heap they would count toward its goal, and the heap
// of a process grows to twice what it keeps alive between collections:
// at 100k incidents some 55 MB of signatures made the serving heap peak
// 135 MB. Outside it they take what they take.

// offHeap is memory outside the Go heap (one anonymous mapping).
type offHeap struct {
	mem []byte
}

// offHeapBytes is how much memory the process holds in offHeaps: neither
// the Go runtime's statistics nor GOMEMLIMIT see it, so the index's
// status reports it (Status.SimilarMemory).
var offHeapBytes atomic.Int64

// newOffHeap maps n bytes (zeroed); n == 0 maps nothing.
func newOffHeap(n int) (*offHeap, error) {
	if n == 0 {
		return &offHeap{}, nil
	}
	mem, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil, err
	}
	offHeapBytes.Add(int64(n))
	return &offHeap{mem: mem}, nil
}

// freeWith unmaps the memory once owner is unreachable (nothing but
// owner may hold slices of it).
func (o *offHeap) freeWith(owner *segSigs) {
	if o.mem == nil {
		return
	}
	runtime.AddCleanup(owner, func(mem []byte) {
		if syscall.Munmap(mem) == nil {
			offHeapBytes.Add(-int64(len(mem)))
		}
	}, o.mem)
}

// carve takes the next n elements of T from the memory at *at (aligned
// for T), advancing *at.
func carve[T any](o *offHeap, at *int, n int) []T {
	if n == 0 {
		return nil
	}
	var zero T
	size, align := int(unsafe.Sizeof(zero)), int(unsafe.Alignof(zero))
	*at = (*at + align - 1) / align * align
	s := unsafe.Slice((*T)(unsafe.Pointer(&o.mem[*at])), n)
	*at += n * size
	return s
}

// offHeapSize is what carving n elements of T after at bytes needs.
func offHeapSize[T any](at, n int) int {
	var zero T
	size, align := int(unsafe.Sizeof(zero)), int(unsafe.Alignof(zero))
	return (at+align-1)/align*align + n*size
}
