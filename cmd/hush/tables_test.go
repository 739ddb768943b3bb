package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store/dynamodb"
)

// The Lambda deployment's state, in DynamoDB, read as tables: the same
// commands as for hush serve's data directory, with --table.
func TestTablesFromDynamoDB(t *testing.T) {
	ctx := context.Background()
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_DYNAMODB", peertest.Dynalite(t))
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := ddb.NewFromConfig(awsCfg)
	if err := dynamodb.CreateTable(ctx, client, "hush"); err != nil {
		t.Fatal(err)
	}
	st, err := dynamodb.New(client, "hush")
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{none.Platform: none.Backend{}}})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(time.Second) })
	for _, id := range []string{"call-1", "call-2"} {
		if _, err := eng.Create(ctx, conversation.Spec{ID: id, AgentID: "ana", Platform: none.Platform,
			Recording: conversation.InProgress, Transcription: conversation.NotStarted}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eng.Apply(ctx, "call-1", conversation.Input{Kind: conversation.KindHold, Actor: "amazon-connect:ana", EventID: "ev-1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Apply(ctx, "call-2", conversation.Input{Kind: conversation.KindCommand, Capability: conversation.Recording,
		Operation: conversation.OpPause, Actor: "agent:ana", Note: "card\tnumber\nnext line"}); err != nil {
		t.Fatal(err)
	}

	var out, errs bytes.Buffer
	if code := run(ctx, []string{"conversations", "list", "--table", "hush"}, &out, &errs); code != 0 {
		t.Fatalf("conversations list: exit %d: %s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID ") || lines[3] != "2 conversations" {
		t.Fatalf("conversations list:\n%s", out.String())
	}
	for _, want := range []string{"call-1", "hold", "call-2", "manual:agent:ana", "paused", "on-hold"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("conversations list does not show %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	if code := run(ctx, []string{"audit", "list", "--table", "hush", "--conversation", "call-2"}, &out, &errs); code != 0 {
		t.Fatalf("audit list: exit %d: %s", code, errs.String())
	}
	text := out.String()
	if !strings.Contains(text, "command.pause") || !strings.Contains(text, "card number next line") || strings.Contains(text, "call-1") {
		t.Fatalf("audit list of call-2:\n%s", text)
	}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if strings.Contains(l, "\t") {
			t.Fatalf("a tab reached the table: %q", l)
		}
	}

	out.Reset()
	if code := run(ctx, []string{"audit", "list", "--table", "hush", "--limit", "1"}, &out, &errs); code != 0 || !strings.Contains(out.String(), "1 entries shown; more follow: --after 1") {
		t.Fatalf("audit list --limit 1: exit %d:\n%s", code, out.String())
	}
	out.Reset()
	if code := run(ctx, []string{"audit", "verify", "--table", "hush"}, &out, &errs); code != 0 || out.String() != "audit chain intact\n" {
		t.Fatalf("audit verify: exit %d: %s %s", code, out.String(), errs.String())
	}
	if code := run(ctx, []string{"audit", "list", "--table", "hush", "--limit", "0"}, &out, &errs); code != 2 {
		t.Fatalf("--limit 0: exit %d", code)
	}
}
