package server

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/media"
)

// recordings gives the API the recorder's files.
type recordings struct{ rec *media.Recorder }

// sectionFile is a file read only as far as a section of it.
type sectionFile struct {
	*io.SectionReader
	io.Closer
}

// OpenRecording implements api.Recordings: the WAV file is cut at what its
// header covers, so a recording still being written reads as a valid file.
func (r recordings) OpenRecording(id string) (io.ReadSeekCloser, time.Time, error) {
	path, _ := r.rec.Paths(id)
	f, err := os.Open(path)
	if err != nil {
		return nil, time.Time{}, err
	}
	info, err := media.ReadWAVInfo(f)
	st, serr := f.Stat()
	if err := errors.Join(err, serr); err != nil {
		f.Close()
		return nil, time.Time{}, fmt.Errorf("read recording %s: %w", path, err)
	}
	size := min(info.DataOffset+info.DataSize, st.Size())
	return sectionFile{io.NewSectionReader(f, 0, size), f}, st.ModTime(), nil
}

// SegmentMap implements api.Recordings.
func (r recordings) SegmentMap(id string) ([]byte, error) {
	_, path := r.rec.Paths(id)
	return os.ReadFile(path)
}

// Transcript implements api.Recordings.
func (r recordings) Transcript(id string) ([]byte, error) {
	return os.ReadFile(r.rec.SidecarPath(id, asr.SidecarName))
}
