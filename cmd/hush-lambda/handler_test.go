package main

import (
	"context"
	"fmt"
	"github.com/hush-cc/hush/internal/testwait"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/dynamodb"
)

var t0 = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)

const streamARN = "arn:aws:kinesis:us-east-1:123456789012:stream/agent-events"

type lambdaEnv struct {
	h       *Handler
	connect *connecttest.Server
	seq     int
}

// newLambdaEnv builds the handler as main does, from its environment, with
// DynamoDB on dynalite and Connect on the fake API.
func newLambdaEnv(t *testing.T, dynaliteURL string) *lambdaEnv { return newLambdaEnvTB(t, dynaliteURL) }

// newLambdaEnvTB is newLambdaEnv for tests and benchmarks.
func newLambdaEnvTB(t testing.TB, dynaliteURL string) *lambdaEnv {
	t.Helper()
	ctx := context.Background()
	srv := connecttest.Start(t)
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_DYNAMODB", dynaliteURL, "AWS_ENDPOINT_URL_CONNECT", srv.URL())
	table := "hush-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := dynamodb.CreateTable(ctx, ddb.NewFromConfig(awsCfg), table); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUSH_TEST_TABLE", table)
	env := map[string]string{
		"HUSH_TABLE":                table,
		"HUSH_CONNECT_INSTANCE_ARN": connecttest.InstanceARN,
		"HUSH_CONNECT_RATE":         "1000",
		"HUSH_CONNECT_BURST":        "1000",
		// The scripted events are stamped on a fixed past day.
		"HUSH_CONNECT_MAX_RECORD_AGE": "0",
	}
	cfg, err := configFromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	h, err := newHandler(ctx, cfg, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	h.Retry = engine.Retry{Attempts: 2, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}
	h.Wait = 20 * time.Second
	return &lambdaEnv{h: h, connect: srv}
}

// record wraps data as Lambda hands a Kinesis record over.
func (e *lambdaEnv) record(key string, data []byte) events.KinesisEventRecord {
	e.seq++
	seq := fmt.Sprintf("4968%020d", e.seq)
	return events.KinesisEventRecord{
		AwsRegion: "us-east-1", EventID: "shardId-000000000000:" + seq, EventName: "aws:kinesis:record",
		EventSource: "aws:kinesis", EventSourceArn: streamARN, EventVersion: "1.0",
		Kinesis: events.KinesisRecord{Data: data, PartitionKey: key, SequenceNumber: seq,
			ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: t0}, KinesisSchemaVersion: "1.0"},
	}
}

func (e *lambdaEnv) batch(evs ...connecttest.Event) events.KinesisEvent {
	var b events.KinesisEvent
	for _, ev := range evs {
		b.Records = append(b.Records, e.record(ev.Agent.ARN, ev.JSON()))
	}
	return b
}

