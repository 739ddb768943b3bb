package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// readmeExample is one curl command of README.md and the answer README
// shows for it.
type readmeExample struct {
	command string
	answer  []string
}

// readmeExamples reads the API walkthrough of README.md: its curl commands
// (continued lines joined) and the "# ->" answers below them.
func readmeExamples(t *testing.T) []readmeExample {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(raw), "```sh\nHUSH=")
	if !ok {
		t.Fatal("README.md has no API walkthrough (a sh block starting HUSH=)")
	}
	block, _, _ = strings.Cut(block, "```")
	var out []readmeExample
	lines := strings.Split(block, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case strings.HasPrefix(line, "curl "):
			for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
				i++
				line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
			}
			out = append(out, readmeExample{command: line})
		case strings.HasPrefix(line, "# -> ") && len(out) > 0:
			out[len(out)-1].answer = append(out[len(out)-1].answer, strings.TrimPrefix(line, "# -> "))
		case strings.HasPrefix(line, "#    ") && len(out) > 0 && len(out[len(out)-1].answer) > 0:
			out[len(out)-1].answer = append(out[len(out)-1].answer, strings.TrimPrefix(line, "#    "))
		}
	}
	return out
}

// pair is a "key":value of a shown answer with a scalar value.
var pair = regexp.MustCompile(`"([A-Za-z]+)":("[^"…]*"|-?[0-9]+|true|false|null)[,}\]]`)

// README's API walkthrough runs as written against a real hush, and every
// field its answers show is in what hush answers.
func TestReadmeExamplesAreWhatHushAnswers(t *testing.T) {
	h := startLiveHush(t, nil)
	agent := h.newKey("agent", "alice")
	examples := readmeExamples(t)
	if len(examples) < 8 {
		t.Fatalf("found %d curl examples in README.md", len(examples))
	}
	for _, ex := range examples {
		cmd := ex.command
		if strings.HasPrefix(cmd, "curl -sN") {
			// A stream does not end by itself: take its first second.
			cmd = strings.Replace(cmd, "curl -sN", "curl -sN --max-time 1", 1)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c := exec.CommandContext(ctx, "bash", "-c", cmd)
		c.Env = append(os.Environ(), "HUSH="+h.url, "ADMIN="+h.admin, "AGENT="+agent)
		out, err := c.Output()
		cancel()
		if err != nil && !strings.Contains(cmd, "--max-time") {
			t.Fatalf("%s: %v", ex.command, err)
		}
		if len(ex.answer) == 0 {
			t.Errorf("README shows no answer for %s", ex.command)
			continue
		}
		shown := strings.Join(ex.answer, "\n")
		var compact bytes.Buffer
		if json.Compact(&compact, bytes.TrimSpace(out)) == nil {
			out = compact.Bytes()
		}
		pairs := pair.FindAllStringSubmatch(shown, -1)
		if !strings.HasPrefix(shown, "{") {
			// Not JSON (the event stream): each line's words before a number.
			for _, l := range ex.answer {
				word := strings.TrimRight(l, "0123456789 ")
				if !bytes.Contains(out, []byte(word)) {
					t.Errorf("%s\nREADME shows %q; hush answered %s", ex.command, l, out)
				}
			}
			continue
		}
		if len(pairs) == 0 {
			t.Errorf("README's answer to %s shows no field", ex.command)
		}
		for _, p := range pairs {
			want := `"` + p[1] + `":` + p[2]
			if !bytes.Contains(out, []byte(want)) {
				t.Errorf("%s\nREADME shows %s; hush answered %s", ex.command, want, out)
			}
		}
	}
}
