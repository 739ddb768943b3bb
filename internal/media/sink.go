package media

import (
	"context"
	"time"
)

// Frame is a piece of gated audio on the conversation timeline: at most one
// 20 ms frame, less where a pause starts or ends inside it.
type Frame struct {
	// Offset is the timeline position of the first sample, in samples from
	// the conversation start.
	Offset int64
	// Time is the wall-clock time of the first sample.
	Time time.Time
	// Caller and Agent hold the samples of each channel; they have the same
	// length and are only valid during the call to Write.
	Caller, Agent []int16
}

// Sink receives the audio the transcription gate lets through. Write is
// called with frames in timeline order while the call's audio is being
// committed, so it must hand the audio off rather than block.
type Sink interface {
	Write(ctx context.Context, f Frame) error
	// Close is called once, when transcription stops.
	Close() error
}
