package media

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/hush-cc/hush/internal/atrest"
)

// With Encrypt, the WAV file holds only age ciphertext, during the call and
// after; decrypted with the identity it is the recording, whole.
func TestEncryptedRecordingNeverHoldsPlaintext(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := atrest.NewSealer(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(t.TempDir(), "id.txt")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opener, err := atrest.LoadOpener(idFile)
	if err != nil {
		t.Fatal(err)
	}
	s := newSim(t, Config{Encrypt: sealer.Wrap, CheckpointEvery: 100 * time.Millisecond})
	wav, _ := s.rec.Paths("conv-1")
	s.run(2*time.Second, nil)
	mid, err := os.ReadFile(wav)
	if err != nil || !bytes.HasPrefix(mid, []byte("age-encryption.org/v1\n")) || bytes.Contains(mid, []byte("RIFF")) {
		t.Fatalf("during the call the file holds %d bytes starting %q (%v)", len(mid), mid[:min(len(mid), 24)], err)
	}
	s.run(3*time.Second, nil)
	s.stop()
	f, err := os.Open(wav)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plain, n, err := opener.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, n)
	if _, err := plain.ReadAt(raw, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	cipher, _ := os.ReadFile(wav)
	for off := int64(wavHeaderSize); off+64 <= n; off += 4096 {
		if bytes.Contains(cipher, raw[off:off+64]) {
			t.Fatalf("plaintext audio at %d found in the file", off)
		}
	}
	info, err := ReadWAVInfo(atrest.FixWAV(plain, n))
	if err != nil || info.DataSize != 3*SampleRate*wavBlockAlign || n != wavHeaderSize+info.DataSize {
		t.Fatalf("decrypted WAV %+v (%d bytes), %v", info, n, err)
	}
	if m := s.segments(); !m.Complete || m.WAVSamples != 3*SampleRate {
		t.Fatalf("segment map %+v", m)
	}
}
