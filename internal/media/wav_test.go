package media

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWAVWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.wav")
	w, err := CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteStereo([]int16{1, -2, 32767}, []int16{-32768, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSilence(2); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteStereo([]int16{1}, []int16{}); err == nil {
		t.Fatal("unequal channels accepted")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := append(wavHeader(20),
		1, 0, 0, 0x80,
		0xfe, 0xff, 5, 0,
		0xff, 0x7f, 6, 0,
		0, 0, 0, 0,
		0, 0, 0, 0)
	if !bytes.Equal(b, want) {
		t.Fatalf("file = % x\nwant % x", b, want)
	}
	// The canonical header, byte for byte: RIFF size 56, PCM, 2 channels,
	// 8000 Hz, 32000 bytes/s, block 4, 16 bits, data 20.
	head := []byte("RIFF\x38\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00\x40\x1f\x00\x00\x00\x7d\x00\x00\x04\x00\x10\x00data\x14\x00\x00\x00")
	if !bytes.Equal(b[:wavHeaderSize], head) {
		t.Fatalf("header = % x", b[:wavHeaderSize])
	}
	if _, err := CreateWAV(path); err == nil {
		t.Fatal("CreateWAV overwrote an existing file")
	}
}

func TestReadWAVInfoRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		[]byte("RIFF\x00\x00\x00\x00WAVE"),
		[]byte("RIFX\x00\x00\x00\x00WAVEfmt "),
		append([]byte("RIFF\x00\x00\x00\x00WAVEdata"), 0, 0, 0, 0),
	} {
		if _, err := ReadWAVInfo(bytes.NewReader(b)); err == nil {
			t.Fatalf("%q parsed", b)
		}
	}
}

func TestDecode(t *testing.T) {
	dst := make([]int16, 4)
	if n := Decode(CodecPCMU, []byte{0xff, 0x7f, 0x00, 0x80}, dst); n != 4 || dst[0] != 0 || dst[1] != 0 || dst[2] != -32124 || dst[3] != 32124 {
		t.Fatalf("PCMU = %d %v", n, dst)
	}
	if n := Decode(CodecPCMA, []byte{0xd5, 0x55, 0x2a, 0xaa}, dst); n != 4 || dst[0] != 8 || dst[1] != -8 || dst[2] != -32256 || dst[3] != 32256 {
		t.Fatalf("PCMA = %d %v", n, dst)
	}
	if n := Decode(CodecNone, []byte{1, 2}, dst); n != 0 {
		t.Fatalf("telephone-event decoded to %d samples", n)
	}
	if n := Decode(CodecPCMU, make([]byte, 10), dst); n != 4 {
		t.Fatalf("decoded %d samples into a buffer of 4", n)
	}
}
