package media

// ring holds the uncommitted audio of both channels: positions
// [base, base+size) of the timeline. Slots nobody wrote stay zero, which is
// how a lost packet becomes silence in its place.
type ring struct {
	base int64
	size int64
	ch   [2][]int16
}

func newRing(size int64, base int64) ring {
	return ring{base: base, size: size, ch: [2][]int16{make([]int16, size), make([]int16, size)}}
}

// place writes samples of channel ch starting at timeline position pos. It
// returns false when none of them fit: already committed or too far ahead.
func (r *ring) place(ch int, pos int64, pcm []int16) bool {
	lo, hi := max(pos, r.base), min(pos+int64(len(pcm)), r.base+r.size)
	if lo >= hi {
		return false
	}
	src := pcm[lo-pos : hi-pos]
	buf := r.ch[ch]
	i := lo % r.size
	n := copy(buf[i:], src)
	copy(buf, src[n:])
	return true
}

// take moves the n samples at base of both channels into dst, zeroes their
// slots and advances base.
func (r *ring) take(n int, dst [2][]int16) {
	i := r.base % r.size
	for c := range r.ch {
		buf := r.ch[c]
		k := copy(dst[c][:n], buf[i:])
		copy(dst[c][k:n], buf)
		clear(buf[i:min(i+int64(n), r.size)])
		if k < n {
			clear(buf[:n-k])
		}
	}
	r.base += int64(n)
}
