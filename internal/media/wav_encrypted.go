package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// CreateEncryptedWAV creates path, which must not exist, and writes a WAV
// stream into it through wrap (an encrypting writer): no sample reaches the
// disk in the clear. An encrypted stream cannot be rewritten in place, so
// its header gives the streaming sizes (all ones) and Checkpoint only
// pushes buffered samples on; readers that need exact sizes take them from
// the decrypted length.
func CreateEncryptedWAV(path string, wrap func(io.Writer) (io.WriteCloser, error)) (*WAVWriter, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create wav: %w", err)
	}
	enc, err := wrap(f)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("create wav: %w", err), f.Close(), os.Remove(path))
	}
	w := &WAVWriter{f: f, enc: enc, out: enc, w: bufio.NewWriterSize(enc, 8192)}
	h := wavHeader(0)
	binary.LittleEndian.PutUint32(h[4:], math.MaxUint32)
	binary.LittleEndian.PutUint32(h[40:], math.MaxUint32)
	if _, err := w.w.Write(h); err != nil {
		return nil, errors.Join(fmt.Errorf("create wav: %w", err), f.Close())
	}
	return w, nil
}
