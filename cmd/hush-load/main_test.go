package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

// Values the load loop cannot run with are refused, not turned into a
// division by zero or an empty conversation set.
func TestParseOptionsRefusesWhatCannotRun(t *testing.T) {
	for _, args := range [][]string{
		{"--rate", "0"},
		{"--rate", "-5"},
		{"--conversations", "0"},
		{"--duration", "0s"},
		{"--warmup", "-1s"},
		{"extra"},
		{"--url", " , "},
	} {
		if _, err := parseOptions(args, io.Discard); err == nil {
			t.Errorf("%s: accepted", strings.Join(args, " "))
		}
	}
	o, err := parseOptions([]string{"--rate", "50", "--conversations", "3", "--duration", "1h"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.rate != 50 || o.convs != 3 || o.duration != 10*time.Minute {
		t.Fatalf("options = %+v, want rate 50, 3 conversations, duration bounded to 10m", o)
	}
}

func TestResultsPrintWithoutElapsedTime(t *testing.T) {
	var b strings.Builder
	(&results{}).print(&b, 10)
	if !strings.Contains(b.String(), "achieved 0 req/s") {
		t.Fatalf("report = %q", b.String())
	}
}

// Several URLs take the requests in turn.
func TestBasesSplitsTheURLList(t *testing.T) {
	got := bases("http://a:1/, http://b:2,,http://c:3")
	if want := []string{"http://a:1", "http://b:2", "http://c:3"}; !slices.Equal(got, want) {
		t.Fatalf("bases = %q, want %q", got, want)
	}
}
