package media

import "time"

// Audio format of the recorder.
const (
	// SampleRate is the G.711 sampling rate, samples per second per channel.
	SampleRate = 8000
	// FrameSamples is the number of samples in one 20 ms frame.
	FrameSamples = 160
	// FrameDuration is the length of one frame.
	FrameDuration = 20 * time.Millisecond
)

// nsPerSample is exact at 8 kHz, so converting through it never overflows
// the way multiplying a duration by the rate would on long calls.
const nsPerSample = int64(time.Second) / SampleRate

// timeline maps wall-clock times to sample positions of one conversation.
// Position 0 is the conversation start; positions may be negative.
type timeline struct{ start time.Time }

// ceil returns the first sample position that starts at or after t.
func (tl timeline) ceil(t time.Time) int64 {
	d := int64(t.Sub(tl.start))
	q := d / nsPerSample
	if d%nsPerSample > 0 {
		q++
	}
	return q
}

// floor returns the position of the sample that contains t.
func (tl timeline) floor(t time.Time) int64 {
	d := int64(t.Sub(tl.start))
	q := d / nsPerSample
	if d%nsPerSample < 0 {
		q--
	}
	return q
}

// time returns the wall-clock start of sample position p.
func (tl timeline) time(p int64) time.Time {
	return tl.start.Add(time.Duration(p * nsPerSample))
}

// ms returns the position of p in milliseconds from the conversation start.
func ms(p int64) int64 { return p * nsPerSample / int64(time.Millisecond) }

// samples returns the number of whole samples in d.
func samples(d time.Duration) int64 { return int64(d) / nsPerSample }
