package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"
	"unicode/utf8"
)

// badRequest is a client error with its status and code.
type badRequest struct {
	status int
	code   string
	msg    string
}

func (e *badRequest) Error() string { return e.msg }

func invalid(format string, args ...any) error {
	return &badRequest{status: http.StatusBadRequest, code: "invalid_request", msg: fmt.Sprintf(format, args...)}
}

// readBody reads a request body within the server's limit.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &badRequest{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			msg: fmt.Sprintf("request body exceeds %d bytes", tooBig.Limit)}
	}
	if err != nil {
		return nil, invalid("reading body: %v", err)
	}
	return b, nil
}

// jsonSpace is the whitespace JSON allows around a value (RFC 8259).
const jsonSpace = " \t\r\n"

// decodeStrict decodes exactly one JSON object into v, refusing unknown
// fields, wrong types and trailing data. An empty body leaves v as it is.
// It is the one decoder for request bodies.
func decodeStrict(body []byte, v any) error {
	if len(bytes.Trim(body, jsonSpace)) == 0 {
		return nil
	}
	if !utf8.Valid(body) {
		return &badRequest{status: http.StatusBadRequest, code: "invalid_json", msg: "body is not UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &badRequest{status: http.StatusBadRequest, code: "invalid_json", msg: "invalid JSON body: " + err.Error()}
	}
	// Whatever follows the value must be blank: a stray '}' or ']' is
	// trailing data too, though the decoder would not read it as a value.
	if len(bytes.Trim(body[dec.InputOffset():], jsonSpace)) != 0 {
		return &badRequest{status: http.StatusBadRequest, code: "invalid_json", msg: "invalid JSON body: trailing data after the object"}
	}
	return nil
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$`)

func validID(what, id string) error {
	if !idPattern.MatchString(id) {
		return invalid("%s must be 1-128 letters, digits or . _ : @ - (got %q)", what, id)
	}
	return nil
}

const maxNote = 500

// CommandRequest is the optional body of a capability command.
type CommandRequest struct {
	Reason        string `json:"reason"`
	RetroactiveMs int64  `json:"retroactiveMs"`
}

func decodeCommand(body []byte) (CommandRequest, error) {
	var c CommandRequest
	if err := decodeStrict(body, &c); err != nil {
		return c, err
	}
	if c.RetroactiveMs < 0 || c.RetroactiveMs > int64(time.Hour/time.Millisecond) {
		return c, invalid("retroactiveMs must be between 0 and 3600000")
	}
	if len(c.Reason) > maxNote {
		return c, invalid("reason must be at most %d bytes", maxNote)
	}
	return c, nil
}

// CreateConversationRequest registers a conversation.
type CreateConversationRequest struct {
	ID            string `json:"id"`
	AgentID       string `json:"agentId"`
	Recording     string `json:"recording"`
	Transcription string `json:"transcription"`
}

func decodeCreateConversation(body []byte) (CreateConversationRequest, error) {
	c := CreateConversationRequest{Recording: "in-progress", Transcription: "not-started"}
	if err := decodeStrict(body, &c); err != nil {
		return c, err
	}
	if err := validID("id", c.ID); err != nil {
		return c, err
	}
	if c.AgentID != "" {
		if err := validID("agentId", c.AgentID); err != nil {
			return c, err
		}
	}
	for _, st := range []string{c.Recording, c.Transcription} {
		if st != "in-progress" && st != "not-started" {
			return c, invalid("recording and transcription must be in-progress or not-started (got %q)", st)
		}
	}
	return c, nil
}

// PlatformEventRequest is the optional body of hold, unhold and end.
type PlatformEventRequest struct {
	EventID string    `json:"eventId"`
	At      time.Time `json:"at"`
}

func decodePlatformEvent(body []byte) (PlatformEventRequest, error) {
	var e PlatformEventRequest
	if err := decodeStrict(body, &e); err != nil {
		return e, err
	}
	if len(e.EventID) > 128 {
		return e, invalid("eventId must be at most 128 bytes")
	}
	return e, nil
}

// SecureSessionRequest opens a secure session.
type SecureSessionRequest struct {
	TTLSeconds int64  `json:"ttlSeconds"`
	Reason     string `json:"reason"`
}

func decodeSecureSession(body []byte) (SecureSessionRequest, error) {
	var s SecureSessionRequest
	if err := decodeStrict(body, &s); err != nil {
		return s, err
	}
	if s.TTLSeconds < 0 || s.TTLSeconds > 24*3600 {
		return s, invalid("ttlSeconds must be between 1 and 86400 (0: the maximum)")
	}
	if len(s.Reason) > maxNote {
		return s, invalid("reason must be at most %d bytes", maxNote)
	}
	return s, nil
}

// WebhookRequest registers a webhook.
type WebhookRequest struct {
	URL    string   `json:"url"`
	Secret string   `json:"secret"`
	Types  []string `json:"types"`
}

// KeyRequest creates an API key.
type KeyRequest struct {
	Role    string `json:"role"`
	AgentID string `json:"agentId"`
	// Name is the display name of who will hold the key.
	Name string `json:"name"`
	// ExpiresAt, if set, is when the key stops working.
	ExpiresAt time.Time `json:"expiresAt"`
	// MayPause false keeps an agent key from pausing and resuming.
	MayPause *bool `json:"mayPause"`
}
