package asr

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// spotRate is the sample rate the spotter feeds its decoder: the line's
// 8 kHz audio upsampled.
const spotRate = 16000

// spotFeatParams returns the front-end parameters of the acoustic model
// in dir (its feat.params) for audio at spotRate.
//
// pocketsphinx takes a model's feat.params over the command line, so a
// model made for 8 kHz audio that says "-samprate 8000" there would read
// the spotter's 16 kHz audio at half speed. Its mel filters lie below
// 4 kHz, and at 16 kHz with twice the FFT points they measure the same
// bands, so the rate and FFT size are replaced and the rest kept. A model
// whose filters reach above 8 kHz cannot hear the line's audio at all.
func spotFeatParams(dir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, "feat.params"))
	if errors.Is(err, fs.ErrNotExist) {
		b, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("asr: acoustic model %s: %w", dir, err)
	}
	f := strings.Fields(string(b))
	if len(f)%2 != 0 {
		return nil, fmt.Errorf("asr: acoustic model %s: feat.params: %q has no value", dir, f[len(f)-1])
	}
	var out strings.Builder
	for i := 0; i < len(f); i += 2 {
		name, value := f[i], f[i+1]
		switch name {
		case "-samprate", "-nfft":
			continue
		case "-upperf":
			hz, err := strconv.ParseFloat(value, 64)
			if err != nil {
				return nil, fmt.Errorf("asr: acoustic model %s: feat.params: -upperf %q: %w", dir, value, err)
			}
			if hz > spotRate/2 {
				return nil, fmt.Errorf("asr: acoustic model %s hears up to %g Hz; the spotter's audio stops at %d Hz", dir, hz, spotRate/2)
			}
		}
		fmt.Fprintf(&out, "%s %s\n", name, value)
	}
	fmt.Fprintf(&out, "-samprate %d\n-nfft 512\n", spotRate)
	return []byte(out.String()), nil
}
