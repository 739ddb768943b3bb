package server

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/media"
)

// SpokenDigitsNote says what this build does with digits read aloud.
const SpokenDigitsNote = asr.SpokenDigitsNote

// addSpotter gives d a spotter of digits read aloud when rc asks for one
// and this build and machine have it, and returns what it says of digits
// read aloud: a model that does not load is found at start-up, not on the
// first call. Debian's model missing leaves the keypad detectors on; a
// model named in rc that does not load is an error.
func addSpotter(rc RecorderConfig, d *media.Digits, log *slog.Logger) (string, error) {
	switch {
	case !asr.SpokenDigits:
		return SpokenDigitsNote, nil
	case !rc.SpokenDigits:
		return "digits read aloud are not detected (--detect-spoken-digits is off)", nil
	}
	m := asr.DefaultModel()
	if rc.SpokenDigitModel != "" {
		m.HMM = rc.SpokenDigitModel
	}
	sp, err := asr.NewDigitSpotter(m)
	if err != nil && rc.SpokenDigitModel != "" {
		return "", fmt.Errorf("spoken-digit model: %w", err)
	}
	if err != nil {
		log.Error("digits read aloud are not detected", "err", err)
		return "digits read aloud are not detected: the spotter does not load", nil
	}
	if err := sp.Close(); err != nil {
		log.Warn("close spoken-digit spotter", "err", err)
	}
	d.Spotter = func() (media.Spotter, error) { return asr.NewDigitSpotter(m) }
	p := d.SpokenRuns
	return fmt.Sprintf("digits read aloud on the caller's stream (pocketsphinx, acoustic model %s): %d within %v pause from %v before the first until %v without one",
		m.HMM, p.MinDigits, p.Window, p.Guard, p.Quiet), nil
}

// setPolicy overrides the parts of p that are set.
func setPolicy(p *detect.RunPolicy, run int, window, guard, quiet time.Duration) {
	if run > 0 {
		p.MinDigits = run
	}
	for _, set := range []struct {
		dst *time.Duration
		v   time.Duration
	}{{&p.Window, window}, {&p.Guard, guard}, {&p.Quiet, quiet}} {
		if set.v > 0 {
			*set.dst = set.v
		}
	}
}
