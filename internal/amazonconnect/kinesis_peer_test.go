package amazonconnect

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
)

// kinesisClient starts kinesalite and returns a real SDK client pointed at it
// through AWS_ENDPOINT_URL_KINESIS, as hush serve would be.
func kinesisClient(t *testing.T) *kinesis.Client {
	t.Helper()
	url := peertest.Kinesalite(t)
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_KINESIS", url)
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return kinesis.NewFromConfig(cfg)
}

// createStream creates a stream and waits until it is active.
func createStream(t *testing.T, kc *kinesis.Client, name string, shards int32) {
	t.Helper()
	ctx := context.Background()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestKinesaliteCarriesTheReferenceRecord(t *testing.T) {
	kc := kinesisClient(t)
	ctx := context.Background()
	createStream(t, kc, "agent-events", 1)
	rec := referenceRecord(t)
	ev, err := Decode(rec)
	if err != nil {
		t.Fatal(err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{
		StreamName: aws.String("agent-events"), Data: rec, PartitionKey: aws.String(ev.AgentARN),
	})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: aws.String("agent-events"), ShardId: put.ShardId, ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 1 || aws.ToString(got.Records[0].SequenceNumber) != aws.ToString(put.SequenceNumber) {
		t.Fatalf("records = %+v", got.Records)
	}
	back, err := Decode(got.Records[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if back.EventID != ev.EventID || back.Current.Configuration.LastName != "O’Brien" || back.Current.Contacts[0].State != StateConnectedOnHold {
		t.Fatalf("decoded %+v", back)
	}
}
