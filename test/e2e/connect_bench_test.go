package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
)

// Latency benchmarks: each iteration is one agent event that puts a new
// call on hold; the latency is from the event's arrival (PutRecord
// returned, or the POST sent) to the Suspend call reaching the fake Connect
// API. Events are offered at about 10 per second, spaced at random, so
// arrivals fall anywhere in a poll interval. Run with -benchtime=200x.

// holdEvent is the only event of a new agent: its new call, on hold.
func latencyHoldEvent(i int) connecttest.Event {
	a := connecttest.Agent{ARN: connecttest.AgentARN(fmt.Sprint("lat-", i)), Username: fmt.Sprint("lat-", i)}
	ev := connecttest.NewScript(a, connectT0).Next(connecttest.Voice(fmt.Sprint("lat-call-", i), "CONNECTED_ONHOLD"))
	return ev
}

// offeredGap spaces events: uniform in [0, 200 ms).
func latencyGap() time.Duration { return time.Duration(rand.Int64N(int64(200 * time.Millisecond))) }

// reportLatency waits for a call per event and reports p50 and p99.
func reportConnectLatency(b *testing.B, srv *connecttest.Server, sent map[string]time.Time) {
	b.Helper()
	waitConnect(b, "every call", func() bool { return len(srv.Calls()) >= len(sent) })
	b.StopTimer()
	var lat []time.Duration
	for _, c := range srv.Calls() {
		if at, ok := sent[c.ContactID]; ok && c.Status == http.StatusOK {
			lat = append(lat, c.At.Sub(at))
			delete(sent, c.ContactID)
		}
	}
	if len(sent) != 0 {
		b.Fatalf("%d events without a call", len(sent))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkKinesisToConnect: kinesalite → consumer (default 200 ms poll) →
// engine (SQLite) → Connect backend.
func BenchmarkKinesisToConnect(b *testing.B) {
	h := startConnectHush(b, peertest.Kinesalite(b), nil)
	sent := map[string]time.Time{}
	b.ResetTimer()
	for i := range b.N {
		ev := latencyHoldEvent(i)
		h.put(ev)
		sent[ev.Current[0].ID] = time.Now()
		time.Sleep(latencyGap())
	}
	reportConnectLatency(b, h.connect, sent)
}

// BenchmarkIngestToConnect: POST /v1/ingest/connect/agent-events → engine
// (SQLite) → Connect backend.
func BenchmarkIngestToConnect(b *testing.B) {
	h := startConnectHush(b, peertest.Kinesalite(b), nil)
	sent := map[string]time.Time{}
	b.ResetTimer()
	for i := range b.N {
		ev := latencyHoldEvent(i)
		sent[ev.Current[0].ID] = time.Now()
		if code := h.do("POST", "/v1/ingest/connect/agent-events", ev.JSON(), nil); code != http.StatusAccepted {
			b.Fatalf("ingest: %d", code)
		}
		time.Sleep(latencyGap())
	}
	reportConnectLatency(b, h.connect, sent)
}

// BenchmarkReferencePath emulates the reference solution's path on the same
// peers: the shard is polled once a second (the Lambda event source
// mapping's cadence for a quiet stream), and each record is handled one at a
// time: one DynamoDB PutItem (dynalite), then one Connect call.
func BenchmarkReferencePath(b *testing.B) {
	ctx := context.Background()
	srv := connecttest.Start(b)
	kin, dyn := peertest.Kinesalite(b), peertest.Dynalite(b)
	connectAWSEnv(b, srv.URL(), kin)
	b.Setenv("AWS_ENDPOINT_URL_DYNAMODB", dyn)
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		b.Fatal(err)
	}
	kc, cc, dc := kinesis.NewFromConfig(cfg), connect.NewFromConfig(cfg), ddb.NewFromConfig(cfg)
	createConnectStream(b, kc, "reference")
	if _, err := dc.CreateTable(ctx, &ddb.CreateTableInput{TableName: aws.String("audit"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		b.Fatal(err)
	}
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("reference")})
	if err != nil {
		b.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("reference"),
		ShardId: shards.Shards[0].ShardId, ShardIteratorType: ktypes.ShardIteratorTypeLatest})
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		iter := it.ShardIterator
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-tick.C:
			}
			out, err := kc.GetRecords(runCtx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				continue
			}
			iter = out.NextShardIterator
			for _, r := range out.Records {
				contact := aws.ToString(r.PartitionKey)
				if _, err := dc.PutItem(runCtx, &ddb.PutItemInput{TableName: aws.String("audit"), Item: map[string]ddbtypes.AttributeValue{
					"id": &ddbtypes.AttributeValueMemberS{Value: contact}, "data": &ddbtypes.AttributeValueMemberB{Value: r.Data}}}); err != nil {
					continue
				}
				cc.SuspendContactRecording(runCtx, &connect.SuspendContactRecordingInput{InstanceId: aws.String(connecttest.InstanceID),
					ContactId: aws.String(contact), InitialContactId: aws.String(contact)})
			}
		}
	}()
	sent := map[string]time.Time{}
	b.ResetTimer()
	for i := range b.N {
		ev := latencyHoldEvent(i)
		id := ev.Current[0].ID
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("reference"), PartitionKey: aws.String(id), Data: ev.JSON()}); err != nil {
			b.Fatal(err)
		}
		sent[id] = time.Now()
		time.Sleep(latencyGap())
	}
	reportConnectLatency(b, srv, sent)
}
