package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/engine"
)

// fakeRecordings holds one conversation's documents, c1's, in memory.
type fakeRecordings struct{}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (fakeRecordings) OpenRecording(id string) (io.ReadSeekCloser, time.Time, error) {
	if id != "c1" {
		return nil, time.Time{}, fs.ErrNotExist
	}
	return nopCloser{bytes.NewReader([]byte("RIFF....WAVE"))}, time.Unix(0, 0), nil
}

func (fakeRecordings) SegmentMap(id string) ([]byte, error) {
	if id != "c1" {
		return nil, fs.ErrNotExist
	}
	return []byte(`{"segments":[]}`), nil
}

func (fakeRecordings) Transcript(id string) ([]byte, error) {
	if id != "c1" {
		return nil, fs.ErrNotExist
	}
	return []byte(`{"half`), nil
}

// fakeIngest answers as an applier would: a decode error, a failed event,
// or the results.
type fakeIngest struct{ err error }

func (f *fakeIngest) ApplyAgentEvents(_ context.Context, body []byte) (json.RawMessage, error) {
	switch string(body) {
	case "bad":
		return nil, &api.AgentEventError{Reason: "bad_json", Index: 2, Err: errors.New("agent event 2: bad_json")}
	case "down":
		return json.RawMessage(`[{"eventId":"e1","error":"store down"}]`), errors.New("store down")
	}
	return json.RawMessage(`[{"eventId":"e1"}]`), nil
}

func (f *fakeIngest) DeadLetters(context.Context, int) (json.RawMessage, error) {
	return json.RawMessage(`[]`), f.err
}

// The recorder's documents are served to whoever may see the conversation,
// and every failure is the API's error envelope.
func TestRecordingRoutesServeTheRecordersDocuments(t *testing.T) {
	e := newEnv(t, func(_ *engine.Config, a *api.Config) { a.Recordings = fakeRecordings{} })
	e.register("c1", "alice")
	e.register("c2", "alice")
	if r := e.mustDo(200, "GET", "/v1/conversations/c1/recording.wav", e.alice, nil); string(r.body) != "RIFF....WAVE" || r.header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("recording: %s %q", r.header.Get("Content-Type"), r.body)
	}
	if r := e.mustDo(200, "GET", "/v1/conversations/c1/recording/segments", e.alice, nil); string(r.body) != `{"segments":[]}` {
		t.Fatalf("segments: %s", r.body)
	}
	if code := e.mustDo(404, "GET", "/v1/conversations/c2/recording.wav", e.alice, nil).errorCode(t); code != "not_found" {
		t.Fatalf("missing recording: %s", code)
	}
	if code := e.mustDo(404, "GET", "/v1/conversations/c2/transcript", e.alice, nil).errorCode(t); code != "not_found" {
		t.Fatalf("missing transcript: %s", code)
	}
	if code := e.mustDo(500, "GET", "/v1/conversations/c1/transcript", e.alice, nil).errorCode(t); code != "internal" {
		t.Fatalf("half a transcript: %s", code)
	}
	if code := e.mustDo(403, "GET", "/v1/conversations/c1/recording.wav", e.bob, nil).errorCode(t); code == "" {
		t.Fatal("another agent's recording")
	}
}

// The ingest route answers in the error envelope, with where the bad event
// is, or what became of each event when some were not applied.
func TestConnectIngestRoutesAnswerInTheEnvelope(t *testing.T) {
	ing := &fakeIngest{}
	e := newEnv(t, func(_ *engine.Config, a *api.Config) { a.ConnectIngest = ing })
	const path = "/v1/ingest/connect/agent-events"
	var ok struct {
		Results []struct{ EventID string } `json:"results"`
	}
	e.mustDo(202, "POST", path, e.ingest, "good").decode(t, &ok)
	if len(ok.Results) != 1 || ok.Results[0].EventID != "e1" {
		t.Fatalf("results %+v", ok)
	}
	var bad struct {
		Error struct {
			Code, Message, Reason string
			Index                 *int
		} `json:"error"`
	}
	r := e.mustDo(400, "POST", path, e.ingest, "bad")
	r.decode(t, &bad)
	if bad.Error.Code != "invalid_agent_event" || bad.Error.Message == "" || bad.Error.Reason != "bad_json" || bad.Error.Index == nil || *bad.Error.Index != 2 {
		t.Fatalf("undecodable body: %s", r.body)
	}
	var down struct {
		Error   struct{ Code, Message string }    `json:"error"`
		Results []struct{ EventID, Error string } `json:"results"`
	}
	r = e.mustDo(503, "POST", path, e.ingest, "down")
	r.decode(t, &down)
	if down.Error.Code != "unavailable" || len(down.Results) != 1 || down.Results[0].Error != "store down" {
		t.Fatalf("unapplied event: %s", r.body)
	}
	if code := e.mustDo(400, "GET", "/v1/ingest/connect/dead-letters?limit=0", e.admin, nil).errorCode(t); code != "invalid_input" {
		t.Fatalf("limit 0: %s", code)
	}
	if r := e.mustDo(200, "GET", "/v1/ingest/connect/dead-letters", e.admin, nil); string(bytes.TrimSpace(r.body)) != `{"deadLetters":[]}` {
		t.Fatalf("dead letters: %s", r.body)
	}
	ing.err = errors.New("store down")
	if code := e.mustDo(500, "GET", "/v1/ingest/connect/dead-letters", e.admin, nil).errorCode(t); code != "internal" {
		t.Fatalf("dead letters with the store down: %s", code)
	}
}
