package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
)

// hushBin is cmd/hush as it ships (no race detector), built once by
// TestMain for every test that runs the binary.
var hushBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hush-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hushBin, err = buildHush(dir)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	pgtest.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildHush builds cmd/hush into dir, with the go command that runs the
// tests (go test puts it first on PATH).
func buildHush(dir string) (string, error) {
	bin := filepath.Join(dir, "hush")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/hush-cc/hush/cmd/hush")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/hush: %v\n%s", err, out)
	}
	return bin, nil
}
