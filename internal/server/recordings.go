package server

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/atrest"
	"github.com/hush-cc/hush/internal/media"
)

// recordings gives the API the recorder's files. Files kept encrypted are
// decrypted when hush holds the identity (opener), else handed over sealed.
type recordings struct {
	rec    *media.Recorder
	opener *atrest.Opener
}

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
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, time.Time{}, fmt.Errorf("read recording %s: %w", path, err)
	}
	if enc, err := atrest.Encrypted(path); err == nil && enc {
		return r.openSealed(f, st.ModTime(), true)
	}
	info, err := media.ReadWAVInfo(f)
	if err != nil {
		f.Close()
		return nil, time.Time{}, fmt.Errorf("read recording %s: %w", path, err)
	}
	size := min(info.DataOffset+info.DataSize, st.Size())
	return sectionFile{io.NewSectionReader(f, 0, size), f}, st.ModTime(), nil
}

// openSealed decrypts an encrypted file when hush holds the identity, or
// hands it over sealed.
func (r recordings) openSealed(f *os.File, mod time.Time, wav bool) (io.ReadSeekCloser, time.Time, error) {
	if r.opener == nil {
		return &api.Sealed{ReadSeekCloser: f, ModTime: mod}, mod, nil
	}
	plain, n, err := r.opener.Open(f)
	if err != nil {
		f.Close()
		return nil, time.Time{}, fmt.Errorf("decrypt %s (incomplete, or another identity): %w", f.Name(), err)
	}
	if wav {
		plain = atrest.FixWAV(plain, n)
	}
	return sectionFile{io.NewSectionReader(plain, 0, n), f}, mod, nil
}

// SegmentMap implements api.Recordings; segment maps hold no audio and are
// never encrypted.
func (r recordings) SegmentMap(id string) ([]byte, error) {
	return r.rec.SegmentMapJSON(id)
}

// Transcript implements api.Recordings.
func (r recordings) Transcript(id string) ([]byte, error) {
	path := r.rec.SidecarPath(id, asr.SidecarName)
	if enc, err := atrest.Encrypted(path); err != nil || !enc {
		return asr.TranscriptJSON(path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	doc, _, err := r.openSealed(f, st.ModTime(), false)
	if err != nil {
		return nil, err
	}
	if sealed, ok := doc.(*api.Sealed); ok {
		return nil, sealed
	}
	defer doc.Close()
	return io.ReadAll(doc)
}
