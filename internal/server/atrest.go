package server

import (
	"encoding/json"
	"fmt"

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

// writeTranscript replaces a conversation's transcript, encrypted when a
// sealer is set.
func writeTranscript(rec *media.Recorder, sealer *atrest.Sealer, id string, t asr.Transcript, final bool) error {
	if sealer == nil {
		err := rec.WriteSidecar(id, asr.SidecarName, t, final)
		if err == nil && final {
			err = asr.RemoveJournal(rec.SidecarPath(id, asr.SidecarName))
		}
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("encode transcript: %w", err)
	}
	return sealer.WriteFile(rec.SidecarPath(id, asr.SidecarName), b, final)
}
