package asr

import (
	"encoding/json"
	"fmt"
	"os"
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

// ReadTranscript reads a transcript written by a Transcriber.
func ReadTranscript(path string) (Transcript, error) {
	var t Transcript
	b, err := os.ReadFile(path)
	if err != nil {
		return t, fmt.Errorf("read transcript: %w", err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("parse transcript: %w", err)
	}
	return t, nil
}
