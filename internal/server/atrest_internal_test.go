package server

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/media"
)

// An encrypted recording is served decrypted, with exact sizes, when hush
// has the identity, and as ciphertext, marked, when it has not.
func TestEncryptedRecordingIsServedByIdentity(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	idFile := filepath.Join(dir, "id.txt")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sealer, opener, err := AtRestConfig{Recipient: id.Recipient().String(), IdentityFile: idFile}.load()
	if err != nil {
		t.Fatal(err)
	}
	names, err := media.NewRecorder(media.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	path, _ := names.Paths("c1")
	w, err := media.CreateEncryptedWAV(path, sealer.Wrap)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSilence(800); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	f, _, err := (recordings{rec: names, opener: opener}).OpenRecording("c1")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(f)
	f.Close()
	info, ierr := media.ReadWAVInfo(bytes.NewReader(body))
	if err != nil || ierr != nil || info.DataSize != 3200 || len(body) != 3244 {
		t.Fatalf("with identity: %+v %v %v (%d bytes)", info, err, ierr, len(body))
	}

	f, _, err = (recordings{rec: names}).OpenRecording("c1")
	if err != nil {
		t.Fatal(err)
	}
	sealed, ok := f.(*api.Sealed)
	if !ok {
		t.Fatalf("without identity: %T, want the file sealed", f)
	}
	got, _ := io.ReadAll(sealed)
	sealed.Close()
	raw, _ := os.ReadFile(path)
	if !bytes.Equal(got, raw) {
		t.Fatal("without identity: not the ciphertext as stored")
	}

	plain, _ := names.Paths("c2")
	_ = os.WriteFile(plain, []byte("RIFF"), 0o600)
	if f, _, err := (recordings{rec: names, opener: opener}).OpenRecording("c2"); err == nil {
		if _, ok := f.(*api.Sealed); ok {
			t.Fatal("a plaintext file was taken for encrypted")
		}
		f.Close()
	}
}
