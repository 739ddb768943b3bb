package amazonconnect

import (
	"errors"
	"fmt"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
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
	// Resource is the contact's ARN, when the instance's ARN is known: the
	// resource an IAM policy must allow Operation on.
	Resource string
	Err      error
}

// Error types Connect answers that a person must fix: retrying cannot help.
const (
	codeAccessDenied        = "AccessDeniedException"
	codeInvalidActiveRegion = "InvalidActiveRegionException"
)

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
	switch {
	case e.Code == codeInvalidActiveRegion:
		s += "; the instance is active in another Region (Connect Global Resiliency): point hush at the active Region"
	case e.Status == http.StatusForbidden:
		resource := e.Resource
		if resource == "" {
			resource = "the contact's ARN (arn:aws:connect:REGION:ACCOUNT:instance/INSTANCE_ID/contact/*)"
		}
		s += fmt.Sprintf("; allow the IAM action connect:%s on %s", e.Operation, resource)
	}
	return s
}

// Type names the error for metrics: Connect's error type, else the HTTP
// status, else "network".
func (e *CallError) Type() string {
	switch {
	case e.Code != "":
		return e.Code
	case e.Status != 0:
		return fmt.Sprintf("http_%d", e.Status)
	}
	return "network"
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
	case http.StatusForbidden:
		return "access denied"
	}
	return ""
}

// classify wraps a failed call. 400 and 404 are final: the request is wrong
// or the contact is gone. So are 403 (the role lacks the permission) and
// InvalidActiveRegion (the instance is served elsewhere): a person must act,
// and asking again meanwhile only spends the quota. Everything else
// (throttling, 5xx, the network) is left for the engine to retry.
func classify(op, contactID, resource string, err error) *CallError {
	ce := &CallError{Operation: op, ContactID: contactID, Resource: resource, Err: err}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		ce.Status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		ce.Code, ce.Message = ae.ErrorCode(), ae.ErrorMessage()
	}
	return ce
}

// final reports whether retrying e cannot help.
func (e *CallError) final() bool {
	switch {
	case e.Code == codeAccessDenied, e.Code == codeInvalidActiveRegion:
		return true
	}
	switch e.Status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return false
}
