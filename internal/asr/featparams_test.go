package asr

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFeatParams(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "feat.params"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A model made for 8 kHz audio is told the spotter's rate, and keeps the
// rest of its front end.
func TestSpotFeatParamsSetsTheRate(t *testing.T) {
	dir := writeFeatParams(t, "-lowerf 130\n-upperf 3700\n-nfilt 20\n-samprate 8000\n-nfft 256\n-cmn current\n-cmninit 40,3,-1\n")
	b, err := spotFeatParams(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := "-lowerf 130\n-upperf 3700\n-nfilt 20\n-cmn current\n-cmninit 40,3,-1\n-samprate 16000\n-nfft 512\n"
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
}

// A model without feat.params runs on pocketsphinx's defaults, at the
// spotter's rate.
func TestSpotFeatParamsWithoutFile(t *testing.T) {
	b, err := spotFeatParams(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "-samprate 16000\n-nfft 512\n" {
		t.Errorf("got %q", b)
	}
}

// Models that cannot hear the line's audio, and malformed files, are
// refused with the model named.
func TestSpotFeatParamsRefuses(t *testing.T) {
	for _, text := range []string{
		"-upperf 11025\n",
		"-upperf wide\n",
		"-lowerf 130\n-upperf\n",
	} {
		dir := writeFeatParams(t, text)
		_, err := spotFeatParams(dir)
		if err == nil || !strings.Contains(err.Error(), dir) {
			t.Errorf("%q: got %v", text, err)
		}
	}
}
