package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/atrest"
	"github.com/hush-cc/hush/internal/media"
)

// AtRestConfig encrypts the recorder's files: WAVs and transcripts are
// written encrypted to Recipient (an age public key); with IdentityFile the
// API decrypts them for callers allowed to read them, else it serves the
// encrypted files as they are.
type AtRestConfig struct {
	Recipient    string
	IdentityFile string
}

// load parses the configuration; both results are nil when it is empty.
func (c AtRestConfig) load() (*atrest.Sealer, *atrest.Opener, error) {
	var s *atrest.Sealer
	var o *atrest.Opener
	var err error
	if c.Recipient != "" {
		if s, err = atrest.NewSealer(c.Recipient); err != nil {
			return nil, nil, err
		}
	}
	if c.IdentityFile != "" {
		if o, err = atrest.LoadOpener(c.IdentityFile); err != nil {
			return nil, nil, err
		}
	}
	return s, o, nil
}

// serveEncrypted answers for an encrypted recording file and reports
// whether it did (false: the file is plaintext, or absent). With the
// identity, a WAV is served decrypted with exact sizes and a JSON document
// decrypted; without it, the ciphertext is served as it is, marked so.
func (h recordingHandlers) serveEncrypted(w http.ResponseWriter, r *http.Request, path, name string, wav bool) bool {
	enc, err := atrest.Encrypted(path)
	if err != nil || !enc {
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	w.Header().Set("Cache-Control", "no-store")
	if h.opener == nil {
		st, err := f.Stat()
		if err != nil {
			api.WriteError(w, http.StatusInternalServerError, "internal", "the recording is unreadable")
			return true
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("X-Hush-Encrypted", "age")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.age"`)
		http.ServeContent(w, r, name+".age", st.ModTime(), f)
		return true
	}
	plain, n, err := h.opener.Open(f)
	if err != nil {
		h.a.log.Error("decrypt recording file", "file", name, "err", err)
		api.WriteError(w, http.StatusInternalServerError, "internal", "the encrypted file cannot be decrypted (incomplete, or another identity)")
		return true
	}
	if wav {
		w.Header().Set("Content-Type", "audio/wav")
		http.ServeContent(w, r, name, time.Time{}, io.NewSectionReader(atrest.FixWAV(plain, n), 0, n))
		return true
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.NewSectionReader(plain, 0, n)); err != nil || !json.Valid(buf.Bytes()) {
		h.a.log.Error("decrypt document", "file", name, "err", errors.Join(err, errors.New("not JSON")))
		api.WriteError(w, http.StatusInternalServerError, "internal", "the document is unreadable")
		return true
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(buf.Bytes())
	return true
}

// writeTranscript replaces a conversation's transcript, encrypted when a
// sealer is set.
func writeTranscript(rec *media.Recorder, sealer *atrest.Sealer, id string, t asr.Transcript, final bool) error {
	if sealer == nil {
		return rec.WriteSidecar(id, asr.SidecarName, t, final)
	}
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode transcript: %w", err)
	}
	return sealer.WriteFile(rec.SidecarPath(id, asr.SidecarName), b, final)
}
