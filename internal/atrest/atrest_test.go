package atrest_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"

	"filippo.io/age"

	"github.com/hush-cc/hush/internal/atrest"
)

func keys(t *testing.T) (*atrest.Sealer, *atrest.Opener, string) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	s, err := atrest.NewSealer(id.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "identity.txt")
	if err := os.WriteFile(file, []byte("# test\n"+id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := atrest.LoadOpener(file)
	if err != nil {
		t.Fatal(err)
	}
	return s, o, file
}

func TestDocumentRoundTrip(t *testing.T) {
	s, o, _ := keys(t)
	path := filepath.Join(t.TempDir(), "c1.transcript.json")
	doc := []byte(`{"segments":[{"text":"my card number is"}]}`)
	if err := s.WriteFile(path, doc, true); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("card")) {
		t.Fatal("plaintext on disk")
	}
	if enc, err := atrest.Encrypted(path); !enc || err != nil {
		t.Fatalf("Encrypted = %v, %v", enc, err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	plain, n, err := o.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(io.NewSectionReader(plain, 0, n))
	if !bytes.Equal(got, doc) {
		t.Fatalf("decrypted %q", got)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatal("temporary file left behind")
	}
	if _, err := atrest.NewSealer("age1notakey"); err == nil {
		t.Fatal("bad recipient accepted")
	}
	plainFile := filepath.Join(t.TempDir(), "plain.json")
	_ = os.WriteFile(plainFile, doc, 0o600)
	if enc, _ := atrest.Encrypted(plainFile); enc {
		t.Fatal("plaintext file reported encrypted")
	}
}

// A stream cut short (a crash mid-recording) still gives up its whole
// chunks, then says it is incomplete.
func TestTruncatedStreamYieldsWholeChunks(t *testing.T) {
	s, o, _ := keys(t)
	var buf bytes.Buffer
	w, _ := s.Wrap(&buf)
	data := bytes.Repeat([]byte("0123456789abcdef"), 3*4096+100) // over three 64 KiB chunks
	_, _ = w.Write(data)
	_ = w.Close()
	cut := buf.Bytes()[:buf.Len()-1000]
	r, err := o.Stream(bytes.NewReader(cut))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err == nil || len(got) < 2*65536 || !bytes.Equal(got, data[:len(got)]) {
		t.Fatalf("read %d bytes, err %v", len(got), err)
	}
}

func TestFixWAVSetsSizes(t *testing.T) {
	h := make([]byte, 44+400)
	copy(h, "RIFF\xff\xff\xff\xffWAVEfmt ")
	copy(h[36:], "data\xff\xff\xff\xff")
	fixed, err := io.ReadAll(io.NewSectionReader(atrest.FixWAV(bytes.NewReader(h), int64(len(h))), 0, int64(len(h))))
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(fixed[4:]) != 436 || binary.LittleEndian.Uint32(fixed[40:]) != 400 || !bytes.Equal(fixed[44:], h[44:]) {
		t.Fatalf("header %x", fixed[:44])
	}
}
