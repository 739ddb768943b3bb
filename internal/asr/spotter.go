package asr

import "github.com/hush-cc/hush/internal/detect"

// DigitSpotter finds spoken digits in one caller stream as it arrives,
// before the recorder commits the audio. It is not safe for concurrent
// use: each stream has its own.
type DigitSpotter interface {
	// Feed takes the stream's 8 kHz audio whose first sample lies at
	// timeline position pos, and returns the digits the recognizer became
	// sure of, each with the span where its word sounded. A pos that does
	// not follow the previous audio ends the utterance in progress.
	Feed(pos int64, pcm []int16) []detect.Digit
	// Flush ends the utterance in progress and returns its last digits.
	Flush() []detect.Digit
	// Close frees the recognizer.
	Close() error
}
