//go:build !pocketsphinx

package asr

import "errors"

// SpokenDigits reports whether this build can spot spoken digits: builds
// without pocketsphinx detect keyed digits only.
const SpokenDigits = false

// SpokenDigitsNote says, for help texts and logs, what this build does
// with digits read aloud.
const SpokenDigitsNote = "digits read aloud are not detected by this build (build with -tags pocketsphinx)"

// NewDigitSpotter fails: this build has no speech recognizer.
func NewDigitSpotter(Model) (DigitSpotter, error) {
	return nil, errors.New("asr: this build spots no spoken digits (build with -tags pocketsphinx)")
}