func failures(r events.KinesisEventResponse) []string {
	var out []string
	for _, f := range r.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func person(id string) connecttest.Agent {
	return connecttest.Agent{ARN: connecttest.AgentARN(id), Username: id}
}

func sorted(ops []string) []string {
	ops = slices.Clone(ops)
	slices.Sort(ops)
	return ops
}

func TestHandler(t *testing.T) {
	dyn := peertest.Dynalite(t)
	voice := connecttest.Voice

	t.Run("applies a batch and dead-letters poison", func(t *testing.T) {
		e := newLambdaEnv(t, dyn)
		ctx := context.Background()
		ana, bo := connecttest.NewScript(person("ana"), t0), connecttest.NewScript(person("bo"), t0)
		b := e.batch(ana.Next(voice("a1", "CONNECTED")), bo.Next(voice("b1", "CONNECTED")), ana.Next(voice("a1", "CONNECTED_ONHOLD")))
		truncated := ana.Next(voice("a1", "CONNECTED")).JSON()
		b.Records = append(b.Records, e.record(person("ana").ARN, truncated[:40]), e.record("x", []byte("\xff")))
		resp, err := e.h.Handle(ctx, b)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("response %+v, %v", resp, err)
		}
		// Handle returns after the calls are made and their results stored.
		if got := e.connect.Ops(); !slices.Equal(got, []string{"SuspendContactRecording a1 200"}) {
			t.Fatalf("calls %q", got)
		}
		c, err := e.h.Store.Conversation(ctx, "a1")
		if err != nil || c.Recording.State != conversation.Paused || c.Recording.Driving != nil || c.Platform != amazonconnect.Platform {
			t.Fatalf("a1 = %+v, %v", c, err)
		}
		dls, err := amazonconnect.ListDeadLetters(ctx, e.h.Store, 0)
		if err != nil || len(dls) != 2 || dls[0].Stream != "agent-events" || dls[0].ShardID != "shardId-000000000000" {
			t.Fatalf("dead letters %+v, %v", dls, err)
		}
		reasons := []string{dls[0].Reason, dls[1].Reason}
		slices.Sort(reasons)
		if !slices.Equal(reasons, []string{"invalid-json", "invalid-utf8"}) {
			t.Fatalf("reasons %v", reasons)
		}
		// The next batch; the first again (a retried batch) changes nothing.
		next := e.batch(ana.Next(voice("a1", "CONNECTED")), bo.Next(voice("b1", "CONNECTED_ONHOLD")))
		for _, batch := range []events.KinesisEvent{next, b} {
			if resp, err := e.h.Handle(ctx, batch); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("response %+v, %v", resp, err)
			}
		}
		want := []string{"ResumeContactRecording a1 200", "SuspendContactRecording a1 200", "SuspendContactRecording b1 200"}
		if got := sorted(e.connect.Ops()); !slices.Equal(got, want) {
			t.Fatalf("calls %q, want %q", got, want)
		}
		var out, errb strings.Builder
		table := os.Getenv("HUSH_TEST_TABLE")
		if code := runCLI(ctx, []string{"audit", "verify", "--table", table}, &out, &errb); code != 0 || !strings.Contains(out.String(), "intact") {
			t.Fatalf("audit verify: %d %s %s", code, out.String(), errb.String())
		}
		out.Reset()
		if code := runCLI(ctx, []string{"dead-letters", "--table", table}, &out, &errb); code != 0 || strings.Count(out.String(), `"sequenceNumber"`) != 2 {
			t.Fatalf("dead-letters: %d %s %s", code, out.String(), errb.String())
		}
		if code := runCLI(ctx, []string{"audit", "verify"}, &out, &errb); code != 2 {
			t.Fatalf("no table: exit %d", code)
		}
		entries, _ := e.h.Store.AuditEntries(ctx, store.AuditQuery{ConversationID: "a1"})
		var actions []string
		for _, en := range entries {
			actions = append(actions, en.Action+" "+en.Outcome)
		}
		wantA := []string{"create applied", "event.hold applied", "backend.result succeeded", "event.unhold applied", "backend.result succeeded"}
		if !slices.Equal(actions, wantA) {
			t.Fatalf("audit of a1:\n%s", strings.Join(actions, "\n"))
		}
	})

	t.Run("records no store can hold are dead letters and not retried", func(t *testing.T) {
		e := newLambdaEnv(t, dyn)
		ctx := context.Background()
		long := connecttest.NewScript(person("lo"), t0)
		b := e.batch(long.Next(voice(strings.Repeat("c", 3000), "CONNECTED")))
		b.Records = append(b.Records, e.record("x", []byte(strings.Repeat("{", 1<<20))))
		resp, err := e.h.Handle(ctx, b)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("response %+v, %v: such records would fail every delivery", resp, err)
		}
		dls, err := amazonconnect.ListDeadLetters(ctx, e.h.Store, 0)
		if err != nil || len(dls) != 2 {
			t.Fatalf("dead letters %d, %v", len(dls), err)
		}
	})

	t.Run("partial batch failure", func(t *testing.T) {
		e := newLambdaEnv(t, dyn)
		e.connect.FailContact("x1", connecttest.InternalError)
		x, y := connecttest.NewScript(person("xi"), t0), connecttest.NewScript(person("yu"), t0)
		b := e.batch(y.Next(voice("y1", "CONNECTED")), x.Next(voice("x1", "CONNECTED")), y.Next(voice("y1", "CONNECTED_ONHOLD")), x.Next(voice("x1", "CONNECTED_ONHOLD")))
		// x1's drive fails until the deadline; the margin leaves the
		// handler time to read back both conversations, even on a slow
		// machine, so that only x1's first record is reported.
		ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
		defer cancel()
		e.h.Margin = 1500 * time.Millisecond
		resp, err := e.h.Handle(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		// x1's first record is reported: Lambda retries from there.
		if got := failures(resp); !slices.Equal(got, []string{b.Records[1].Kinesis.SequenceNumber}) {
			t.Fatalf("failures %v", got)
		}
		calls := e.connect.Ops()
		if !slices.Contains(calls, "SuspendContactRecording y1 200") || !slices.Contains(calls, "SuspendContactRecording x1 500") {
			t.Fatalf("calls %q", calls)
		}
		// Connect recovers; Lambda hands the batch over again from record 1.
		e.connect.FailContact("x1", connecttest.Fault{})
		before := len(calls)
		retry := events.KinesisEvent{Records: b.Records[1:]}
		resp, err = e.h.Handle(context.Background(), retry)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("retry: %+v, %v", resp, err)
		}
		if got := e.connect.Ops()[before:]; !slices.Equal(got, []string{"SuspendContactRecording x1 200"}) {
			t.Fatalf("calls on retry %q", got)
		}
	})

	t.Run("a drive cut by the deadline is made by the next invocation", func(t *testing.T) {
		e := newLambdaEnv(t, dyn)
		e.connect.SetDelay(2500 * time.Millisecond)
		z := connecttest.NewScript(person("zo"), t0)
		b := e.batch(z.Next(voice("z1", "CONNECTED")), z.Next(voice("z1", "CONNECTED_ONHOLD")))
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		defer cancel()
		e.h.Margin = 500 * time.Millisecond
		resp, err := e.h.Handle(ctx, b)
		if err != nil || !slices.Equal(failures(resp), []string{b.Records[0].Kinesis.SequenceNumber}) {
			t.Fatalf("response %+v, %v", resp, err)
		}
		c, _ := e.h.Store.Conversation(context.Background(), "z1")
		if c.Recording.Driving == nil {
			t.Fatalf("recording %+v: the drive should be left in flight", c.Recording)
		}
		e.connect.SetDelay(0)
		// Every event is a duplicate now; the agent's remembered contacts
		// are reconciled, which makes the call again.
		resp, err = e.h.Handle(context.Background(), b)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("retry: %+v, %v", resp, err)
		}
		c, _ = e.h.Store.Conversation(context.Background(), "z1")
		if c.Recording.State != conversation.Paused || c.Recording.Driving != nil {
			t.Fatalf("recording %+v", c.Recording)
		}
		waitCalls(t, e.connect, 2)
		if got := e.connect.Ops(); !slices.Equal(got, []string{"SuspendContactRecording z1 200", "SuspendContactRecording z1 200"}) {
			t.Fatalf("calls %q", got)
		}
		if err := e.h.Store.VerifyAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// waitCalls waits for the fake Connect to have recorded n calls: one cut off
// by the client is still recorded once the server finishes it.
func waitCalls(t *testing.T, srv *connecttest.Server, n int) {
	t.Helper()
	testwait.Eventually(t, func() (bool, error) {
		got := len(srv.Calls())
		return got >= n, fmt.Errorf("%d calls", got)
	}, "%d Connect calls", n)
}

func TestConfigFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	base := []string{"HUSH_TABLE", "t", "HUSH_CONNECT_INSTANCE_ARN", connecttest.InstanceARN}
	cfg, err := configFromEnv(env(append(base, "HUSH_CONNECT_RECORDING_TYPES", "hold=agent+screen")...))
	if err != nil || cfg.Rate != 2 || cfg.Burst != 5 || cfg.Shards != 1 || cfg.AgentID != "username" || cfg.RecordingTypes.String() != "hold=AGENT+SCREEN,secure=AGENT+SCREEN,manual=AGENT+SCREEN,source=AGENT,auto=AGENT+SCREEN,consent=AGENT+SCREEN" ||
		cfg.Margin != 3*time.Second || cfg.MaxRecordAge != 10*time.Minute {
		t.Fatalf("config %+v, %v", cfg, err)
	}
	// Four shards, four instances: each takes a quarter of the quota.
	cfg, err = configFromEnv(env(append(base, "HUSH_CONNECT_SHARDS", "4", "HUSH_CONNECT_MAX_RECORD_AGE", "0s")...))
	if r, b := cfg.share(); err != nil || r != 0.5 || b != 1 || cfg.MaxRecordAge != 0 {
		t.Fatalf("share of 4 shards: %v/s burst %d (%+v, %v)", r, b, cfg, err)
	}
	for _, bad := range [][]string{
		{"HUSH_TABLE", "t"},
		append(base, "HUSH_CONNECT_RATE", "0"),
		append(base, "HUSH_CONNECT_BURST", "x"),
		append(base, "HUSH_LOG_LEVEL", "loud"),
		append(base, "HUSH_DEADLINE_MARGIN", "-1s"),
		append(base, "HUSH_CONNECT_SHARDS", "0"),
		append(base, "HUSH_CONNECT_MAX_RECORD_AGE", "-1m"),
		append(base, "HUSH_CONNECT_RECORDING_TYPES", "hold=VIDEO"),
		{"HUSH_TABLE", "t", "HUSH_CONNECT_INSTANCE_ARN", "arn:aws:connect:us-east-1:1:nothing"},
	} {
		if _, err := configFromEnv(env(bad...)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// testLogger discards the function's log unless HUSH_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("HUSH_TEST_LOG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
