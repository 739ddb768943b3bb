// Package peertest starts the Node protocol peers of test/peers (kinesalite,
// dynalite) for Go tests: in memory, on 127.0.0.1, on a port the system
// picks, stopped when the test ends. It is test support only.
package peertest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// readyTimeout bounds the wait for a peer's ready line; a healthy peer
// needs well under a second.
const readyTimeout = 30 * time.Second

// Kinesalite starts a Kinesis peer and returns its endpoint URL, for
// AWS_ENDPOINT_URL_KINESIS or the client's BaseEndpoint.
func Kinesalite(t testing.TB) string { return Start(t, "kinesalite") }

// Dynalite starts a DynamoDB peer and returns its endpoint URL, for
// AWS_ENDPOINT_URL_DYNAMODB or the client's BaseEndpoint.
func Dynalite(t testing.TB) string { return Start(t, "dynalite") }

// Start runs `node test/peers/NAME.js 0`, waits for its ready line and
// returns the URL it announced. It fails the test when the peer cannot run;
// a missing install is a failure, not a skip: `make test` installs them.
func Start(t testing.TB, name string) string {
	t.Helper()
	dir, err := peersDir()
	if err != nil {
		t.Fatalf("peer %s: %v", name, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", name)); err != nil {
		t.Fatalf("peer %s is not installed in %s: run `make test` (it runs npm ci there)", name, dir)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("peer %s needs Node.js on PATH: %v", name, err)
	}
	cmd := exec.Command(node, name+".js", "0")
	cmd.Dir = dir
	cmd.SysProcAttr = sysProcAttr()
	var stderr syncBuffer
	cmd.Stderr = &stderr
	// The peer exits when its stdin closes, so it cannot outlive us.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("peer %s: %v", name, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	url, err := awaitReady(stdout)
	if err != nil {
		t.Fatalf("peer %s: %v; stderr: %s", name, err, stderr.String())
	}
	return url
}

// awaitReady reads the peer's stdout until the ready line, then keeps
// draining it in the background so the peer never blocks on a full pipe.
func awaitReady(stdout io.Reader) (string, error) {
	type result struct {
		url string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if url, ok := strings.CutPrefix(sc.Text(), "ready "); ok {
				ch <- result{url: url}
				io.Copy(io.Discard, stdout)
				return
			}
		}
		ch <- result{err: errors.New("exited before it was ready")}
	}()
	select {
	case r := <-ch:
		return r.url, r.err
	case <-time.After(readyTimeout):
		return "", fmt.Errorf("not ready after %v", readyTimeout)
	}
}

// peersDir finds test/peers in the module root above the working directory
// (go test runs in the package directory).
func peersDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "test", "peers"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
