package media

// ring holds the uncommitted audio of both channels: positions
// [base, base+size) of the timeline, as the G.711 bytes that arrived,
// decoded only when committed: a byte a sample holds the commit delay in
// half the memory of decoded samples. Beside each byte, two bits say
// which law it is in, or that nobody wrote it: such a slot commits as
// digital zero, which is how a lost packet becomes silence in its place.
type ring struct {
	base int64
	size int64
	ch   [2][]byte
	law  [2][]uint64 // 2 bits a slot: 0 empty, else the Codec
}

// Slot s's law bits are bits (s&31)*2 of word s>>5 of ring.law.
const slotsPerWord = 32

// lawPattern repeats a codec's two bits across a word.
func lawPattern(c Codec) uint64 { return uint64(c&3) * 0x5555_5555_5555_5555 }

// tables decodes a slot by its law bits; an empty slot is digital zero.
var tables = [4]*[256]int16{&silence, &ulaw, &alaw, &silence}

var silence [256]int16

func newRing(size int64, base int64) ring {
	words := (size + slotsPerWord - 1) / slotsPerWord
	return ring{base: base, size: size,
		ch:  [2][]byte{make([]byte, size), make([]byte, size)},
		law: [2][]uint64{make([]uint64, words), make([]uint64, words)}}
}

// place writes the G.711 payload of channel ch, in codec c (CodecPCMU or
// CodecPCMA), starting at timeline position pos. It returns false when
// none of it fits: already committed or too far ahead.
func (r *ring) place(ch int, pos int64, payload []byte, c Codec) bool {
	lo, hi := max(pos, r.base), min(pos+int64(len(payload)), r.base+r.size)
	if lo >= hi {
		return false
	}
	src := payload[lo-pos : hi-pos]
	buf, law := r.ch[ch], r.law[ch]
	i := lo % r.size
	n := copy(buf[i:], src)
	copy(buf, src[n:])
	pat := lawPattern(c)
	setLaw(law, i, i+int64(n), pat)
	setLaw(law, 0, int64(len(src)-n), pat)
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
// their slots and advances base.
func (r *ring) take(n int, dst [2][]int16) {
	s := r.base % r.size
	k := min(int64(n), r.size-s)
	for c := range r.ch {
		r.decode(c, s, s+k, dst[c][:k])
		r.decode(c, 0, int64(n)-k, dst[c][k:n])
	}
	r.base += int64(n)
}

// decode decodes slots [a, b) of channel c into out and empties them,
// a word of law bits at a time: a word all in one law decodes through one
// table.
func (r *ring) decode(c int, a, b int64, out []int16) {
	buf, law := r.ch[c], r.law[c]
	for a < b {
		w := a / slotsPerWord
		lo, hi := a-w*slotsPerWord, min(b-w*slotsPerWord, slotsPerWord)
		m := wordMask(lo, hi)
		bits := law[w] & m
		src, dst := buf[a:w*slotsPerWord+hi], out[:len(buf[a:w*slotsPerWord+hi])]
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
		law[w] &^= m
		out = out[len(dst):]
		a = w*slotsPerWord + hi
	}
}

// peek decodes positions [from, from+len(out)) of channel c into out,
// leaving them in place; positions outside the ring read as silence.
func (r *ring) peek(c int, from int64, out []int16) {
	buf, law := r.ch[c], r.law[c]
	for i := range out {
		p := from + int64(i)
		if p < r.base || p >= r.base+r.size {
			out[i] = 0
			continue
		}
		s := p % r.size
		out[i] = tables[law[s/slotsPerWord]>>(2*(s%slotsPerWord))&3][buf[s]]
	}
}
