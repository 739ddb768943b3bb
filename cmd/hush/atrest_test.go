package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/hush-cc/hush/internal/atrest"
	"github.com/hush-cc/hush/internal/media"
)

// hush recording decrypt opens an encrypted recording with the identity and
// writes a WAV whose header gives its real sizes.
func TestRecordingDecrypt(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	idFile := filepath.Join(dir, "id.txt")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sealer, _ := atrest.NewSealer(id.Recipient().String())
	enc := filepath.Join(dir, "c1.wav")
	w, err := media.CreateEncryptedWAV(enc, sealer.Wrap)
	if err != nil {
		t.Fatal(err)
	}
	left, right := make([]int16, 8000), make([]int16, 8000)
	for i := range left {
		left[i], right[i] = int16(i), int16(-i)
	}
	if err := w.WriteStereo(left, right); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "plain.wav")
	code, stdout, errs := runCLI(t, "recording", "decrypt", enc, "--identity", idFile, "--out", out)
	if code != 0 || !strings.Contains(stdout, "decrypted 32044 bytes") {
		t.Fatalf("exit %d: %s %s", code, stdout, errs)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := media.ReadWAVInfo(f)
	if err != nil || info.DataSize != 32000 || info.RIFFSize != 32036 || info.Channels != 2 {
		t.Fatalf("decrypted WAV %+v, %v", info, err)
	}
	other, _ := age.GenerateX25519Identity()
	otherFile := filepath.Join(dir, "other.txt")
	_ = os.WriteFile(otherFile, []byte(other.String()+"\n"), 0o600)
	if code, _, _ := runCLI(t, "recording", "decrypt", enc, "--identity", otherFile); code != 1 {
		t.Fatalf("another identity: exit %d, want 1", code)
	}
}
