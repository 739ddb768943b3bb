// Package detect finds card digits in call audio before the recorder
// commits it: in-band DTMF tones (Goertzel filters held to the ITU-T Q.24
// tolerances), RFC 4733 telephone events, and the policy that turns a run
// of digits into a pause span that starts before the first digit.
//
// Everything here is pure: positions are samples on a call's 8 kHz
// timeline, never clock readings, so the recorder decides what "now" is
// and the tests can drive every case exactly.
package detect

// SampleRate is the rate of the audio the detectors read, in Hz.
const SampleRate = 8000

// Source names what heard a digit; it becomes the id of an auto pause.
type Source string

// The detectors hush has.
const (
	Keypad Source = "keypad" // DTMF: in-band tones or RFC 4733 events
	Spoken Source = "spoken" // a digit word on the caller's stream
)

// Digit is one detected digit and where it sounded on the timeline,
// [Start, End) in samples.
type Digit struct {
	Symbol byte // '0'-'9', '*', '#', 'A'-'D'
	Start  int64
	End    int64
	Source Source
}

// IsCardDigit reports whether the digit can be part of a card number or
// security code: '*', '#' and A-D are navigation, not data.
func (d Digit) IsCardDigit() bool { return d.Symbol >= '0' && d.Symbol <= '9' }
