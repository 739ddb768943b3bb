package detect

import (
	"math"
	"math/cmplx"
)

// The DTMF detector looks at windows of 102 samples (12.75 ms) that slide
// by half a window. Each half is filtered once (Goertzel, complex result),
// so a window costs the filters of one half. Two halves give a window's
// power at each DTMF frequency and, from the phase turned between them,
// how far the tone is from that frequency: that is what holds the
// detector to Q.24's frequency tolerance, which the 78 Hz bins of a
// window this short could not on their own.
const (
	half   = 51
	window = 2 * half
)

// Hop is how often the detector looks, in samples.
const Hop = half

// dtmfFreqs are the row (low group) and column (high group) frequencies.
var dtmfFreqs = [8]float64{697, 770, 852, 941, 1209, 1336, 1477, 1633}

var dtmfKeys = [4][4]byte{
	{'1', '2', '3', 'A'},
	{'4', '5', '6', 'B'},
	{'7', '8', '9', 'C'},
	{'*', '0', '#', 'D'},
}

// FullScale0dBm0 is the peak amplitude, in 16-bit linear samples, of a
// 0 dBm0 sine after G.711 decoding (G.711's largest value is +3.17 dBm0).
const FullScale0dBm0 = 22300.0

// DTMFConfig holds the acceptance limits. The defaults keep to ITU-T Q.24
// as most administrations apply it: a tone within 1.5 % of its nominal
// frequency is accepted and one 3.5 % away is not (the limit sits between);
// the high group may be up to 8 dB louder than the low (normal twist) and
// the low up to 4 dB louder than the high (reverse twist); a tone of 40 ms
// or more is a digit and one of 20 ms or less is not; an interruption of
// 10 ms or less does not split a digit.
type DTMFConfig struct {
	MaxDeviation float64 // fraction of the nominal frequency
	NormalTwist  float64 // dB the high group may exceed the low
	ReverseTwist float64 // dB the low group may exceed the high
	MinLevel     float64 // dBm0, each tone
	RelativePeak float64 // dB the chosen tone must exceed the others of its group
	MinShare     float64 // share of the window's energy the two tones must hold
	MinHits      int     // consecutive looks, a hop apart, that make a digit
	MaxGap       int     // looks missed without ending a digit
}

// DefaultDTMF returns the Q.24 defaults described on DTMFConfig.
func DefaultDTMF() DTMFConfig {
	return DTMFConfig{
		MaxDeviation: 0.025,
		NormalTwist:  8,
		ReverseTwist: 4,
		MinLevel:     -30,
		RelativePeak: 8,
		MinShare:     0.6,
		MinHits:      3,
		MaxGap:       5,
	}
}

// DTMF detects in-band tones in one stream. Feed it contiguous audio; it
// reports each digit once when it is sure (Final false, End so far) and
// again when the tone ends (Final true).
type DTMF struct {
	cfg       DTMFConfig
	coef      [8]float64    // 2 cos ω
	back      [8]complex128 // e^{-jω}
	align     [8]complex128 // e^{-jω(half-1)}
	rot       [8]complex128 // e^{-jω·half}: moves a half's result to its window
	turn      [8]float64    // ω·half: phase a nominal tone turns over a half
	minPower  float64       // |X|² of a window at MinLevel
	minEnergy float64       // energy of a half holding two tones at MinLevel, less a margin
	peak      float64       // RelativePeak as a power ratio
	rowShare  float64       // least row power, per unit of a window's energy, of a digit
	minSlope  float64       // least energy of a half's first differences, per unit of its energy, of a digit

	// The newest three halves, in a ring: samples land in the half after
	// hs[last] until it is full. Each is filtered in place, and a high
	// group computed for one window serves the next two.
	hs      [3]halfResult
	last    int   // index in hs of the newest whole half
	have    int   // whole halves in hs, up to 3
	n       int   // samples in the half being filled
	next    int64 // timeline position of the next sample expected
	started bool

	cur    tone // the digit being heard, if any
	misses int
}

// ToneEvent is what Feed reports.
type ToneEvent struct {
	Digit
	// Final is false when the digit is first accepted, true when it ends.
	Final bool
}

type halfResult struct {
	x      [8]complex128
	energy float64
	start  int64
	// pcm is kept for the high group's filters, which run only once a
	// window holding the half has a row tone strong enough for a digit.
	pcm  [half]int16
	high bool // x holds the high group
}

type tone struct {
	symbol   byte
	start    int64
	end      int64
	hits     int
	reported bool
}

