package main

import (
	"flag"
	"io"
	"testing"
)

// --agents-may-pause defaults to true and reads HUSH_AGENTS_MAY_PAUSE.
func TestAgentsMayPauseFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  string
		deny bool
	}{
		{nil, "", false},
		{[]string{"--agents-may-pause=false"}, "", true},
		{nil, "false", true},
		{[]string{"--agents-may-pause=true"}, "false", false},
	} {
		if tc.env != "" {
			t.Setenv("HUSH_AGENTS_MAY_PAUSE", tc.env)
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg, _ := serveFlags(fs, false)
		if err := parse(fs, tc.args); err != nil {
			t.Fatal(err)
		}
		if cfg.DenyAgentPause != tc.deny {
			t.Errorf("args %v env %q: DenyAgentPause = %v, want %v", tc.args, tc.env, cfg.DenyAgentPause, tc.deny)
		}
	}
}
