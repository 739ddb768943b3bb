package api

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"time"
)

// Recordings are the built-in recorder's documents, as the API serves them.
// Each method returns an error matching fs.ErrNotExist when the
// conversation has no such document.
type Recordings interface {
	// OpenRecording opens a conversation's WAV recording as far as its
	// header covers (while the call runs: up to the last checkpoint, a
	// valid file either way) and says when it last changed.
	OpenRecording(id string) (io.ReadSeekCloser, time.Time, error)
	// SegmentMap returns the recording's segment map, a JSON document.
	SegmentMap(id string) ([]byte, error)
	// Transcript returns the transcript, a JSON document.
	Transcript(id string) ([]byte, error)
}

// Sealed is what Recordings return for a file kept encrypted when hush was
// given no identity to open it: the API serves the ciphertext as it is,
// for `hush recording decrypt`.
type Sealed struct {
	io.ReadSeekCloser
	ModTime time.Time
}

// Error makes a Sealed document returnable where a document's bytes are.
func (s *Sealed) Error() string { return "the file is encrypted" }

// serveSealed serves an encrypted file as it is.
func serveSealed(w http.ResponseWriter, r *http.Request, f *Sealed, name string) {
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Hush-Encrypted", "age")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.age"`)
	http.ServeContent(w, r, name+".age", f.ModTime, f)
}

// recordingRoutes serve a conversation's recording, segment map and
// transcript to whoever may see the conversation.
func (s *Server) recordingRoutes() []Route {
	if s.cfg.Recordings == nil {
		return nil
	}
	return []Route{
		{Method: "GET", Path: "/v1/conversations/{id}/recording.wav", Roles: readers, Binary: true,
			Summary: "The recording: stereo WAV, caller left, agent right, 8 kHz 16-bit", Handler: s.recordingWAV},
		{Method: "GET", Path: "/v1/conversations/{id}/recording/segments", Roles: readers,
			Summary: "The recording's segment map: every recorded and paused span with its reasons", Response: "SegmentMap", Handler: s.recordingSegments},
		{Method: "GET", Path: "/v1/conversations/{id}/transcript", Roles: readers,
			Summary: "The transcript: segments on the conversation timeline", Response: "Transcript", Handler: s.transcript},
	}
}

// accessRecording checks the caller may see the conversation (answering
// if not) and returns its id.
func (s *Server) accessRecording(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if _, _, ok := s.Access(w, r, id); !ok {
		return "", false
	}
	return id, true
}

func (s *Server) recordingWAV(w http.ResponseWriter, r *http.Request) {
	id, ok := s.accessRecording(w, r)
	if !ok {
		return
	}
	f, mod, err := s.cfg.Recordings.OpenRecording(id)
	if errors.Is(err, fs.ErrNotExist) {
		WriteError(w, http.StatusNotFound, "not_found", "the conversation has no recording")
		return
	}
	if err != nil {
		s.cfg.Logger.Error("read recording", "conversation", id, "err", err)
		WriteError(w, http.StatusInternalServerError, "internal", "the recording is unreadable")
		return
	}
	if sealed, ok := f.(*Sealed); ok {
		serveSealed(w, r, sealed, id+".wav")
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, id+".wav", mod, f)
}

func (s *Server) recordingSegments(w http.ResponseWriter, r *http.Request) {
	id, ok := s.accessRecording(w, r)
	if !ok {
		return
	}
	b, err := s.cfg.Recordings.SegmentMap(id)
	s.serveDocument(w, r, b, err, "the conversation has no recording")
}

func (s *Server) transcript(w http.ResponseWriter, r *http.Request) {
	id, ok := s.accessRecording(w, r)
	if !ok {
		return
	}
	b, err := s.cfg.Recordings.Transcript(id)
	var sealed *Sealed
	if errors.As(err, &sealed) {
		serveSealed(w, r, sealed, id+".transcript.json")
		return
	}
	s.serveDocument(w, r, b, err, "the conversation has no transcript")
}

// serveDocument serves a document the recorder wrote. Documents are
// replaced atomically, so a read never sees half of one.
func (s *Server) serveDocument(w http.ResponseWriter, r *http.Request, b []byte, err error, missing string) {
	if err != nil {
		recordingMissing(w, err, missing)
		return
	}
	if !json.Valid(b) {
		WriteError(w, http.StatusInternalServerError, "internal", "the document is unreadable")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func recordingMissing(w http.ResponseWriter, err error, msg string) {
	if errors.Is(err, fs.ErrNotExist) {
		WriteError(w, http.StatusNotFound, "not_found", msg)
		return
	}
	WriteError(w, http.StatusInternalServerError, "internal", "the document is unreadable")
}
