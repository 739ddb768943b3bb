package connecttest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func post(t *testing.T, s *Server, path, body string, signed bool) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if signed {
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/20250304/us-east-1/connect/aws4_request")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var msg struct {
		Message string `json:"message"`
	}
	json.NewDecoder(resp.Body).Decode(&msg)
	return resp, msg.Message
}

const body = `{"InstanceId":"i","ContactId":"c1","InitialContactId":"c0"}`

func TestServerScriptsFaultsInOrder(t *testing.T) {
	s := Start(t)
	s.FailNext(2, Throttled)
	s.FailNext(1, InternalError)
	s.FailContact("gone", NotFound)
	var statuses []int
	for range 4 {
		resp, _ := post(t, s, "/contact/suspend-recording", body, true)
		statuses = append(statuses, resp.StatusCode)
	}
	resp, msg := post(t, s, "/contact/stop-recording", `{"InstanceId":"i","ContactId":"gone","InitialContactId":"gone"}`, true)
	if resp.StatusCode != 404 || resp.Header.Get("X-Amzn-ErrorType") != "ResourceNotFoundException" || msg == "" {
		t.Fatalf("contact fault: %d %q %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), msg)
	}
	s.FailContact("gone", Fault{})
	post(t, s, "/contact/stop-recording", `{"InstanceId":"i","ContactId":"gone","InitialContactId":"gone"}`, true)
	if want := []int{429, 429, 500, 200}; !slices.Equal(statuses, want) {
		t.Fatalf("statuses %v, want %v", statuses, want)
	}
	want := []string{
		"SuspendContactRecording c1 429", "SuspendContactRecording c1 429", "SuspendContactRecording c1 500",
		"SuspendContactRecording c1 200", "StopContactRecording gone 404", "StopContactRecording gone 200",
	}
	if got := s.Ops(); !slices.Equal(got, want) {
		t.Fatalf("ops %q", got)
	}
	if c := s.Calls()[0]; c.InstanceID != "i" || c.InitialContactID != "c0" || c.At.IsZero() {
		t.Fatalf("call %+v", c)
	}
}

func TestServerRejectsMalformedRequests(t *testing.T) {
	s := Start(t)
	cases := []struct {
		path, body string
		signed     bool
		status     int
		errType    string
	}{
		{"/contact/suspend-recording", body, false, 400, "InvalidRequestException"},
		{"/contact/suspend-recording", `{"InstanceId":"i"`, true, 400, "InvalidRequestException"},
		{"/contact/resume-recording", `{"InstanceId":"i","ContactId":"c1"}`, true, 400, "InvalidRequestException"},
		{"/contact/start-recording", body, true, 400, "InvalidRequestException"},
		{"/contact/suspend-recording", `{"InstanceId":"i","ContactId":"c1","InitialContactId":"c1","ContactRecordingType":"VIDEO"}`, true, 400, "InvalidRequestException"},
		{"/contact/pause-recording", body, true, 404, "UnknownOperationException"},
	}
	for _, tc := range cases {
		resp, msg := post(t, s, tc.path, tc.body, tc.signed)
		if resp.StatusCode != tc.status || resp.Header.Get("X-Amzn-ErrorType") != tc.errType || msg == "" {
			t.Errorf("%s %s: %d %q %q", tc.path, tc.body, resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), msg)
		}
	}
	resp, _ := post(t, s, "/contact/start-recording",
		`{"InstanceId":"i","ContactId":"c1","InitialContactId":"c1","VoiceRecordingConfiguration":{"VoiceRecordingTrack":"ALL"}}`, true)
	if resp.StatusCode != 200 || s.Calls()[len(s.Calls())-1].VoiceRecordingTrack != "ALL" {
		t.Fatalf("start: %d", resp.StatusCode)
	}
}
