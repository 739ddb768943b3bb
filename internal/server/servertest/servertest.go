// Package servertest runs a hush server in the background of a test, as
// net/http/httptest does an HTTP server.
package servertest

import (
	"context"
	"errors"
	"testing"

	"github.com/hush-cc/hush/internal/server"
)

// Start builds hush from cfg and serves it until the test ends or Close is
// called on it. The test fails if hush does not build, or if serving or
// closing it fails.
func Start(t testing.TB, cfg server.Config) *server.Server {
	t.Helper()
	s, err := server.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("hush did not start: %v", err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(context.Background()) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close hush: %v", err)
		}
		if err := <-served; err != nil && !errors.Is(err, server.ErrClosed) {
			t.Errorf("hush served with: %v", err)
		}
	})
	return s
}
