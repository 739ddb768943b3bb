package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"testing"
)

// With every adapter enabled, the served OpenAPI document holds every route
// the server answers, and every schema it references.
func TestOpenAPICoversTheWholeAssembly(t *testing.T) {
	t.Setenv("AWS_REGION", "eu-west-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_ENDPOINT_URL_CONNECT", "http://127.0.0.1:9")
	r, err := New(context.Background(), Config{
		Data:     t.TempDir(),
		Listen:   "127.0.0.1:0",
		Logger:   slog.New(slog.DiscardHandler),
		Connect:  ConnectConfig{InstanceARN: "arn:aws:connect:eu-west-2:111122223333:instance/abcd-1234"},
		Recorder: RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: "41000-41099"},
	})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- r.Serve(context.Background()) }()
	defer func() {
		if err := errors.Join(r.Close(), <-served); err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	resp, err := http.Get(r.URL() + "/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"/v1/ingest/connect/agent-events",
		"/v1/ingest/connect/dead-letters",
		"/v1/conversations/{id}/recording.wav",
		"/v1/conversations/{id}/recording/segments",
		"/v1/conversations/{id}/transcript",
		"/v1/conversations/{id}/{capability}/{operation}",
	} {
		if _, ok := doc.Paths[want]; !ok {
			t.Errorf("%s is not documented", want)
		}
	}
	for _, ref := range regexp.MustCompile(`#/components/schemas/([A-Za-z]+)`).FindAllStringSubmatch(string(body), -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("schema %s is referenced but not defined", ref[1])
		}
	}
}
