// Package connecttest runs a fake Amazon Connect recording API for tests: an
// HTTP server that speaks the four contact recording operations as the real
// service does (paths, JSON bodies, typed errors with the x-amzn-ErrorType
// header), records every call, and can be told to fail.
package connecttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

// Operation names, as the SDK calls them.
const (
	OpSuspend = "SuspendContactRecording"
	OpResume  = "ResumeContactRecording"
	OpStart   = "StartContactRecording"
	OpStop    = "StopContactRecording"
)

var operations = map[string]string{
	"/contact/suspend-recording": OpSuspend,
	"/contact/resume-recording":  OpResume,
	"/contact/start-recording":   OpStart,
	"/contact/stop-recording":    OpStop,
}

// Call is one request the server received.
type Call struct {
	Operation            string
	InstanceID           string
	ContactID            string
	InitialContactID     string
	ContactRecordingType string
	// VoiceRecordingTrack is set on StartContactRecording.
	VoiceRecordingTrack string
	// Status is the HTTP status answered.
	Status int
	At     time.Time
}

// Fault is an error answer.
type Fault struct {
	Status  int
	Type    string
	Message string
}

// Faults as Connect answers them.
var (
	Throttled     = Fault{http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded"}
	InternalError = Fault{http.StatusInternalServerError, "InternalServiceException", "Request processing failed because of an error or failure with the service."}
	NotFound      = Fault{http.StatusNotFound, "ResourceNotFoundException", "The specified contact was not found."}
	Invalid       = Fault{http.StatusBadRequest, "InvalidRequestException", "The request is not valid."}
	AccessDenied  = Fault{http.StatusForbidden, "AccessDeniedException", "You do not have sufficient access to perform this action."}
	// InactiveRegion answers a call made to the Region that is not the
	// active one of an instance replicated by Connect Global Resiliency.
	InactiveRegion = Fault{http.StatusForbidden, "InvalidActiveRegionException", "This API is not supported in the instance's inactive Region."}
)

// Server is a fake Connect recording API.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	calls     []Call
	next      []Fault          // answered to the next calls, in order
	byContact map[string]Fault // answered to every call for a contact
	delay     time.Duration    // before answering each call
	// quota holds a token bucket per operation once SetQuota is called.
	quota     map[string]*rate.Limiter
	tolerance time.Duration
	// suspended holds, per contact, the recording types suspended by the
	// calls answered 200.
	suspended map[string]map[string]bool
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{byContact: map[string]Fault{}, suspended: map[string]map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the endpoint to point the SDK at (AWS_ENDPOINT_URL_CONNECT).
func (s *Server) URL() string { return s.srv.URL }

// FailNext answers f to the next n calls, after any faults already queued.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.next = append(s.next, f)
	}
}

// ClearFaults drops the faults FailNext queued and no call took yet.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = nil
}

// FailContact answers f to every call for contactID; a zero Fault clears it.
func (s *Server) FailContact(contactID string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f == (Fault{}) {
		delete(s.byContact, contactID)
		return
	}
	s.byContact[contactID] = f
}

// SetDelay makes the server wait d before answering each call, as a slow
// service would.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// SetQuota makes the server answer 429 ThrottlingException, as Connect
// does, to calls above r per second with bursts of b, counted for each
// operation on its own. Connect's default is 2 per second, burst 5.
// tolerance forgives a call that comes that much early, for the jitter
// between a client's limiter and the server's clock.
func (s *Server) SetQuota(r float64, b int, tolerance time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quota = map[string]*rate.Limiter{}
	for _, op := range operations {
		s.quota[op] = rate.NewLimiter(rate.Limit(r), b)
	}
	s.tolerance = tolerance
}

// Calls returns every call received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Ops renders the calls as "Operation ContactID status" lines, for compact
// assertions on the exact sequence.
func (s *Server) Ops() []string {
	var out []string
	for _, c := range s.Calls() {
		out = append(out, fmt.Sprintf("%s %s %d", c.Operation, c.ContactID, c.Status))
	}
	return out
}

// recordingTypes are what a call without ContactRecordingType acts on.
var recordingTypes = []string{"AGENT", "IVR", "SCREEN"}

