package media

// ring holds the uncommitted audio of both channels: positions
// [base, base+size) of the timeline, as the G.711 bytes that arrived,
// decoded only when committed: a byte a sample holds the commit delay in
// half the memory of decoded samples. Beside each byte, two bits say
// which law it is in, or that nobody wrote it: such a slot commits as
// digital zero, which is how a lost packet becomes silence in its place.
//
// The bytes live in pages taken from the recorder's pool when a packet
// first lands in them and given back once committed, so a call holds
// only the audio that is really waiting (the commit delay and what has
// arrived ahead of it), not the whole window it could accept.
type ring struct {
	base  int64
	size  int64
	pool  *pagePool
	shard *poolShard
	// pages[ch][n%len] is page number n (positions [n*pageSamples,
	// (n+1)*pageSamples)) of channel ch, or nil while nothing landed in
	// it. The window spans at most len pages, so no two of its pages
	// share a slot.
	pages  [2][]*page
	closed bool // the call is over: its pages went back to the pool
}

// Slot s's law bits are bits (s&31)*2 of word s>>5 of page.law.
const slotsPerWord = 32

// lawPattern repeats a codec's two bits across a word.
func lawPattern(c Codec) uint64 { return uint64(c&3) * 0x5555_5555_5555_5555 }

// tables decodes a slot by its law bits; an empty slot is digital zero.
var tables = [4]*[256]int16{&silence, &ulaw, &alaw, &silence}

var silence [256]int16

// newRing returns a ring for positions from base on, taking its pages
// from pool (nil: a pool of its own).
func newRing(size int64, base int64, pool *pagePool) ring {
	if pool == nil {
		pool = newPagePool(false)
	}
	n := (size+pageSamples-1)/pageSamples + 1
	return ring{base: base, size: size, pool: pool, shard: pool.shard(), pages: [2][]*page{make([]*page, n), make([]*page, n)}}
}

// page returns the page holding position pos of channel ch, taking one
// from the pool if alloc is set and none is there yet.
func (r *ring) page(ch int, pos int64, alloc bool) *page {
	slot := &r.pages[ch][(pos/pageSamples)%int64(len(r.pages[ch]))]
	if *slot == nil && alloc {
		*slot = r.pool.get(r.shard)
	}
	return *slot
}

// place writes the G.711 payload of channel ch, in codec c (CodecPCMU or
// CodecPCMA), starting at timeline position pos. It returns false when
// none of it fits: already committed or too far ahead.
func (r *ring) place(ch int, pos int64, payload []byte, c Codec) bool {
	lo, hi := max(pos, r.base), min(pos+int64(len(payload)), r.base+r.size)
	if lo >= hi || r.closed {
		return false
	}
	pat := lawPattern(c)
	for lo < hi {
		pg := r.page(ch, lo, true)
		off := lo % pageSamples
		n := int64(copy(pg.b[off:min(pageSamples, off+hi-lo)], payload[lo-pos:]))
		setLaw(pg.law[:], off, off+n, pat)
		lo += n
	}
	return true
}

// wordMask returns the law bits of slots [lo, hi) of one word, 0 <= lo <
// hi <= 32.
func wordMask(lo, hi int64) uint64 {
	if hi-lo == slotsPerWord {
		return ^uint64(0)
	}
	return (uint64(1)<<(2*(hi-lo)) - 1) << (2 * lo)
}

// setLaw sets the law bits of slots [a, b) to pat's.
func setLaw(law []uint64, a, b int64, pat uint64) {
	for a < b {
		w := a / slotsPerWord
		lo, hi := a-w*slotsPerWord, min(b-w*slotsPerWord, slotsPerWord)
		m := wordMask(lo, hi)
		law[w] = law[w]&^m | pat&m
		a = w*slotsPerWord + hi
	}
}

// take decodes the n samples at base of both channels into dst, empties
// their slots and advances base, giving back the pages it finishes.
func (r *ring) take(n int, dst [2][]int16) {
	var done [8]*page
	freed := done[:0]
	for c := range r.pages {
		out := dst[c][:n]
		for p := r.base; p < r.base+int64(n); {
			off := p % pageSamples
			k := min(pageSamples-off, r.base+int64(n)-p)
			slot := &r.pages[c][(p/pageSamples)%int64(len(r.pages[c]))]
			if pg := *slot; pg == nil {
				clear(out[:k])
			} else {
				pg.decode(off, off+k, out[:k])
				if off+k == pageSamples {
					freed = append(freed, pg)
					*slot = nil
				}
			}
			out = out[k:]
			p += k
		}
	}
	if len(freed) > 0 {
		r.pool.put(r.shard, freed...)
	}
	r.base += int64(n)
}

// free gives every page back to the pool; the ring takes nothing after.
func (r *ring) free() {
	r.closed = true
	for c := range r.pages {
		for i, pg := range r.pages[c] {
			if pg != nil {
				clear(pg.law[:])
				r.pool.put(r.shard, pg)
				r.pages[c][i] = nil
			}
		}
	}
}

// decode decodes slots [a, b) of the page into out and empties them.
func (pg *page) decode(a, b int64, out []int16) {
	pg.read(a, b, out)
	setLaw(pg.law[:], a, b, 0)
}

// read decodes slots [a, b) of the page into out, leaving them in place,
// a word of law bits at a time: a word all in one law decodes through one
// table.
func (pg *page) read(a, b int64, out []int16) {
	for a < b {
		w := a / slotsPerWord
		lo, hi := a-w*slotsPerWord, min(b-w*slotsPerWord, slotsPerWord)
		m := wordMask(lo, hi)
		bits := pg.law[w] & m
		src := pg.b[a : w*slotsPerWord+hi]
		dst := out[:len(src)]
		switch bits {
		case 0:
			clear(dst)
		case lawPattern(CodecPCMU) & m:
			for i, v := range src {
				dst[i] = ulaw[v]
			}
		case lawPattern(CodecPCMA) & m:
			for i, v := range src {
				dst[i] = alaw[v]
			}
		default:
			for i, v := range src {
				dst[i] = tables[bits>>(2*(lo+int64(i)))&3][v]
			}
		}
		out = out[len(dst):]
		a = w*slotsPerWord + hi
	}
}

// peek decodes positions [from, from+len(out)) of channel c into out,
// leaving them in place; positions outside the ring read as silence.
func (r *ring) peek(c int, from int64, out []int16) {
	for len(out) > 0 {
		p := from
		k := int64(len(out))
		switch {
		case p < r.base:
			k = min(k, r.base-p)
			clear(out[:k])
		case p >= r.base+r.size:
			clear(out)
		default:
			off := p % pageSamples
			k = min(k, pageSamples-off, r.base+r.size-p)
			pg := r.page(c, p, false)
			if pg == nil {
				clear(out[:k])
				break
			}
			pg.read(off, off+k, out[:k])
		}
		out = out[k:]
		from += k
	}
}