// NewDTMF returns a detector with the given limits.
func NewDTMF(cfg DTMFConfig) *DTMF {
	d := &DTMF{cfg: cfg}
	for i, f := range dtmfFreqs {
		w := 2 * math.Pi * f / SampleRate
		d.coef[i] = 2 * math.Cos(w)
		d.back[i] = cmplx.Exp(complex(0, -w))
		d.align[i] = cmplx.Exp(complex(0, -w*(half-1)))
		d.rot[i] = cmplx.Exp(complex(0, -w*half))
		d.turn[i] = w * half
	}
	amp := FullScale0dBm0 * math.Pow(10, cfg.MinLevel/20)
	d.minPower = math.Pow(amp*window/2, 2)
	d.minEnergy = amp * amp * half / 4
	d.peak = math.Pow(10, -cfg.RelativePeak/10)
	// A digit's two tones hold MinShare of the window's energy, and the
	// column at most NormalTwist more than the row: so the row holds at
	// least this much (less a rounding margin).
	d.rowShare = 0.999 * cfg.MinShare * window / 2 / (1 + math.Pow(10, cfg.NormalTwist/10))
	d.minSlope = minSlope(cfg)
	return d
}

// Feed reads samples whose first sits at timeline position pos. A jump in
// position (lost audio) ends any tone being heard.
func (d *DTMF) Feed(pos int64, samples []int16) []ToneEvent {
	var out []ToneEvent
	if d.started && pos != d.next {
		out = d.flush(out)
		d.n, d.have = 0, 0
	}
	d.started = true
	for len(samples) > 0 {
		fill := (d.last + 1) % len(d.hs)
		k := copy(d.hs[fill].pcm[d.n:], samples)
		d.n += k
		samples = samples[k:]
		pos += int64(k)
		if d.n == half {
			d.filter(&d.hs[fill], pos-half)
			d.last = fill
			out = d.look(out)
			d.n = 0
		}
	}
	d.next = pos
	return out
}

// Flush ends any tone being heard, as at the end of the stream.
func (d *DTMF) Flush() []ToneEvent {
	out := d.flush(nil)
	d.n, d.have, d.started = 0, 0, false
	return out
}

func (d *DTMF) flush(out []ToneEvent) []ToneEvent {
	if d.cur.hits > 0 && d.cur.reported {
		out = append(out, d.event(true))
	}
	d.cur, d.misses = tone{}, 0
	return out
}

// filter runs the row (low group) Goertzel filters over the buffered
// half; the column filters wait until a window needs them (see judge). A
// half too quiet to hold a digit skips the filters, and so does a half
// whose energy lies too low in the spectrum for a digit's high tone (hum,
// hold music's bass, most voiced speech): its first differences, which
// weigh each frequency f by (2 sin(πf/8000))², hold too little of it.
func (d *DTMF) filter(r *halfResult, start int64) {
	r.start, r.high = start, true
	// The sum is a chain of additions: in integers each takes a cycle,
	// in floating point several.
	var e, de int64
	prev := int64(r.pcm[0])
	for _, s := range r.pcm {
		v := int64(s)
		e += v * v
		dv := v - prev
		de += dv * dv
		prev = v
	}
	r.energy = float64(e)
	if r.energy < d.minEnergy || float64(de) < d.minSlope*r.energy {
		r.x = [8]complex128{}
		return
	}
	d.goertzel(r, 0)
	r.high = false
}

// goertzel runs the four filters of group g (0: rows, 4: columns) over
// the half. The four recursions are independent, so they run side by
// side in one pass: each alone would wait on its own previous result at
// every sample.
func (d *DTMF) goertzel(r *halfResult, g int) {
	c0, c1, c2, c3 := d.coef[g], d.coef[g+1], d.coef[g+2], d.coef[g+3]
	var a0, a1, a2, a3 float64 // s[n-1]
	var b0, b1, b2, b3 float64 // s[n-2]
	for _, s := range r.pcm {
		v := float64(s)
		a0, b0 = v+c0*a0-b0, a0
		a1, b1 = v+c1*a1-b1, a1
		a2, b2 = v+c2*a2-b2, a2
		a3, b3 = v+c3*a3-b3, a3
	}
	s1 := [4]float64{a0, a1, a2, a3}
	s2 := [4]float64{b0, b1, b2, b3}
	for k := range s1 {
		i := g + k
		// y = s1 - e^{-jω} s2 is Σ x[n] e^{jω(N-1-n)}; turning it by
		// e^{-jω(N-1)} gives Σ x[n] e^{-jωn}, the half's own DFT.
		y := complex(s1[k], 0) - d.back[i]*complex(s2[k], 0)
		r.x[i] = y * d.align[i]
	}
}

// look judges the windows that end with the newest half and advances the
// digit state.
func (d *DTMF) look(out []ToneEvent) []ToneEvent {
	if d.have = min(d.have+1, len(d.hs)); d.have < len(d.hs) {
		return out
	}
	a, b, h := &d.hs[(d.last+1)%len(d.hs)], &d.hs[(d.last+2)%len(d.hs)], &d.hs[d.last]
	sym, ok := d.judge(a, b, h)
	end := h.start + half
	switch {
	case ok && (d.cur.hits == 0 || d.cur.symbol == sym):
		if d.cur.hits == 0 {
			d.cur = tone{symbol: sym, start: a.start}
		}
		d.cur.hits++
		d.cur.end = end
		d.misses = 0
		if !d.cur.reported && d.cur.hits >= d.cfg.MinHits {
			d.cur.reported = true
			out = append(out, d.event(false))
		}
	case d.cur.hits > 0:
		d.misses++
		if ok || d.misses > d.cfg.MaxGap || !d.cur.reported && d.misses > 1 {
			out = d.flush(out)
			if ok {
				d.cur = tone{symbol: sym, start: a.start, end: end, hits: 1}
			}
		}
	}
	return out
}

