package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"github.com/hush-cc/hush/internal/testwait"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/hush-cc/hush/internal/store"
)

// ledger is an in-memory Sink, store.Checkpoints and store.DeadLetters in one, checking
// that a checkpoint never passes a record that was not handled.
type ledger struct {
	t  *testing.T
	mu sync.Mutex
	// failApply makes the next Apply calls fail without applying.
	failApply   int
	applyCalls  int
	applied     []Record
	dead        []DeadLetter
	handled     map[string]bool // shard/seq applied or dead-lettered
	checkpoints map[string]string
	ended       map[string]bool // shards checkpointed at ShardEnd
	// parents maps a child shard to its parent: no record of the child may
	// be applied before the parent ended.
	parents map[string]string
}

func newLedger(t *testing.T) *ledger {
	return &ledger{t: t, handled: map[string]bool{}, checkpoints: map[string]string{}, ended: map[string]bool{}, parents: map[string]string{}}
}

func (l *ledger) Apply(_ context.Context, recs []Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.applyCalls++
	if l.failApply > 0 {
		l.failApply--
		return errors.New("store is down")
	}
	for _, r := range recs {
		if p, ok := l.parents[r.ShardID]; ok && !l.ended[p] {
			l.t.Errorf("record %s of shard %s applied before its parent %s ended", r.SequenceNumber, r.ShardID, p)
		}
		l.applied = append(l.applied, r)
		l.handled[r.ShardID+"/"+r.SequenceNumber] = true
	}
	return nil
}

func (l *ledger) PutDeadLetter(_ context.Context, sd store.DeadLetter) error {
	d, err := fromStore(sd)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.handled[d.ShardID+"/"+d.SequenceNumber] {
		l.dead = append(l.dead, d)
		l.handled[d.ShardID+"/"+d.SequenceNumber] = true
	}
	return nil
}

func (l *ledger) DeadLetters(context.Context, string, int) ([]store.DeadLetter, error) {
	return nil, errors.New("the consumer never lists dead letters")
}

func (l *ledger) Checkpoint(_ context.Context, stream, shard string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checkpoints[stream+"/"+shard], nil
}

func (l *ledger) PutCheckpoint(_ context.Context, stream, shard, seq string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if seq == ShardEnd {
		l.ended[shard] = true
	} else if !l.handled[shard+"/"+seq] {
		l.t.Errorf("checkpoint %s of shard %s written before the record was handled", seq, shard)
	}
	l.checkpoints[stream+"/"+shard] = seq
	return nil
}

func (l *ledger) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.handled)
}

// eventIDs returns the applied event ids of one partition key, in order.
func (l *ledger) eventIDs(key string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []string
	for _, r := range l.applied {
		if r.PartitionKey == key {
			ids = append(ids, r.Event.EventID)
		}
	}
	return ids
}

// waitFor waits until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Eventually(t, func() (bool, error) { return cond(), nil }, "%s", what)
}

// runConsumer runs a consumer until the returned stop is called.
func runConsumer(t *testing.T, kc *kinesis.Client, stream string, l *ledger) (stop func()) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	c, err := NewConsumer(kc, ConsumerConfig{Stream: stream, Logger: quiet}, l, l, l)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// eventRecord is a minimal agent event record for agent key.
func eventRecord(key, id string, sec int) []byte {
	return fmt.Appendf(nil, `{"EventId":%q,"EventTimestamp":%q,"EventType":"STATE_CHANGE","AgentARN":%q,
		"CurrentAgentSnapshot":{"Configuration":{"Username":"José Ñúñez"},"Contacts":[]}}`,
		id, t0.Add(time.Duration(sec)*time.Second).Format(time.RFC3339Nano), key)
}

type putResult struct{ shard, seq string }

func put(t *testing.T, kc *kinesis.Client, stream, key string, data []byte, hashKey string) putResult {
	t.Helper()
	in := &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(key), Data: data}
	if hashKey != "" {
		in.ExplicitHashKey = aws.String(hashKey)
	}
	out, err := kc.PutRecord(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return putResult{aws.ToString(out.ShardId), aws.ToString(out.SequenceNumber)}
}

