package detect

import "time"

// RunPolicy says when digits become a pause.
type RunPolicy struct {
	// MinDigits card digits whose starts lie within Window make a run.
	MinDigits int
	Window    time.Duration
	// Guard is how long before the first digit's start the pause begins.
	Guard time.Duration
	// Quiet is how long without a digit ends the pause.
	Quiet time.Duration
}

// DefaultRunPolicy is 4 digits within 5 s, a 300 ms guard, 4 s of quiet.
func DefaultRunPolicy() RunPolicy {
	return RunPolicy{MinDigits: 4, Window: 5 * time.Second, Guard: 300 * time.Millisecond, Quiet: 4 * time.Second}
}

// DefaultSpokenRunPolicy is for digits a spotter hears read aloud: it
// misses whole groups of a card number, often the first, so 3 digits
// within 5 s make a run, the pause reaches 5 s back from the first, which
// the commit's hold leaves room for, and 5 s without a digit end it, to
// bridge the groups it misses. On the corpus it lets about 3 % of the card
// audio through with Debian's model adapted to the line (under 1 % with an
// 8 kHz model), and pauses about five times more ordinary talk than the
// goal (docs/BENCHMARKS.md).
func DefaultSpokenRunPolicy() RunPolicy {
	return RunPolicy{MinDigits: 3, Window: 5 * time.Second, Guard: 5 * time.Second, Quiet: 5 * time.Second}
}

// Samples converts a duration to samples at SampleRate.
func Samples(d time.Duration) int64 { return int64(d) * SampleRate / int64(time.Second) }

// Decision is a change Runs asks for.
type Decision struct {
	// Pause starts a pause from At (the first digit's start less the
	// guard); otherwise the pause ends at At.
	Pause bool
	At    int64
}

// Runs follows the digits one detector hears on a call and decides when a
// run of them starts and ends a pause. It also says how far the recorder
// may commit audio while a run is undecided, so that the first digits of a
// run that is confirmed late are still in the buffer when the pause
// reaches back for them.
type Runs struct {
	min           int
	window, guard int64
	quiet         int64
	recent        []int64 // starts of the undecided digits, oldest first
	active        bool
	lastEnd       int64
}

// NewRuns returns a follower for policy p.
func NewRuns(p RunPolicy) *Runs {
	return &Runs{min: max(1, p.MinDigits), window: Samples(p.Window), guard: Samples(p.Guard), quiet: Samples(p.Quiet)}
}

// Active reports whether a run holds a pause.
func (r *Runs) Active() bool { return r.active }

// Digit takes a digit when its detector accepts it; call it again with the
// same digit when its end is known, to extend an active pause. Digits that
// are not card digits are ignored.
func (r *Runs) Digit(d Digit) (Decision, bool) {
	if !d.IsCardDigit() {
		return Decision{}, false
	}
	if r.active {
		r.lastEnd = max(r.lastEnd, d.End)
		return Decision{}, false
	}
	if n := len(r.recent); n == 0 || r.recent[n-1] != d.Start {
		r.recent = append(r.recent, d.Start)
	}
	r.expire(d.Start)
	if len(r.recent) < r.min {
		return Decision{}, false
	}
	from := r.recent[0] - r.guard
	r.active, r.lastEnd, r.recent = true, d.End, r.recent[:0]
	return Decision{Pause: true, At: from}, true
}

// Advance tells Runs that every stream has been heard up to now. It ends
// an active pause once Quiet has passed since the last digit.
func (r *Runs) Advance(now int64) (Decision, bool) {
	if !r.active {
		r.expire(now)
		return Decision{}, false
	}
	if end := r.lastEnd + r.quiet; now >= end {
		r.active = false
		return Decision{At: end}, true
	}
	return Decision{}, false
}

// Hold returns the position the recorder must not commit past while a run
// is undecided: the guard before the oldest undecided digit.
func (r *Runs) Hold() (int64, bool) {
	if r.active || len(r.recent) == 0 {
		return 0, false
	}
	return r.recent[0] - r.guard, true
}

// expire forgets undecided digits that can no longer be part of a run
// reaching now.
func (r *Runs) expire(now int64) {
	i := 0
	for i < len(r.recent) && now-r.recent[i] > r.window {
		i++
	}
	r.recent = r.recent[i:]
}
