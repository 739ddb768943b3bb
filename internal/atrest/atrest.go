// Package atrest encrypts recording files as they are written, to an age
// X25519 recipient, and decrypts them for those who hold the identity.
// Nothing but ciphertext reaches the disk: audio streams through age's
// STREAM encryption in 64 KiB chunks, and documents are encrypted in memory
// before they are written.
package atrest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"filippo.io/age"
)

// magic starts every age file.
const magic = "age-encryption.org/v1\n"

// Encrypted reports whether the file at path is age-encrypted.
func Encrypted(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	var b [len(magic)]byte
	n, err := io.ReadFull(f, b[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	return string(b[:n]) == magic, nil
}

// Sealer encrypts to one recipient.
type Sealer struct{ r age.Recipient }

// NewSealer parses an age X25519 public key ("age1…").
func NewSealer(recipient string) (*Sealer, error) {
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		return nil, fmt.Errorf("recording recipient: %w", err)
	}
	return &Sealer{r: r}, nil
}

// Wrap returns a writer that encrypts what is written to it into w; Close
// ends the stream (it does not close w).
func (s *Sealer) Wrap(w io.Writer) (io.WriteCloser, error) {
	enc, err := age.Encrypt(w, s.r)
	if err != nil {
		return nil, fmt.Errorf("encrypt: %w", err)
	}
	return enc, nil
}

// WriteFile replaces path with data encrypted, atomically: the ciphertext
// goes to a temporary file that is renamed over path.
func (s *Sealer) WriteFile(path string, data []byte, sync bool) error {
	var buf bytes.Buffer
	enc, err := s.Wrap(&buf)
	if err != nil {
		return err
	}
	if _, err := enc.Write(data); err != nil {
		return fmt.Errorf("encrypt %s: %w", filepath.Base(path), err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encrypt %s: %w", filepath.Base(path), err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	_, err = f.Write(buf.Bytes())
	if err == nil && sync {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}

// Opener decrypts with the identities of an age identity file.
type Opener struct{ ids []age.Identity }

// LoadOpener reads an age identity file ("AGE-SECRET-KEY-1…" lines).
func LoadOpener(path string) (*Opener, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("recording identity: %w", err)
	}
	defer f.Close()
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, fmt.Errorf("recording identity %s: %w", path, err)
	}
	return &Opener{ids: ids}, nil
}

// Open decrypts an encrypted file for random access, returning its
// plaintext and the plaintext's size. It fails if the file was cut short
// (a recording interrupted by a crash): use Stream to read what is there.
func (o *Opener) Open(f *os.File) (io.ReaderAt, int64, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	r, n, err := age.DecryptReaderAt(f, st.Size(), o.ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("decrypt: %w", err)
	}
	return r, n, nil
}

// Stream decrypts src in order. A stream cut short yields everything up
// to the last whole chunk, then an error.
func (o *Opener) Stream(src io.Reader) (io.Reader, error) {
	r, err := age.Decrypt(src, o.ids...)
	if err != nil {
		return nil, fmt.Errorf("decrypt: %w", err)
	}
	return r, nil
}

// FixWAV returns plain (a WAV file of size n whose header may give
// streaming sizes, as an encrypted recording's does) with its RIFF and
// data sizes set to what the file holds, for players that need them.
func FixWAV(plain io.ReaderAt, n int64) io.ReaderAt {
	const headerSize = 44
	if n < headerSize {
		return plain
	}
	var h [headerSize]byte
	if _, err := plain.ReadAt(h[:], 0); err != nil || string(h[36:40]) != "data" {
		return plain
	}
	binary.LittleEndian.PutUint32(h[4:], uint32(n-8))
	binary.LittleEndian.PutUint32(h[40:], uint32(n-headerSize))
	return overlay{head: h[:], rest: plain}
}

// overlay reads head over the start of rest.
type overlay struct {
	head []byte
	rest io.ReaderAt
}

func (o overlay) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	if off < int64(len(o.head)) {
		n = copy(p, o.head[off:])
		if n == len(p) {
			return n, nil
		}
	}
	m, err := o.rest.ReadAt(p[n:], off+int64(n))
	return n + m, err
}
