package asr_test

import (
	"encoding/binary"
	"os"
	"testing"

	"github.com/hush-cc/hush/internal/media"
)

// readLeft returns the left channel of a recorder's WAV file.
func readLeft(t *testing.T, path string) []int16 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := media.ReadWAVInfo(f)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, info.DataSize)
	if _, err := f.ReadAt(b, info.DataOffset); err != nil {
		t.Fatal(err)
	}
	out := make([]int16, len(b)/4)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[4*i:]))
	}
	return out
}
