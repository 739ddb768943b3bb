package siprec

import (
	"errors"
	"fmt"
)

// SIP status codes for refused offers.
const (
	StatusBadRequest           = 400 // malformed body, SDP or metadata
	StatusUnsupportedMediaType = 415 // a body type the recorder does not read
	StatusNotAcceptableHere    = 488 // no stream the recorder can receive
	StatusServerInternalError  = 500
)

// Error is a refusal with the SIP status that answers it.
type Error struct {
	Status int
	Err    error
}

// Error implements error.
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the refusal's cause.
func (e *Error) Unwrap() error { return e.Err }

// Status returns the SIP status for err: the one it carries, or 500.
func Status(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return StatusServerInternalError
}

func malformed(format string, args ...any) error {
	return &Error{Status: StatusBadRequest, Err: fmt.Errorf("siprec: "+format, args...)}
}

func unsupported(format string, args ...any) error {
	return &Error{Status: StatusUnsupportedMediaType, Err: fmt.Errorf("siprec: "+format, args...)}
}

func notAcceptable(format string, args ...any) error {
	return &Error{Status: StatusNotAcceptableHere, Err: fmt.Errorf("siprec: "+format, args...)}
}

// SIP statuses of refusals decided by the recording server itself.
const (
	StatusForbidden          = 403 // the conversation exists already
	StatusBadExtension       = 420 // Require names an extension the recorder lacks
	StatusIntervalTooBrief   = 422 // Session-Expires below the recorder's Min-SE
	StatusCallDoesNotExist   = 481 // an in-dialog request for no known session
	StatusServiceUnavailable = 503 // no RTP port left
)

// Refusal returns an error that refuses a request with the given status.
func Refusal(status int, format string, args ...any) error {
	return &Error{Status: status, Err: fmt.Errorf("siprec: "+format, args...)}
}
