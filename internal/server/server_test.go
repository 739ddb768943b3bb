package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// Shutdown ends streams but lets a request in flight finish with its
// context intact: a command being persisted when hush is told to stop is
// persisted, not cancelled.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	entered := make(chan struct{})
	streamsStopped := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-streamsStopped // shutdown has begun and told the streams to end
		fmt.Fprint(w, r.Context().Err())
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	srv.RegisterOnShutdown(func() { close(streamsStopped) })
	served := make(chan error, 1)
	go func() { served <- serveHTTP(ctx, srv, ln, slog.New(slog.DiscardHandler)) }()

	type answer struct {
		body string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/")
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		answered <- answer{string(b), err}
	}()
	<-entered
	cancel()
	a := <-answered
	if a.err != nil {
		t.Fatalf("in-flight request failed at shutdown: %v", a.err)
	}
	if a.body != "<nil>" {
		t.Fatalf("in-flight request's context at shutdown: %s, want still live", a.body)
	}
	if err := <-served; err != nil {
		t.Fatalf("serveHTTP: %v", err)
	}
}

// A serving hush with an event stream open shuts down cleanly when told
// to: the stream ends instead of holding the shutdown up. No logger given
// means the default one, not a crash.
func TestServeShutsDownWithAnOpenEventStream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := New(ctx, Config{Data: t.TempDir(), Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ran := make(chan error, 1)
	go func() { ran <- s.Serve(ctx) }()
	key, err := os.ReadFile(s.AdminKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", s.URL()+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(key)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body := bufio.NewReader(resp.Body)
	if line, err := body.ReadString('\n'); err != nil || !strings.HasPrefix(line, ": hush events") {
		t.Fatalf("stream opened with %q, %v", line, err)
	}

	cancel()
	if err := <-ran; err != nil {
		t.Fatalf("Serve after shutdown: %v", err)
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		t.Fatalf("the stream did not end cleanly: %v", err)
	}
}