// track follows the suspended recordings of the call's contact: suspend
// and resume act on one type, or on all without one; start and stop leave
// nothing suspended.
func (s *Server) track(c Call) {
	types := recordingTypes
	if c.ContactRecordingType != "" {
		types = []string{c.ContactRecordingType}
	}
	set := s.suspended[c.ContactID]
	if set == nil {
		set = map[string]bool{}
		s.suspended[c.ContactID] = set
	}
	for _, t := range types {
		switch c.Operation {
		case OpSuspend:
			set[t] = true
		default:
			delete(set, t)
		}
	}
}

// Suspended returns the recording types of a contact that the calls
// answered so far left suspended, in AGENT, IVR, SCREEN order.
func (s *Server) Suspended(contactID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, t := range recordingTypes {
		if s.suspended[contactID][t] {
			out = append(out, t)
		}
	}
	return out
}

// Typed renders the calls as "Operation ContactRecordingType" lines, for
// assertions on which recordings each call acted on.
func (s *Server) Typed() []string {
	var out []string
	for _, c := range s.Calls() {
		out = append(out, strings.TrimSpace(c.Operation+" "+c.ContactRecordingType))
	}
	return out
}

// request is the union of the four operations' bodies.
type request struct {
	InstanceID                  string `json:"InstanceId"`
	ContactID                   string `json:"ContactId"`
	InitialContactID            string `json:"InitialContactId"`
	ContactRecordingType        string `json:"ContactRecordingType"`
	VoiceRecordingConfiguration *struct {
		VoiceRecordingTrack string `json:"VoiceRecordingTrack"`
		IvrRecordingTrack   string `json:"IvrRecordingTrack"`
	} `json:"VoiceRecordingConfiguration"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := operations[r.URL.Path]
	if r.Method != http.MethodPost || !ok {
		writeFault(w, Fault{http.StatusNotFound, "UnknownOperationException", "no operation at " + r.Method + " " + r.URL.Path})
		return
	}
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	call := Call{Operation: op, At: time.Now()}
	var req request
	err := json.NewDecoder(r.Body).Decode(&req)
	call.InstanceID, call.ContactID, call.InitialContactID = req.InstanceID, req.ContactID, req.InitialContactID
	call.ContactRecordingType = req.ContactRecordingType
	if req.VoiceRecordingConfiguration != nil {
		call.VoiceRecordingTrack = req.VoiceRecordingConfiguration.VoiceRecordingTrack
	}
	f, failed := s.fault(call, err, r)
	call.Status = http.StatusOK
	if failed {
		call.Status = f.Status
	}
	s.mu.Lock()
	s.calls = append(s.calls, call)
	if !failed {
		s.track(call)
	}
	s.mu.Unlock()
	if failed {
		writeFault(w, f)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte("{}"))
}

// fault decides the error answer to a call, if any: a malformed request
// first, then the scripted faults.
func (s *Server) fault(c Call, decodeErr error, r *http.Request) (Fault, bool) {
	if bad := validate(c, decodeErr, r); bad != "" {
		return Fault{http.StatusBadRequest, "InvalidRequestException", bad}, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.next) > 0 {
		f := s.next[0]
		s.next = s.next[1:]
		return f, true
	}
	if q := s.quota[c.Operation]; q != nil {
		// A call a little early borrows from the next token: the tolerance.
		r := q.ReserveN(c.At, 1)
		if !r.OK() || r.DelayFrom(c.At) > s.tolerance {
			r.CancelAt(c.At)
			return Throttled, true
		}
	}
	f, ok := s.byContact[c.ContactID]
	return f, ok
}

func validate(c Call, decodeErr error, r *http.Request) string {
	switch {
	case !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 "):
		return "request is not SigV4-signed"
	case decodeErr != nil:
		return "body is not JSON: " + decodeErr.Error()
	case c.InstanceID == "" || c.ContactID == "" || c.InitialContactID == "":
		return "InstanceId, ContactId and InitialContactId are required"
	case c.Operation == OpStart && c.VoiceRecordingTrack == "":
		return "VoiceRecordingConfiguration is required"
	}
	switch c.ContactRecordingType {
	case "", "AGENT", "IVR", "SCREEN":
	default:
		return "ContactRecordingType must be AGENT, IVR or SCREEN"
	}
	return ""
}

func writeFault(w http.ResponseWriter, f Fault) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", f.Type)
	w.WriteHeader(f.Status)
	json.NewEncoder(w).Encode(map[string]string{"message": f.Message})
}
