package amazonconnect

import (
	"errors"
	"fmt"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/hush-cc/hush/internal/engine"
)

// CallError is a failed Connect call, in words an operator can act on.
type CallError struct {
	Operation string
	ContactID string
	// Status is the HTTP status; 0 when no response came back.
	Status int
	// Code is Connect's error type, such as ResourceNotFoundException.
	Code    string
	Message string
	Err     error
}

// Error implements error.
func (e *CallError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("connect %s for contact %s: %v", e.Operation, e.ContactID, e.Err)
	}
	s := fmt.Sprintf("connect %s for contact %s: %s (HTTP %d)", e.Operation, e.ContactID, e.Code, e.Status)
	if hint := statusHint(e.Status); hint != "" {
		s += ", " + hint
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the SDK's error.
func (e *CallError) Unwrap() error { return e.Err }

func statusHint(status int) string {
	switch status {
	case http.StatusNotFound:
		return "the contact is gone"
	case http.StatusBadRequest:
		return "Connect refused the request"
	case http.StatusTooManyRequests:
		return "throttled"
	}
	return ""
}

// classify wraps a failed call. 400 and 404 are final: the request is wrong
// or the contact is gone, and asking again cannot help. Everything else
// (throttling, 5xx, the network) is left for the engine to retry.
func classify(op, contactID string, err error) error {
	ce := &CallError{Operation: op, ContactID: contactID, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		ce.Status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		ce.Code, ce.Message = ae.ErrorCode(), ae.ErrorMessage()
	}
	if ce.Status == http.StatusBadRequest || ce.Status == http.StatusNotFound {
		return engine.Permanent(ce)
	}
	return ce
}
