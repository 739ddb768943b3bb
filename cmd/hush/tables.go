package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/dynamodb"
	"github.com/hush-cc/hush/internal/store/postgres"
)

// readStore is what the read-only commands need of either store.
type readStore interface {
	AuditEntries(ctx context.Context, q store.AuditQuery) ([]audit.Entry, error)
	VerifyAudit(ctx context.Context) error
	Conversations(ctx context.Context, q store.Query) ([]conversation.Conversation, error)
}

// storeFlags names where the state is: a data directory (hush serve), the
// PostgreSQL database nodes share, or a DynamoDB table (the Lambda
// deployment).
type storeFlags struct {
	data, url, table *string
}

func addStoreFlags(fs *flag.FlagSet) storeFlags {
	return storeFlags{
		data:  fs.String("data", "hush-data", "data directory of hush serve"),
		url:   fs.String("store", "", "postgres://… URL of the database hush nodes share (hush serve --store)"),
		table: fs.String("table", "", "DynamoDB table of the Lambda deployment (the stack's TableName output); AWS settings from the SDK's standard sources"),
	}
}

// open opens the named store; close releases it.
func (f storeFlags) open(ctx context.Context) (st readStore, closeFn func(), err error) {
	if *f.table != "" {
		awsCfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("load AWS config: %w", err)
		}
		s, err := dynamodb.New(ddb.NewFromConfig(awsCfg), *f.table)
		if err != nil {
			return nil, nil, err
		}
		return s, func() {}, nil
	}
	if *f.url != "" {
		s, err := postgres.Open(ctx, *f.url)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	if _, err := os.Stat(filepath.Join(*f.data, server.DBFile)); errors.Is(err, os.ErrNotExist) {
		return nil, nil, fmt.Errorf("no hush database in %s", *f.data)
	}
	s, err := server.OpenStore(ctx, *f.data)
	if err != nil {
		return nil, nil, err
	}
	return s, func() { s.Close() }, nil
}

func auditList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit list", stderr)
	where := addStoreFlags(fs)
	conv := fs.String("conversation", "", "only this conversation's entries")
	limit := fs.Int("limit", 100, "most entries to list (the oldest first, after --after)")
	after := fs.Int64("after", 0, "list entries after this sequence number")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *limit <= 0 {
		return usageError{"--limit must be positive"}
	}
	st, done, err := where.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	// One more than asked says whether the list is complete.
	entries, err := st.AuditEntries(ctx, store.AuditQuery{ConversationID: *conv, After: *after, Limit: *limit + 1})
	if err != nil {
		return err
	}
	more := len(entries) > *limit
	entries = entries[:min(len(entries), *limit)]
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME (UTC)\tCONVERSATION\tACTOR\tACTION\tCAPABILITY\tOUTCOME\tREASON")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.At.UTC().Format(time.DateTime), cell(e.ConversationID),
			cell(e.Actor), cell(e.Action), cell(e.Capability), cell(e.Outcome), cell(e.Reason))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case more:
		fmt.Fprintf(stdout, "%d entries shown; more follow: --after %d\n", len(entries), entries[len(entries)-1].Seq)
	default:
		fmt.Fprintf(stdout, "%d entries\n", len(entries))
	}
	return nil
}

func conversationsList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("conversations list", stderr)
	where := addStoreFlags(fs)
	active := fs.Bool("active", false, "only calls that have not ended")
	limit := fs.Int("limit", 100, "most conversations to list")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *limit <= 0 {
		return usageError{"--limit must be positive"}
	}
	st, done, err := where.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	convs, err := st.Conversations(ctx, store.Query{ActiveOnly: *active, Limit: *limit + 1})
	if err != nil {
		return err
	}
	more := len(convs) > *limit
	convs = convs[:min(len(convs), *limit)]
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAGENT\tPLATFORM\tCALL\tRECORDING\tTRANSCRIPTION\tHELD\tUPDATED (UTC)")
	for _, c := range convs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(c.ID), cell(c.AgentID), cell(c.Platform), c.CallState,
			capCell(c.Recording), capCell(c.Transcription), cell(reasonsCell(c)), c.UpdatedAt.UTC().Format(time.DateTime))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if more {
		fmt.Fprintf(stdout, "%d conversations shown; more exist (raise --limit)\n", len(convs))
	} else {
		fmt.Fprintf(stdout, "%d conversations\n", len(convs))
	}
	return nil
}

// capCell shows the confirmed state, and the desired one when they differ.
func capCell(c conversation.Cap) string {
	if d := c.Desired(); d != c.State {
		return string(c.State) + " -> " + string(d)
	}
	return string(c.State)
}

func reasonsCell(c conversation.Conversation) string {
	var out []string
	for _, r := range c.Recording.Reasons {
		s := string(r.Kind)
		if r.ID != "" {
			s += ":" + r.ID
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

// cell keeps one value on one line and in one column, whatever it holds.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 60 {
		s = string(r[:59]) + "…"
	}
	return s
}
