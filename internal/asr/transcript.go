package asr

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/hush-cc/hush/internal/media"
)

// Segment is one utterance of the transcript, placed on the
// conversation's timeline.
type Segment struct {
	// Channel is "caller" or "agent".
	Channel string `json:"channel"`
	// StartMs and EndMs count from the conversation start.
	StartMs int64 `json:"startMs"`
	EndMs   int64 `json:"endMs"`
	// Start and End are wall-clock times (RFC 3339, UTC, milliseconds).
	Start string `json:"start"`
	End   string `json:"end"`
	// Text is what the engine heard; the energy engine hears no words.
	Text string `json:"text"`
}

// Transcript is the JSON document written beside each recording.
type Transcript struct {
	ConversationID string `json:"conversationId"`
	Engine         string `json:"engine"`
	// Start is the conversation timeline's origin, as in the segment map.
	Start string `json:"start"`
	// Complete is true once transcription stopped and every utterance was
	// transcribed.
	Complete bool      `json:"complete"`
	Segments []Segment `json:"segments"`
	// Dropped counts utterances not transcribed because the engine fell
	// behind or failed.
	Dropped int `json:"dropped,omitempty"`
}

// SidecarName names the transcript document beside each WAV file.
const SidecarName = "transcript"

// While a call runs, each segment recognized is appended to a journal
// beside the transcript, one JSON line each, instead of rewriting the
// transcript: rewriting it and renaming it over the old one cost a create
// and a rename in a directory every call shares, once a segment. The
// complete transcript is written whole and the journal removed. A line cut
// short by a crash is ignored.

// JournalPath returns where the live segments of the transcript at path
// are appended.
func JournalPath(path string) string { return path + ".journal" }

// AppendSegment appends seg to the journal of the transcript at path.
func AppendSegment(path string, seg Segment) error {
	b, err := json.Marshal(seg)
	if err != nil {
		return fmt.Errorf("encode transcript segment: %w", err)
	}
	f, err := os.OpenFile(JournalPath(path), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open transcript journal: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write transcript journal: %w", err)
	}
	return nil
}

// RemoveJournal removes the journal of the transcript at path, once the
// transcript has been written whole.
func RemoveJournal(path string) error {
	if err := os.Remove(JournalPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove transcript journal: %w", err)
	}
	return nil
}

// ReadTranscript reads a transcript written by a Transcriber, with the
// segments its journal holds while the call runs.
func ReadTranscript(path string) (Transcript, error) {
	t, _, err := readJournaled(path)
	return t, err
}

// TranscriptJSON returns the transcript at path as JSON, with the segments
// its journal holds while the call runs.
func TranscriptJSON(path string) ([]byte, error) {
	t, raw, err := readJournaled(path)
	if err != nil || raw != nil {
		return raw, err
	}
	return json.MarshalIndent(t, "", "  ")
}

// readJournaled reads the transcript at path and adds its journal's
// segments. raw is the file as it was, nil when the journal added to it.
// The journal is read first: should the call end in between, the
// transcript read after it is the complete one, which needs no journal.
func readJournaled(path string) (t Transcript, raw []byte, err error) {
	j, jerr := os.ReadFile(JournalPath(path))
	raw, err = os.ReadFile(path)
	if err != nil {
		return t, nil, fmt.Errorf("read transcript: %w", err)
	}
	if err := json.Unmarshal(raw, &t); err != nil {
		return t, nil, fmt.Errorf("parse transcript: %w", err)
	}
	if jerr != nil || t.Complete {
		return t, raw, nil
	}
	n := len(t.Segments)
	media.ReadJournal(j, func(seg Segment) bool {
		t.Segments = append(t.Segments, seg)
		return true
	})
	if len(t.Segments) == n {
		return t, raw, nil
	}
	slices.SortStableFunc(t.Segments, func(a, b Segment) int { return cmp.Compare(a.StartMs, b.StartMs) })
	return t, nil, nil
}
