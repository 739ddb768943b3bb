package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/store"
)

// The adapters' items:
//
//   - state: one item per namespace and key, pk as#NAMESPACE#KEY;
//   - checkpoints: pk k#STREAM, one item per shard;
//   - dead letters: pk d#NAMESPACE, two items per record: a marker under
//     the record's key (sk k#KEY) that makes a record offered again a
//     no-op, and the dead letter itself under its storage time (sk
//     t#TIME#KEY), so a query reads them newest first.

var _ store.Adapters = (*Store)(nil)

const stateSK = "s"

func statePK(namespace, key string) (string, error) {
	if namespace == "" || strings.Contains(namespace, "#") {
		return "", fmt.Errorf("adapter state namespace %q: must be non-empty and without #", namespace)
	}
	return "as#" + namespace + "#" + key, nil
}

// AdapterState returns the value stored under namespace and key and its
// version; nil and version 0 when none is stored.
func (s *Store) AdapterState(ctx context.Context, namespace, key string) ([]byte, int64, error) {
	pk, err := statePK(namespace, key)
	if err != nil {
		return nil, 0, err
	}
	it, err := s.get(ctx, pk, stateSK)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s state %s: %w", namespace, key, err)
	}
	if it == nil {
		return nil, 0, nil
	}
	v, err := it.n("version")
	if err != nil {
		return nil, 0, fmt.Errorf("decode %s state %s: %w", namespace, key, err)
	}
	value := it.b("value")
	if value == nil {
		value = []byte{}
	}
	return value, v, nil
}

// PutAdapterState stores value if the stored version is still version (0:
// none stored); the stored version becomes version+1. Otherwise it returns
// store.ErrConflict.
func (s *Store) PutAdapterState(ctx context.Context, namespace, key string, value []byte, version int64) error {
	pk, err := statePK(namespace, key)
	if err != nil {
		return err
	}
	it := item{attrPK: str(pk), attrSK: str(stateSK), "version": num(version + 1)}
	if len(value) > 0 {
		it["value"] = bin(value)
	}
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
		return fmt.Errorf("%s state %s: %w", namespace, key, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("write %s state %s: %w", namespace, key, err)
	}
	return nil
}

func checkpointPK(stream string) string { return "k#" + stream }

// Checkpoint returns the position last recorded for a shard, or "" when it
// has none.
func (s *Store) Checkpoint(ctx context.Context, stream, shard string) (string, error) {
	it, err := s.get(ctx, checkpointPK(stream), shard)
	if err != nil {
		return "", fmt.Errorf("read checkpoint of %s/%s: %w", stream, shard, err)
	}
	return it.s("position"), nil
}

// PutCheckpoint durably records a shard's position.
func (s *Store) PutCheckpoint(ctx context.Context, stream, shard, position string) error {
	it := key(checkpointPK(stream), shard)
	it.setS("position", position)
	if _, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it}); err != nil {
		return fmt.Errorf("write checkpoint of %s/%s: %w", stream, shard, err)
	}
	return nil
}

func deadLetterPK(namespace string) string { return "d#" + namespace }

const (
	deadMarkerSK = "k#"
	deadListSK   = "t#"
	// sortableTime renders a storage time so that sort keys sort by it.
	sortableTime = "2006-01-02T15:04:05.000000000Z"
)

// PutDeadLetter stores d.Bounded() once: a record offered again (same
// namespace and key) keeps its first copy. The marker is written first: a
// crash before the dead letter is written leaves the marker, and the
// record offered again completes it.
func (s *Store) PutDeadLetter(ctx context.Context, d store.DeadLetter) error {
	d = d.Bounded()
	pk := deadLetterPK(d.Namespace)
	now := s.now().UTC()
	listSK := deadListSK + now.Format(sortableTime) + "#" + d.Key
	at := formatTime(now)
	marker := key(pk, deadMarkerSK+d.Key)
	marker["list"], marker["at"] = str(listSK), str(at)
	_, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: marker,
		ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}})
	if conditionFailed(err) {
		// Offered before: complete what the first offer may have left.
		it, err := s.get(ctx, pk, deadMarkerSK+d.Key)
		if err != nil {
			return fmt.Errorf("read %s dead letter %s: %w", d.Namespace, d.Key, err)
		}
		if it == nil {
			return fmt.Errorf("%s dead letter %s: its marker vanished", d.Namespace, d.Key)
		}
		listSK, at = it.s("list"), it.s("at")
	} else if err != nil {
		return fmt.Errorf("store %s dead letter %s: %w", d.Namespace, d.Key, err)
	}
	if err := s.step("dead letter marker"); err != nil {
		return err
	}
	it := key(pk, listSK)
	it.setS("key", d.Key)
	it.setS("reason", d.Reason)
	it.setS("error", d.Error)
	it["at"] = str(at)
	if len(d.Data) > 0 {
		it["data"] = bin(d.Data)
	}
	if len(d.Detail) > 0 {
		it["detail"] = str(string(d.Detail))
	}
	_, err = s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it,
		ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("store %s dead letter %s: %w", d.Namespace, d.Key, err)
	}
	return nil
}

// DeadLetters returns up to limit of a namespace's dead letters (all when
// limit <= 0), newest first.
func (s *Store) DeadLetters(ctx context.Context, namespace string, limit int) ([]store.DeadLetter, error) {
	in := &ddb.QueryInput{TableName: &s.table, KeyConditionExpression: aws.String("#pk = :pk AND begins_with(#sk, :t)"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#sk": attrSK},
		ExpressionAttributeValues: item{":pk": str(deadLetterPK(namespace)), ":t": str(deadListSK)},
		ScanIndexForward:          aws.Bool(false), ConsistentRead: aws.Bool(true)}
	if limit > 0 {
		in.Limit = aws.Int32(int32(min(limit, 1000)))
	}
	var out []store.DeadLetter
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list %s dead letters: %w", namespace, err)
		}
		for _, raw := range page.Items {
			it := item(raw)
			d := store.DeadLetter{Namespace: namespace, Key: it.s("key"), Reason: it.s("reason"), Error: it.s("error"), Data: it.b("data")}
			if det := it.s("detail"); det != "" {
				d.Detail = json.RawMessage(det)
			}
			if d.StoredAt, err = parseTime(it.s("at")); err != nil {
				return nil, fmt.Errorf("%s dead letter %s: %w", namespace, d.Key, err)
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
