package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/server"
)

func keysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys create", stderr)
	data := fs.String("data", "hush-data", "data directory")
	roleName := fs.String("role", "", "admin, supervisor, agent or ingest")
	agent := fs.String("agent", "", "the agent id (required for --role agent)")
	mayPause := fs.Bool("may-pause", true, "false: an agent key that may not pause or resume")
	if err := parse(fs, args); err != nil {
		return err
	}
	role, err := auth.ParseRole(*roleName)
	if err != nil {
		return usageError{err.Error()}
	}
	if role == auth.Agent && *agent == "" {
		return usageError{"--role agent needs --agent ID"}
	}
	st, err := server.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	var opts []auth.KeyOption
	if !*mayPause {
		opts = append(opts, auth.NoPause())
	}
	token, _, err := auth.Issue(ctx, st, role, *agent, "cli:keys-create", time.Now(), opts...)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}
