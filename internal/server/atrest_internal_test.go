package server

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"

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
	path := filepath.Join(dir, "c1.wav")
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
	a := &assembly{log: slog.New(slog.DiscardHandler)}

	rr := httptest.NewRecorder()
	if !(recordingHandlers{a: a, opener: opener}).serveEncrypted(rr, httptest.NewRequest("GET", "/", nil), path, "c1.wav", true) {
		t.Fatal("an encrypted file was not recognised")
	}
	body := rr.Body.Bytes()
	info, err := media.ReadWAVInfo(bytes.NewReader(body))
	if rr.Code != 200 || rr.Header().Get("Content-Type") != "audio/wav" || err != nil || info.DataSize != 3200 || len(body) != 3244 {
		t.Fatalf("with identity: %d %q %+v %v (%d bytes)", rr.Code, rr.Header().Get("Content-Type"), info, err, len(body))
	}

	rr = httptest.NewRecorder()
	(recordingHandlers{a: a}).serveEncrypted(rr, httptest.NewRequest("GET", "/", nil), path, "c1.wav", true)
	raw, _ := os.ReadFile(path)
	if rr.Code != 200 || rr.Header().Get("X-Hush-Encrypted") != "age" || rr.Body.String() != string(raw) {
		t.Fatalf("without identity: %d %v", rr.Code, rr.Header())
	}

	plain := filepath.Join(dir, "c2.wav")
	_ = os.WriteFile(plain, []byte("RIFF"), 0o600)
	if (recordingHandlers{a: a, opener: opener}).serveEncrypted(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), plain, "c2.wav", true) {
		t.Fatal("a plaintext file was taken for encrypted")
	}
}
