package e2e

import (
	"bufio"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
)

// Two hush nodes share one PostgreSQL database: a call registered and
// paused through one is seen, paused, by the other, and an event stream
// open on the other hears it at once.
func TestTwoNodesShareOnePostgreSQL(t *testing.T) {
	t.Parallel()
	url := pgtest.Database(t)
	node := func() *server.Server {
		return servertest.Start(t, server.Config{Data: t.TempDir(), Listen: "127.0.0.1:0", StoreURL: url,
			Logger: slog.New(slog.DiscardHandler)})
	}
	a := node()
	key, err := a.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	b := node()
	if b.AdminKeyFile() != "" {
		t.Fatal("the second node made another first admin key")
	}

	// A stream on node B, from now on.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.URL()+"/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("stream on node B: %v %v", res, err)
	}
	defer res.Body.Close()
	heard := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			heard <- sc.Text()
		}
		close(heard)
	}()

	api := demo.API{Base: a.URL(), Key: key}
	if err := api.Do(ctx, "POST", "/v1/conversations", map[string]string{"id": "c1", "agentId": "alice"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := api.Do(ctx, "POST", "/v1/conversations/c1/recording/pause", map[string]string{"reason": "card"}, nil); err != nil {
		t.Fatal(err)
	}
	for found := false; !found; {
		select {
		case line, ok := <-heard:
			if !ok {
				t.Fatal("node B's stream ended")
			}
			found = strings.HasPrefix(line, "data:") && strings.Contains(line, `"desiredState":"paused"`)
		case <-ctx.Done():
			t.Fatal("node B's stream never heard node A's pause")
		}
	}
	var c struct {
		Recording struct{ State, Desired string }
	}
	if err := (demo.API{Base: b.URL(), Key: key}).Do(ctx, "GET", "/v1/conversations/c1", nil, &c); err != nil {
		t.Fatal(err)
	}
	if c.Recording.State != "paused" {
		t.Fatalf("node B sees recording %+v", c.Recording)
	}
	verifiedStore(t, url)
}