func (d *DTMF) event(final bool) ToneEvent {
	return ToneEvent{Digit: Digit{Symbol: d.cur.symbol, Start: d.cur.start, End: d.cur.end, Source: Keypad}, Final: final}
}

// judge decides whether the halves a, b, c hold one DTMF digit within the
// limits, and which. It compares two windows a hop apart, (a, b) and
// (b, c): the tone must fill both at the same strength, and the phase it
// turned from one to the other says how far it is from its nominal
// frequency. Windows of two halves keep the other group's tone 3.4 bins
// away, so its leakage barely moves that phase. The column filters run
// only when the rows hold enough of the window's energy for a digit,
// which speech and music rarely do.
func (d *DTMF) judge(a, b, c *halfResult) (byte, bool) {
	energy := b.energy + c.energy
	if energy == 0 {
		return 0, false
	}
	var x1, x2 [8]complex128
	var p [8]float64
	var rows float64
	for i := range 4 {
		rows = max(rows, sq(b.x[i]+d.rot[i]*c.x[i]))
	}
	if rows < d.rowShare*energy {
		return 0, false
	}
	for _, h := range []*halfResult{a, b, c} {
		if !h.high {
			d.goertzel(h, 4)
			h.high = true
		}
	}
	for i := range p {
		x1[i] = a.x[i] + d.rot[i]*b.x[i]
		x2[i] = b.x[i] + d.rot[i]*c.x[i]
		p[i] = sq(x2[i])
	}
	row, rowOK := d.best(p[:4])
	col, colOK := d.best(p[4:])
	if !rowOK || !colOK {
		return 0, false
	}
	col += 4
	pr, pc := p[row], p[col]
	if pr < d.minPower || pc < d.minPower {
		return 0, false
	}
	twist := 10 * math.Log10(pc/pr)
	if twist > d.cfg.NormalTwist || -twist > d.cfg.ReverseTwist {
		return 0, false
	}
	if 2*(pr+pc)/(window*energy) < d.cfg.MinShare {
		return 0, false
	}
	for _, i := range []int{row, col} {
		if !d.steady(x1[i], x2[i]) || !d.near(i, x1[i], x2[i]) {
			return 0, false
		}
	}
	return dtmfKeys[row][col-4], true
}

// best picks the strongest of a group if it stands out from the others.
func (d *DTMF) best(p []float64) (int, bool) {
	top := 0
	for i := range p {
		if p[i] > p[top] {
			top = i
		}
	}
	limit := p[top] * d.peak
	for i := range p {
		if i != top && p[i] > limit {
			return 0, false
		}
	}
	return top, p[top] > 0
}

// steady reports whether the tone is as strong in both windows (within
// 3 dB), so that windows only partly covered by a tone do not count
// towards its duration.
func (d *DTMF) steady(a, b complex128) bool {
	pa, pb := sq(a), sq(b)
	return min(pa, pb) >= 0.5*max(pa, pb)
}

// near reports whether the tone at filter i is within MaxDeviation of its
// nominal frequency, from the phase it turned between two windows a hop
// apart.
func (d *DTMF) near(i int, a, b complex128) bool {
	turned := cmplx.Phase(b * cmplx.Conj(a))
	off := math.Remainder(turned-d.turn[i], 2*math.Pi)
	dev := off * SampleRate / (2 * math.Pi * half)
	return math.Abs(dev) <= d.cfg.MaxDeviation*dtmfFreqs[i]
}

func sq(z complex128) float64 { return real(z)*real(z) + imag(z)*imag(z) }

// minSlope returns the least share of a half's energy its first
// differences hold when the half carries a digit cfg accepts: the row at
// its lowest frequency, the column ReverseTwist below it, both tones
// MinShare of the energy and the rest at 0 Hz. A margin of a quarter
// covers a tone's phase within a half's few cycles.
func minSlope(cfg DTMFConfig) float64 {
	gain := func(f float64) float64 {
		g := 2 * math.Sin(math.Pi*f*(1-cfg.MaxDeviation)/SampleRate)
		return g * g
	}
	twist := math.Pow(10, -cfg.ReverseTwist/10)
	tones := (gain(dtmfFreqs[0]) + twist*gain(dtmfFreqs[4])) / (1 + twist)
	return 0.75 * cfg.MinShare * tones * (half - 1) / half
}
