package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/store"
)

var (
	_ amazonconnect.Memories    = (*Store)(nil)
	_ amazonconnect.DeadLetters = (*Store)(nil)
)

func memoryPK(agentARN string) string { return "m#" + agentARN }

const (
	memorySK     = "m"
	deadLetterPK = "d"
)

// AgentMemory returns what the Connect adapter remembers about an agent and
// its version; a zero Memory and version 0 when nothing is stored.
func (s *Store) AgentMemory(ctx context.Context, agentARN string) (amazonconnect.Memory, int64, error) {
	it, err := s.get(ctx, memoryPK(agentARN), memorySK)
	if err != nil {
		return amazonconnect.Memory{}, 0, fmt.Errorf("read memory of agent %s: %w", agentARN, err)
	}
	if it == nil {
		return amazonconnect.Memory{}, 0, nil
	}
	var m amazonconnect.Memory
	if err := json.Unmarshal([]byte(it.s("memory")), &m); err != nil {
		return amazonconnect.Memory{}, 0, fmt.Errorf("decode memory of agent %s: %w", agentARN, err)
	}
	v, err := it.n("version")
	if err != nil {
		return amazonconnect.Memory{}, 0, fmt.Errorf("decode memory of agent %s: %w", agentARN, err)
	}
	return m, v, nil
}

// PutAgentMemory stores m if the stored version is still version (0: none
// stored); the stored version becomes version+1. Otherwise it returns
// store.ErrConflict.
func (s *Store) PutAgentMemory(ctx context.Context, agentARN string, m amazonconnect.Memory, version int64) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode memory of agent %s: %w", agentARN, err)
	}
	it := key(memoryPK(agentARN), memorySK)
	it["memory"], it["version"] = str(string(raw)), num(version+1)
	in := &ddb.PutItemInput{TableName: &s.table, Item: it, ExpressionAttributeNames: map[string]string{"#pk": attrPK}}
	if version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(#pk)")
	} else {
		in.ConditionExpression = aws.String("#v = :v")
		in.ExpressionAttributeNames = map[string]string{"#v": "version"}
		in.ExpressionAttributeValues = item{":v": num(version)}
	}
	_, err = s.db.PutItem(ctx, in)
	if conditionFailed(err) {
		return fmt.Errorf("memory of agent %s: %w", agentARN, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("write memory of agent %s: %w", agentARN, err)
	}
	return nil
}

// maxDeadLetterData bounds the record bytes a dead letter keeps. A Kinesis
// record may hold 1 MiB and a DynamoDB item 400 KB: a dead letter that
// could not be stored would hold its shard up on every delivery.
const maxDeadLetterData = 256 << 10

// PutDeadLetter stores d once: a record offered again (same stream, shard
// and sequence number) keeps its first copy. Of a record too large for an
// item, the first maxDeadLetterData bytes are kept, and Error says so.
func (s *Store) PutDeadLetter(ctx context.Context, d amazonconnect.DeadLetter) error {
	if n := len(d.Data); n > maxDeadLetterData {
		d.Data = d.Data[:maxDeadLetterData]
		d.Error += fmt.Sprintf(" (record cut to its first %d of %d bytes)", maxDeadLetterData, n)
	}
	it := key(deadLetterPK, d.Stream+"/"+d.ShardID+"/"+d.SequenceNumber)
	it.setS("stream", d.Stream)
	it.setS("shard", d.ShardID)
	it.setS("seq", d.SequenceNumber)
	it.setS("partitionKey", d.PartitionKey)
	if !d.ArrivedAt.IsZero() {
		it["arrivedAt"] = str(formatTime(d.ArrivedAt))
	}
	it.setS("reason", d.Reason)
	it.setS("error", d.Error)
	if len(d.Data) > 0 {
		it["data"] = bin(d.Data)
	}
	it["at"] = str(formatTime(s.now()))
	_, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it,
		ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("store dead letter %s/%s/%s: %w", d.Stream, d.ShardID, d.SequenceNumber, err)
	}
	return nil
}

// DeadLetters returns up to limit dead letters (all when limit <= 0), in
// stream, shard and sequence order.
func (s *Store) DeadLetters(ctx context.Context, limit int) ([]amazonconnect.DeadLetter, error) {
	in := &ddb.QueryInput{TableName: &s.table, KeyConditionExpression: aws.String("#pk = :pk"),
		ExpressionAttributeNames: map[string]string{"#pk": attrPK}, ExpressionAttributeValues: item{":pk": str(deadLetterPK)},
		ConsistentRead: aws.Bool(true)}
	var out []amazonconnect.DeadLetter
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		for _, raw := range page.Items {
			it := item(raw)
			d := amazonconnect.DeadLetter{Stream: it.s("stream"), ShardID: it.s("shard"), SequenceNumber: it.s("seq"),
				PartitionKey: it.s("partitionKey"), Data: it.b("data"), Reason: it.s("reason"), Error: it.s("error")}
			if d.ArrivedAt, err = parseTime(it.s("arrivedAt")); err != nil {
				return nil, fmt.Errorf("dead letter %s: %w", d.SequenceNumber, err)
			}
			if d.StoredAt, err = parseTime(it.s("at")); err != nil {
				return nil, fmt.Errorf("dead letter %s: %w", d.SequenceNumber, err)
			}
			out = append(out, d)
			if limit > 0 && len(out) == limit {
				return out, nil
			}
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}
