package media

import "sync"

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
	mu      sync.Mutex
	free    []*page
	chunks  int // chunks mapped, for the tests
}

// pagesPerChunk is how many pages are mapped at once: 320 KiB.
const pagesPerChunk = 256

func newPagePool(offHeap bool) *pagePool { return &pagePool{offHeap: offHeap} }

// get returns an empty page.
func (p *pagePool) get() *page {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		p.free = p.grow(p.free)
		p.chunks++
	}
	pg := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return pg
}

// put gives back a page whose law bits are all clear.
func (p *pagePool) put(pg *page) {
	p.mu.Lock()
	p.free = append(p.free, pg)
	p.mu.Unlock()
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
