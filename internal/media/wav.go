package media

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
)

// WAV layout: a canonical 44-byte header (RIFF, fmt, data) followed by
// interleaved little-endian 16-bit samples.
const (
	wavHeaderSize = 44
	wavChannels   = 2
	wavBits       = 16
	wavBlockAlign = wavChannels * wavBits / 8
	// wavMaxData keeps the RIFF size within 32 bits (about 37 hours).
	wavMaxData = math.MaxUint32 - wavHeaderSize
)

// ErrWAVFull is returned when a recording would outgrow the WAV format.
var ErrWAVFull = errors.New("wav: recording exceeds 4 GiB")

// WAVWriter writes a stereo 8 kHz 16-bit WAV file whose header stays valid
// while it grows: Checkpoint rewrites the sizes, so a crash leaves a
// playable file holding everything up to the last checkpoint.
type WAVWriter struct {
	f   *os.File
	enc io.WriteCloser // set when the file is encrypted (CreateEncryptedWAV)
	out io.Writer      // f or enc
	w   *bufio.Writer  // nil while given back to pool
	// pool, if set, lends w only until the next flush: a recorder's
	// calls share a few buffers instead of holding one each.
	pool   *sync.Pool
	frames int64 // sample frames written
	buf    [FrameSamples * wavBlockAlign]byte
}

// newWAVBuffers returns a pool of write buffers for WAVWriter.pool.
func newWAVBuffers() *sync.Pool {
	return &sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 8192) }}
}

// CreateWAV creates path, which must not exist, and writes an empty header.
func CreateWAV(path string) (*WAVWriter, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, fmt.Errorf("create wav: %w", err)
	}
	w := &WAVWriter{f: f, out: f, w: bufio.NewWriterSize(f, 8192)}
	if _, err := f.Write(wavHeader(0)); err != nil {
		f.Close()
		return nil, fmt.Errorf("create wav: %w", err)
	}
	return w, nil
}

// Frames returns the sample frames written so far.
func (w *WAVWriter) Frames() int64 { return w.frames }

// WriteStereo appends one sample frame per index of left and right, which
// must have the same length.
func (w *WAVWriter) WriteStereo(left, right []int16) error {
	if len(left) != len(right) {
		return fmt.Errorf("wav: channel lengths differ (%d, %d)", len(left), len(right))
	}
	for len(left) > 0 {
		n := min(len(left), FrameSamples)
		b := w.buf[:n*wavBlockAlign]
		for i := range n {
			binary.LittleEndian.PutUint16(b[i*4:], uint16(left[i]))
			binary.LittleEndian.PutUint16(b[i*4+2:], uint16(right[i]))
		}
		if err := w.write(b, n); err != nil {
			return err
		}
		left, right = left[n:], right[n:]
	}
	return nil
}

// WriteSilence appends n sample frames of digital zero.
func (w *WAVWriter) WriteSilence(n int64) error {
	clear(w.buf[:])
	for n > 0 {
		k := min(n, FrameSamples)
		if err := w.write(w.buf[:k*wavBlockAlign], int(k)); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func (w *WAVWriter) write(b []byte, frames int) error {
	if (w.frames+int64(frames))*wavBlockAlign > wavMaxData {
		return ErrWAVFull
	}
	if w.w == nil {
		w.w = w.pool.Get().(*bufio.Writer)
		w.w.Reset(w.out)
	}
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	w.frames += int64(frames)
	return nil
}

// flush writes out the buffered samples and, when the writer borrows its
// buffer, gives it back.
func (w *WAVWriter) flush() error {
	if w.w == nil {
		return nil
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("write wav: %w", err)
	}
	if w.pool != nil {
		w.w.Reset(nil)
		w.pool.Put(w.w)
		w.w = nil
	}
	return nil
}

// Checkpoint flushes buffered samples and rewrites the header sizes to
// cover them.
func (w *WAVWriter) Checkpoint() error {
	if err := w.flush(); err != nil {
		return err
	}
	if w.enc != nil {
		return nil
	}
	if _, err := w.f.WriteAt(wavHeader(w.frames*wavBlockAlign), 0); err != nil {
		return fmt.Errorf("write wav header: %w", err)
	}
	return nil
}

// Close fixes the header, syncs the file to disk and closes it.
func (w *WAVWriter) Close() error {
	err := w.Checkpoint()
	if err == nil && w.enc != nil {
		err = w.enc.Close()
	}
	if err == nil {
		if serr := w.f.Sync(); serr != nil {
			err = fmt.Errorf("sync wav: %w", serr)
		}
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close wav: %w", cerr)
	}
	return err
}

func wavHeader(dataSize int64) []byte {
	h := make([]byte, wavHeaderSize)
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], uint32(36+dataSize))
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16) // fmt chunk size
	le.PutUint16(h[20:], 1)  // PCM
	le.PutUint16(h[22:], wavChannels)
	le.PutUint32(h[24:], SampleRate)
	le.PutUint32(h[28:], SampleRate*wavBlockAlign)
	le.PutUint16(h[32:], wavBlockAlign)
	le.PutUint16(h[34:], wavBits)
	copy(h[36:], "data")
	le.PutUint32(h[40:], uint32(dataSize))
	return h
}

// WAVInfo describes a WAV file's format and where its samples are.
type WAVInfo struct {
	Channels   int
	SampleRate int
	Bits       int
	RIFFSize   int64 // as the header says
	DataOffset int64
	DataSize   int64 // as the header says
}

// ReadWAVInfo parses the header of a PCM WAV file, walking its chunks so
// that files from other writers parse too.
func ReadWAVInfo(r io.ReaderAt) (WAVInfo, error) {
	var info WAVInfo
	var head [12]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return info, fmt.Errorf("wav: read header: %w", err)
	}
	if string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return info, errors.New("wav: not a RIFF/WAVE file")
	}
	info.RIFFSize = int64(binary.LittleEndian.Uint32(head[4:]))
	off := int64(12)
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := r.ReadAt(ch[:], off); err != nil {
			return info, fmt.Errorf("wav: no data chunk: %w", err)
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[0:4]) {
		case "fmt ":
			var f [16]byte
			if size < 16 {
				return info, errors.New("wav: short fmt chunk")
			}
			if _, err := r.ReadAt(f[:], off+8); err != nil {
				return info, fmt.Errorf("wav: read fmt: %w", err)
			}
			if binary.LittleEndian.Uint16(f[0:]) != 1 {
				return info, errors.New("wav: not PCM")
			}
			info.Channels = int(binary.LittleEndian.Uint16(f[2:]))
			info.SampleRate = int(binary.LittleEndian.Uint32(f[4:]))
			info.Bits = int(binary.LittleEndian.Uint16(f[14:]))
			haveFmt = true
		case "data":
			if !haveFmt {
				return info, errors.New("wav: data before fmt")
			}
			info.DataOffset, info.DataSize = off+8, size
			return info, nil
		}
		off += 8 + size + size%2
	}
}
