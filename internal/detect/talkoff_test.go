package detect

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// speech renders text with espeak-ng at 8 kHz, as a caller's stream would
// carry it.
func speech(t *testing.T, voice, text string) []int16 {
	t.Helper()
	dir := t.TempDir()
	wav, raw := filepath.Join(dir, "s.wav"), filepath.Join(dir, "s.raw")
	if out, err := exec.Command("espeak-ng", "-v", voice, "-w", wav, text).CombinedOutput(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, out)
	}
	if out, err := exec.Command("sox", wav, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", "-t", "raw", raw).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v: %s", err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

// Talk-off: speech, digits read aloud among it, is never taken for tones.
func TestDTMFSpeechIsNotADigit(t *testing.T) {
	texts := []string{
		"Hello, thank you for calling. Can I take your card number please?",
		"Sure, it is four one one one, one one one one, one one one one, one one one one.",
		"The expiry date is the twelfth of March, and the code on the back is seven three nine.",
	}
	for _, voice := range []string{"en-us", "en-gb", "en-us+f3"} {
		for _, text := range texts {
			pcm := speech(t, voice, text)
			if acc, _ := feedAll(NewDTMF(DefaultDTMF()), pcm, 160); len(acc) > 0 {
				t.Errorf("%s %q: heard tones %q", voice, text, symbols(acc))
			}
		}
	}
}
