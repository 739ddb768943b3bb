package anchor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hush-cc/hush/internal/audit"
)

// FileSink appends each checkpoint as one JSON line to a file, synced to
// disk. Keep the file outside hush's data directory, ideally on another
// machine's mount or marked append-only (chattr +a), so that whoever can
// rewrite the database cannot rewrite it too.
type FileSink struct{ Path string }

// Name identifies the sink.
func (f FileSink) Name() string { return "file " + f.Path }

// Publish appends c.
func (f FileSink) Publish(_ context.Context, c audit.Checkpoint) error {
	line, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	fh, err := os.OpenFile(f.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open checkpoint file: %w", err)
	}
	_, err = fh.Write(append(line, '\n'))
	return errors.Join(err, fh.Sync(), fh.Close())
}

// maxLine bounds one line of a checkpoint file.
const maxLine = 4096

// ReadFile reads every checkpoint of a file written by FileSink (or saved
// by a webhook receiver, one JSON checkpoint per line).
func ReadFile(path string) ([]audit.Checkpoint, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open checkpoints: %w", err)
	}
	defer fh.Close()
	return readLines(fh, path)
}

func readLines(r io.Reader, name string) ([]audit.Checkpoint, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, maxLine), maxLine)
	var out []audit.Checkpoint
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var c audit.Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, n, err)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}
