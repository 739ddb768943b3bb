package server

import (
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/atrest"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/media"
)

// recordingRoutes serve a conversation's recording, segment map and
// transcript to whoever may see the conversation.
func recordingRoutes(a *assembly, rec *media.Recorder, opener *atrest.Opener) []api.Route {
	readers := []auth.Role{auth.Admin, auth.Supervisor, auth.Agent}
	h := recordingHandlers{a: a, rec: rec, opener: opener}
	return []api.Route{
		{Method: "GET", Path: "/v1/conversations/{id}/recording.wav", Roles: readers, Binary: true,
			Summary: "The recording: stereo WAV, caller left, agent right, 8 kHz 16-bit", Handler: h.wav},
		{Method: "GET", Path: "/v1/conversations/{id}/recording/segments", Roles: readers,
			Summary: "The recording's segment map: every recorded and paused span with its reasons", Response: "SegmentMap", Handler: h.segments},
		{Method: "GET", Path: "/v1/conversations/{id}/transcript", Roles: readers,
			Summary: "The transcript: segments on the conversation timeline", Response: "Transcript", Handler: h.transcript},
	}
}

type recordingHandlers struct {
	a   *assembly
	rec *media.Recorder
	// opener decrypts encrypted files; nil serves them encrypted.
	opener *atrest.Opener
}

// access checks the caller may see the conversation (answering if not)
// and returns its id.
func (h recordingHandlers) access(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := r.PathValue("id")
	if _, _, ok := h.a.api.Access(w, r, id); !ok {
		return "", false
	}
	return id, true
}

// wav serves the recording as far as its header says: while the call runs
// that is everything up to the last checkpoint, a valid file either way.
func (h recordingHandlers) wav(w http.ResponseWriter, r *http.Request) {
	id, ok := h.access(w, r)
	if !ok {
		return
	}
	path, _ := h.rec.Paths(id)
	if h.serveEncrypted(w, r, path, id+".wav", true) {
		return
	}
	f, err := os.Open(path)
	if err != nil {
		recordingMissing(w, err, "the conversation has no recording")
		return
	}
	defer f.Close()
	info, err := media.ReadWAVInfo(f)
	st, serr := f.Stat()
	if err != nil || serr != nil {
		api.WriteError(w, http.StatusInternalServerError, "internal", "the recording is unreadable")
		h.a.log.Error("read recording", "conversation", id, "err", errors.Join(err, serr))
		return
	}
	size := min(info.DataOffset+info.DataSize, st.Size())
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, id+".wav", st.ModTime(), io.NewSectionReader(f, 0, size))
}

func (h recordingHandlers) segments(w http.ResponseWriter, r *http.Request) {
	id, ok := h.access(w, r)
	if !ok {
		return
	}
	_, path := h.rec.Paths(id)
	h.serveJSON(w, path, "the conversation has no recording")
}

func (h recordingHandlers) transcript(w http.ResponseWriter, r *http.Request) {
	id, ok := h.access(w, r)
	if !ok {
		return
	}
	path := h.rec.SidecarPath(id, asr.SidecarName)
	if h.serveEncrypted(w, r, path, id+".transcript.json", false) {
		return
	}
	h.serveJSON(w, path, "the conversation has no transcript")
}

// serveJSON serves a document the recorder wrote. Documents are replaced
// atomically, so a read never sees half of one.
func (h recordingHandlers) serveJSON(w http.ResponseWriter, path, missing string) {
	b, err := os.ReadFile(path)
	if err != nil {
		recordingMissing(w, err, missing)
		return
	}
	if !json.Valid(b) {
		api.WriteError(w, http.StatusInternalServerError, "internal", "the document is unreadable")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func recordingMissing(w http.ResponseWriter, err error, msg string) {
	if errors.Is(err, fs.ErrNotExist) {
		api.WriteError(w, http.StatusNotFound, "not_found", msg)
		return
	}
	api.WriteError(w, http.StatusInternalServerError, "internal", "the document is unreadable")
}
