package corpus

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
)

// Espeak speaks with espeak-ng and brings the speech to Rate with sox,
// both from Debian's packages.
type Espeak struct {
	Ctx context.Context
	// Dir holds the intermediate files.
	Dir string
	n   int
}

// Say implements Speaker.
func (e *Espeak) Say(text, voice string, speed int) ([]int16, error) {
	e.n++
	wav := filepath.Join(e.Dir, fmt.Sprintf("say-%d.wav", e.n))
	raw := filepath.Join(e.Dir, fmt.Sprintf("say-%d.raw", e.n))
	defer os.Remove(wav)
	defer os.Remove(raw)
	if out, err := exec.CommandContext(e.Ctx, "espeak-ng", "-v", voice, "-s", strconv.Itoa(speed), "-w", wav, text).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("espeak-ng: %v: %s", err, out)
	}
	// -R seeds sox's dither with a fixed number: without it the same
	// seed built calls that differed in their last bit, and the
	// spotter's decoder, which those bits can tip, scored them apart.
	if out, err := exec.CommandContext(e.Ctx, "sox", "-R", wav, "-r", strconv.Itoa(Rate), "-c", "1", "-b", "16",
		"-e", "signed-integer", "-L", "-t", "raw", raw).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sox: %v: %s", err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		return nil, err
	}
	return decodePCM(b), nil
}
