package integrity_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

func TestSealThenVerifyFindsEditsAndLoss(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	wav := filepath.Join(dir, "c1.wav")
	if err := os.WriteFile(wav, []byte("RIFF....WAVEfmt original audio"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := integrity.Verify(ctx, st, dir, "c1", integrity.Recording)
	if err != nil || r.Status != integrity.Unsealed {
		t.Fatalf("before sealing: %+v, %v", r, err)
	}
	s, err := integrity.SealFile(ctx, st, "c1", integrity.Recording, wav, time.Now())
	if err != nil || s.File != "c1.wav" || len(s.SHA256) != 64 {
		t.Fatalf("seal %+v, %v", s, err)
	}
	if r, err = integrity.Verify(ctx, st, dir, "c1", integrity.Recording); err != nil || r.Status != integrity.Intact || r.SealedSeq != 1 {
		t.Fatalf("intact: %+v, %v", r, err)
	}
	// One byte changed, same size.
	if err := os.WriteFile(wav, []byte("RIFF....WAVEfmt originaL audio"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r, err = integrity.Verify(ctx, st, dir, "c1", integrity.Recording); err != nil || r.Status != integrity.Modified || r.OnDiskHash == r.Sealed.SHA256 {
		t.Fatalf("edited: %+v, %v", r, err)
	}
	if err := os.Remove(wav); err != nil {
		t.Fatal(err)
	}
	if r, err = integrity.Verify(ctx, st, dir, "c1", integrity.Recording); err != nil || r.Status != integrity.Missing {
		t.Fatalf("deleted: %+v, %v", r, err)
	}
	if r, err = integrity.Verify(ctx, st, dir, "c1", integrity.Transcript); err != nil || r.Status != integrity.Unsealed {
		t.Fatalf("transcript: %+v, %v", r, err)
	}
	if err := st.VerifyAudit(ctx); err != nil {
		t.Fatal(err)
	}
}
