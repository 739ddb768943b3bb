package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/hush-cc/hush/internal/testwait"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// t0 is when the scripted calls start.
var connectT0 = time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)

// awsEnv points the SDK's standard configuration at the local peers, with
// fake credentials, and away from any real configuration on the machine.
func connectAWSEnv(t testing.TB, connectURL, kinesisURL string) {
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_CONNECT", connectURL, "AWS_ENDPOINT_URL_KINESIS", kinesisURL)
}

func connectKinesisClient(t testing.TB) *kinesis.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return kinesis.NewFromConfig(cfg)
}

// createStream creates a one-shard stream and waits until it is active.
func createConnectStream(t testing.TB, kc *kinesis.Client, name string) {
	t.Helper()
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

// connectHush is a hush serving in this process with the Connect adapter,
// its fake Connect API and its stream.
type connectHush struct {
	t       testing.TB
	connect *connecttest.Server
	kc      *kinesis.Client
	stream  string
	data    string
	addr    string
	key     string
	// lastSeq is the sequence number of the last record put, per shard.
	lastSeq map[string]string
	st      *sqlite.Store
}

// startConnectHush starts kinesalite-backed hush with a fresh stream and a
// fresh fake Connect API; kinesisURL is a running kinesalite.
func startConnectHush(t testing.TB, kinesisURL string, tune func(*server.ConnectConfig)) *connectHush {
	t.Helper()
	h := &connectHush{t: t, connect: connecttest.Start(t), stream: "agent-events", data: t.TempDir(), lastSeq: map[string]string{}}
	connectAWSEnv(t, h.connect.URL(), kinesisURL)
	h.stream = "s-" + strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())
	if len(h.stream) > 120 {
		h.stream = h.stream[:120]
	}
	h.kc = connectKinesisClient(t)
	createConnectStream(t, h.kc, h.stream)
	cc := server.ConnectConfig{InstanceARN: connecttest.InstanceARN, KinesisStream: h.stream, Rate: 1000, Burst: 1000}
	if tune != nil {
		tune(&cc)
	}
	h.run(cc)
	return h
}

// run starts hush serve in this process; it serves until the test ends.
func (h *connectHush) run(cc server.ConnectConfig) {
	t := h.t
	t.Helper()
	r := servertest.Start(t, server.Config{Data: h.data, Listen: "127.0.0.1:0", Connect: cc, ReconcileEvery: time.Second,
		Logger: connectTestLogger()})
	h.addr = r.Addr()
	if r.AdminKeyFile() != "" {
		var err error
		if h.key, err = r.AdminKey(); err != nil {
			t.Error(err)
		}
	}
	if h.st == nil {
		st, err := sqlite.Open(context.Background(), filepath.Join(h.data, server.DBFile))
		if err != nil {
			t.Fatal(err)
		}
		h.st = st
		t.Cleanup(func() { st.Close() })
	}
}

// put writes agent event records to the stream, the agent ARN as
// partition key, as Connect does.
func (h *connectHush) put(evs ...connecttest.Event) {
	h.t.Helper()
	for _, ev := range evs {
		h.putRaw(ev.Agent.ARN, ev.JSON())
	}
}

func (h *connectHush) putRaw(key string, data []byte) {
	h.t.Helper()
	out, err := h.kc.PutRecord(context.Background(), &kinesis.PutRecordInput{
		StreamName: aws.String(h.stream), PartitionKey: aws.String(key), Data: data,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.lastSeq[aws.ToString(out.ShardId)] = aws.ToString(out.SequenceNumber)
}

// settled reports whether every record put is checkpointed and every
// conversation has reached its desired recording state (or failed for good).
func (h *connectHush) settled() bool {
	ctx := context.Background()
	for shard, seq := range h.lastSeq {
		cp, err := h.st.Checkpoint(ctx, h.stream, shard)
		if err != nil || cp != seq {
			return false
		}
	}
	convs, err := h.st.Conversations(ctx, store.Query{})
	if err != nil {
		return false
	}
	for _, c := range convs {
		for _, k := range conversation.AllCapabilities() {
			cp := c.Cap(k)
			final := cp.Failure != nil && cp.Failure.Final && cp.Failure.Target == cp.Desired()
			if cp.Driving != nil || (!cp.Converged() && !final) {
				return false
			}
		}
	}
	return true
}

// expectCalls waits until hush has settled and Connect has had at least
// len(want) calls, then requires exactly want, in order.
func (h *connectHush) expectCalls(want ...string) {
	h.t.Helper()
	defer func() {
		if h.t.Failed() {
			h.debugState(h.t)
		}
	}()
	waitConnect(h.t, "hush to settle", func() bool { return h.settled() && len(h.connect.Calls()) >= len(want) })
	if got := h.connect.Ops(); !slices.Equal(got, want) {
		h.t.Fatalf("Connect calls:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// conversation reads one conversation from the store.
func (h *connectHush) conversation(id string) conversation.Conversation {
	h.t.Helper()
	c, err := h.st.Conversation(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// do calls hush's HTTP API with the admin key and decodes the answer.
func (h *connectHush) do(method, path string, body []byte, out any) int {
	h.t.Helper()
	req, err := http.NewRequest(method, "http://"+h.addr+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+h.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

// waitConnect waits until cond holds.
func waitConnect(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testwait.Eventually(t, func() (bool, error) { return cond(), nil }, "%s", what)
}

// kinesalite starts the Kinesis peer for a group of scenarios.
func startKinesalite(t testing.TB) string { return peertest.Kinesalite(t) }

// testLogger discards hush's log unless HUSH_TEST_LOG is set.
func connectTestLogger() *slog.Logger {
	if os.Getenv("HUSH_TEST_LOG") == "" {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// debugState logs what hush holds, to explain a failed wait.
func (h *connectHush) debugState(t testing.TB) {
	ctx := context.Background()
	for shard, seq := range h.lastSeq {
		cp, err := h.st.Checkpoint(ctx, h.stream, shard)
		t.Logf("shard %s: last record %s, checkpoint %s (%v)", shard, seq, cp, err)
	}
	convs, err := h.st.Conversations(ctx, store.Query{})
	if err != nil {
		t.Logf("conversations: %v", err)
	}
	for _, c := range convs {
		t.Logf("conversation %s: call %s, recording %+v", c.ID, c.CallState, c.Recording)
	}
	t.Logf("Connect calls: %q", h.connect.Ops())
}
