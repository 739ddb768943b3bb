package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/server"
)

func keysCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys create", stderr)
	data := fs.String("data", "hush-data", "data directory")
	roleName := fs.String("role", "", "admin, supervisor, agent or ingest")
	agent := fs.String("agent", "", "the agent id (required for --role agent)")
	name := fs.String("name", "", "display name of who holds the key, shown in the audit and the console")
	expires := fs.String("expires", "", "when the key stops working: a duration from now (720h) or an RFC 3339 time")
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
	now := time.Now()
	spec := auth.Spec{Role: role, AgentID: *agent, Name: *name, NoPause: !*mayPause}
	if spec.ExpiresAt, err = parseExpiry(*expires, now); err != nil {
		return usageError{err.Error()}
	}
	if err := spec.Validate(now); err != nil {
		return usageError{err.Error()}
	}
	st, err := server.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	token, _, err := auth.IssueKey(ctx, st, spec, auth.Actor{ID: "cli:keys-create"}, now)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

// parseExpiry reads --expires: empty (never), a duration from now, or a time.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--expires %s: must be in the future", s)
		}
		return now.Add(d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--expires %q: want a duration (720h) or an RFC 3339 time", s)
	}
	return t, nil
}

func keysList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys list", stderr)
	data := fs.String("data", "hush-data", "data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := server.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := st.ListKeys(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tROLE\tAGENT\tNAME\tSTATUS\tCREATED\tEXPIRES")
	for _, k := range keys {
		expires := "-"
		if !k.ExpiresAt.IsZero() {
			expires = k.ExpiresAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, dash(k.AgentID), dash(k.Name),
			auth.Status(k, now), k.CreatedAt.UTC().Format(time.RFC3339), expires)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// keyCommand runs revoke or rotate on the key named by the one argument.
func keyCommand(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keys "+verb, stderr)
	data := fs.String("data", "hush-data", "data directory")
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	switch {
	case id == "" && fs.NArg() == 1:
		id = fs.Arg(0)
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	case id == "":
		return usageError{"hush keys " + verb + " needs a key id (see hush keys list)"}
	}
	// Flags not given on the command line come from the environment.
	if err := parse(fs, nil); err != nil {
		return err
	}
	st, err := server.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	actor := auth.Actor{ID: "cli:keys-" + verb}
	switch verb {
	case "revoke":
		k, err := auth.Revoke(ctx, st, id, actor, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s revoked at %s\n", k.ID, k.RevokedAt.UTC().Format(time.RFC3339))
	case "rotate":
		token, _, err := auth.Rotate(ctx, st, id, actor, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, token)
	}
	return nil
}
