package media

import (
	"sync"
	"sync/atomic"
)

// pageSamples is the length of a ring page: 128 ms at 8 kHz, a multiple
// of the 32 slots a word of law bits covers.
const pageSamples = 1024

// page is pageSamples slots of one channel of a ring: the G.711 bytes and
// their law bits. A page in the pool has every law bit clear, so whatever
// bytes an earlier call left in it read as silence, never as its audio.
type page struct {
	b   [pageSamples]byte
	law [pageSamples / slotsPerWord]uint64
}

// pagePool hands out the pages of every call's ring. Its memory is mapped
// outside the Go heap where the platform allows, so the collector neither
// scans it nor counts it when it sizes the heap: the commit-delay audio,
// most of what a call holds, costs its own size and no collector headroom
// on top. Pages are kept for reuse once given back, so the process holds
// the most it ever needed at once.
type pagePool struct {
	offHeap bool
	shards  [poolShards]poolShard
	next    atomic.Uint32 // the shard the next ring takes its pages from
}

// poolShards splits the pool, so that the workers committing different
// calls rarely wait for each other's pages.
const poolShards = 8

type poolShard struct {
	mu     sync.Mutex
	free   []*page
	chunks int // chunks mapped, for the tests
	_      [64]byte
}

// pagesPerChunk is how many pages are mapped at once: 320 KiB.
const pagesPerChunk = 256

func newPagePool(offHeap bool) *pagePool { return &pagePool{offHeap: offHeap} }

// shard returns the shard a new ring takes its pages from.
func (p *pagePool) shard() *poolShard {
	return &p.shards[p.next.Add(1)%poolShards]
}

// get returns an empty page.
func (p *pagePool) get(s *poolShard) *page {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.free) == 0 {
		s.free = p.grow(s.free)
		s.chunks++
	}
	pg := s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	return pg
}

// put gives back pages whose law bits are all clear.
func (p *pagePool) put(s *poolShard, pgs ...*page) {
	s.mu.Lock()
	s.free = append(s.free, pgs...)
	s.mu.Unlock()
}

// inUse returns how many pages are out of the pool.
func (p *pagePool) inUse() int {
	n := 0
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		n += s.chunks*pagesPerChunk - len(s.free)
		s.mu.Unlock()
	}
	return n
}

// grow appends a chunk's worth of new pages to free.
func (p *pagePool) grow(free []*page) []*page {
	if p.offHeap {
		if pages := mapPages(pagesPerChunk); pages != nil {
			for i := range pages {
				free = append(free, &pages[i])
			}
			return free
		}
	}
	pages := make([]page, pagesPerChunk)
	for i := range pages {
		free = append(free, &pages[i])
	}
	return free
}
