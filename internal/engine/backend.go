package engine

import (
	"context"
	"errors"

	"github.com/hush-cc/hush/internal/conversation"
)

// Backend makes a recording or transcription system obey. Each platform
// (Amazon Connect, the built-in recorder, none) supplies one.
type Backend interface {
	// Drive moves one capability of conv to d.Target and returns the state
	// the backend confirmed. d.At is when the change takes effect; a backend
	// that buffers media applies a pause from then. Errors wrapped with
	// Permanent are final; any other error is retried with backoff.
	Drive(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error)
}

// PartsBackend is a Backend that pauses a capability in parts (Amazon
// Connect's voice and screen recordings), not all of them for every reason.
// The engine calls DriveParts instead of Drive, and records the parts.
type PartsBackend interface {
	Backend
	// DriveParts is Drive that also reports the state of each part: after
	// an error, as far as the backend knows them.
	DriveParts(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, []conversation.Part, error)
}

// BackendFunc adapts a function to Backend.
type BackendFunc func(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error)

// Drive calls f.
func (f BackendFunc) Drive(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	return f(ctx, conv, d)
}

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as final: retrying the same call cannot succeed (the
// contact is gone, the request is invalid).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Tracker is a Backend whose drives only keep books: they touch nothing
// outside hush and answer at once. The engine calls it inside the lane and
// persists its confirmation in the same write, and the same audit entry, as
// the change itself.
type Tracker interface {
	Backend
	// Tracking marks the backend as a Tracker.
	Tracking()
}
