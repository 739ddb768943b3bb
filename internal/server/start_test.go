package server_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/server"
)

// Start returns once hush answers, keeps it running after its context
// ends, and Stop shuts it down once however often it is called.
func TestStartServesUntilStop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	h, err := server.Start(ctx, server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	cancel() // only the wait was bounded
	if err != nil {
		t.Fatal(err)
	}
	key, err := h.AdminKey()
	if err != nil || !strings.HasPrefix(key, "hush_") {
		t.Fatalf("admin key %q, %v", key, err)
	}
	resp, err := http.Get(h.URL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after the start context ended: %v %v", resp, err)
	}
	resp.Body.Close()
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := h.Stop(); err != nil {
		t.Fatalf("a second Stop: %v", err)
	}
	if _, err := http.Get(h.URL() + "/healthz"); err == nil {
		t.Fatal("hush still answers after Stop")
	}
}

// A hush that cannot start says why instead of hanging.
func TestStartReportsAFailedStart(t *testing.T) {
	_, err := server.Start(context.Background(), server.Config{Data: t.TempDir(), Listen: "127.0.0.1:bad-port", Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !strings.Contains(err.Error(), "bad-port") {
		t.Fatalf("err = %v, want the listen error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := server.Start(ctx, server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("start with an ended context: %v", err)
	}
}