func TestConsumerAppliesEveryShardAndDeadLettersPoison(t *testing.T) {
	kc := kinesisClient(t)
	createStream(t, kc, "events", 2)
	l := newLedger(t)
	agents := []string{"agent-a", "agent-b", "agent-c"}
	var want = map[string][]string{}
	lastSeq := map[string]string{}
	for i := range 4 {
		for _, a := range agents {
			id := fmt.Sprintf("%s-%d", a, i)
			r := put(t, kc, "events", a, eventRecord(a, id, i), "")
			want[a] = append(want[a], id)
			lastSeq[r.shard] = r.seq
		}
	}
	ref := referenceRecord(t)
	poison := map[string][]byte{
		string(ReasonJSON):    ref[:len(ref)/2],
		string(ReasonUTF8):    []byte("{\"EventId\":\"\xc3\x28\"}"),
		string(ReasonInvalid): []byte(`{"EventType":"HEART_BEAT"}`),
	}
	for _, data := range poison {
		r := put(t, kc, "events", "agent-a", data, "")
		lastSeq[r.shard] = r.seq
	}
	// the shard goes on after the poison
	r := put(t, kc, "events", "agent-a", eventRecord("agent-a", "agent-a-after", 9), "")
	want["agent-a"] = append(want["agent-a"], "agent-a-after")
	lastSeq[r.shard] = r.seq
	total := 4*len(agents) + len(poison) + 1

	stop := runConsumer(t, kc, "arn:aws:kinesis:us-east-1:000000000000:stream/events", l)
	waitFor(t, "every record", func() bool { return l.count() == total })
	stop()

	for _, a := range agents {
		if got := l.eventIDs(a); !slices.Equal(got, want[a]) {
			t.Fatalf("agent %s: applied %v, want %v", a, got, want[a])
		}
	}
	if len(l.dead) != len(poison) {
		t.Fatalf("%d dead letters, want %d", len(l.dead), len(poison))
	}
	for _, d := range l.dead {
		if string(poison[d.Reason]) != string(d.Data) || d.Error == "" || d.SequenceNumber == "" || d.Stream != "events" {
			t.Fatalf("dead letter %+v", d)
		}
	}
	if len(lastSeq) != 2 {
		t.Fatalf("records landed in %d shards, want both", len(lastSeq))
	}
	for shard, seq := range lastSeq {
		if got := l.checkpoints["events/"+shard]; got != seq {
			t.Fatalf("checkpoint of %s = %q, want %q", shard, got, seq)
		}
	}

	// A restart reads on from the checkpoints: only the new record arrives.
	applied := len(l.applied)
	put(t, kc, "events", "agent-b", eventRecord("agent-b", "agent-b-late", 10), "")
	stop = runConsumer(t, kc, "events", l)
	waitFor(t, "the new record", func() bool { return l.count() == total+1 })
	stop()
	if len(l.applied) != applied+1 || l.applied[applied].Event.EventID != "agent-b-late" {
		t.Fatalf("after restart applied %d records, last %+v", len(l.applied)-applied, l.applied[len(l.applied)-1].Event.EventID)
	}
}

func TestConsumerReadsChildrenAfterTheirParent(t *testing.T) {
	kc := kinesisClient(t)
	ctx := context.Background()
	createStream(t, kc, "split", 1)
	l := newLedger(t)
	var want []string
	for i := range 3 {
		id := fmt.Sprint("before-", i)
		put(t, kc, "split", "agent", eventRecord("agent", id, i), "")
		want = append(want, id)
	}
	const parent = "shardId-000000000000"
	_, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{
		StreamName: aws.String("split"), ShardToSplit: aws.String(parent),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728"),
	})
	if err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("split")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	children := map[string]bool{}
	for i := range 3 {
		id := fmt.Sprint("after-", i)
		r := put(t, kc, "split", "agent", eventRecord("agent", id, 10+i), "1")
		children[r.shard] = true
		want = append(want, id)
		r = put(t, kc, "split", "other", eventRecord("other", id, 10+i), "170141183460469231731687303715884105729")
		children[r.shard] = true
	}
	if len(children) != 2 || children[parent] {
		t.Fatalf("records after the split went to %v", children)
	}
	for c := range children {
		l.parents[c] = parent
	}
	stop := runConsumer(t, kc, "split", l)
	waitFor(t, "every record", func() bool { return l.count() == 9 })
	stop()
	if got := l.eventIDs("agent"); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	if !l.ended[parent] {
		t.Fatalf("parent not checkpointed at its end: %v", l.checkpoints)
	}
}

func TestConsumerRetriesTheSinkBeforeCheckpointing(t *testing.T) {
	kc := kinesisClient(t)
	createStream(t, kc, "retry", 1)
	l := newLedger(t)
	l.failApply = 3
	var want []string
	for i := range 5 {
		id := fmt.Sprint("e", i)
		put(t, kc, "retry", "agent", eventRecord("agent", id, i), "")
		want = append(want, id)
	}
	stop := runConsumer(t, kc, "retry", l)
	waitFor(t, "every record", func() bool { return l.count() == 5 })
	stop()
	if got := l.eventIDs("agent"); !slices.Equal(got, want) {
		t.Fatalf("applied %v, want %v", got, want)
	}
	if l.applyCalls < 4 {
		t.Fatalf("%d Apply calls: the failures were not retried", l.applyCalls)
	}
}

func TestNewConsumerValidates(t *testing.T) {
	kc := kinesis.New(kinesis.Options{Region: "us-east-1"})
	l := newLedger(t)
	for _, cfg := range []ConsumerConfig{
		{},
		{Stream: "has space"},
		{Stream: "arn:aws:sqs:us-east-1:1:queue"},
		{Stream: "s", StartAt: "AT_TIMESTAMP"},
	} {
		if _, err := NewConsumer(kc, cfg, l, l, l); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	c, err := NewConsumer(kc, ConsumerConfig{Stream: "arn:aws:kinesis:us-east-1:1:stream/s", PollInterval: time.Millisecond}, l, l, l)
	if err != nil {
		t.Fatal(err)
	}
	if c.poll != minPollInterval || c.stream.name != "s" || !strings.HasSuffix(c.stream.arn, "stream/s") {
		t.Fatalf("consumer %+v", c)
	}
}
