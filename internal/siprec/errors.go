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

func (e *Error) Error() string { return e.Err.Error() }
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
