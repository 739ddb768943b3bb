// Package dynamodb stores hush's conversations, audit chain, event log and
// the platform adapters' state in one DynamoDB table, for the Lambda
// deployment. It uses conditional writes on a version attribute and no
// transactions (DynamoDB Local peers such as dynalite lack them), so a write
// is a sequence of single-item writes ordered to stay consistent across a
// crash at any point; see Write and chain.go.
package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hush-cc/hush/internal/store"
)

// Key attributes of the table: a string partition key and sort key.
const (
	attrPK = "pk"
	attrSK = "sk"
)

// Store is a store.Conversations on one DynamoDB table, with the audit
// chain, the event log and the platform adapters' state, checkpoints and
// dead letters beside the conversations. Several processes may share a
// table.
type Store struct {
	db    *ddb.Client
	table string
	log   *slog.Logger
	now   func() time.Time
	newID func() string
	// crash, if set, is consulted after each step of a write: a non-nil
	// error stops the write there, as a crash would. For tests.
	crash   func(step string) error
	chainer chainer
}

var _ store.Conversations = (*Store)(nil)

// Option changes a Store.
type Option func(*Store)

// WithLogger sets where the store logs.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// New returns a store on an existing table (see CreateTable).
func New(client *ddb.Client, table string, opts ...Option) (*Store, error) {
	if client == nil || table == "" {
		return nil, errors.New("dynamodb store: a client and a table name are required")
	}
	s := &Store{db: client, table: table, log: slog.New(slog.DiscardHandler), now: time.Now, newID: newID}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// CreateTable creates the table the store needs (on-demand capacity) and
// waits until it is active. deploy/aws/template.yaml declares the same.
func CreateTable(ctx context.Context, client *ddb.Client, table string) error {
	_, err := client.CreateTable(ctx, &ddb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrPK), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrSK), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String(attrPK), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String(attrSK), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	w := ddb.NewTableExistsWaiter(client, func(o *ddb.TableExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := w.Wait(ctx, &ddb.DescribeTableInput{TableName: aws.String(table)}, time.Minute); err != nil {
		return fmt.Errorf("wait for table %s: %w", table, err)
	}
	return nil
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// step ends a write early when a test simulates a crash there.
func (s *Store) step(name string) error {
	if s.crash == nil {
		return nil
	}
	return s.crash(name)
}

// item is one DynamoDB item.
type item map[string]types.AttributeValue

func key(pk, sk string) item {
	return item{attrPK: str(pk), attrSK: str(sk)}
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func bin(v []byte) types.AttributeValue { return &types.AttributeValueMemberB{Value: v} }

func boolean(v bool) types.AttributeValue { return &types.AttributeValueMemberBOOL{Value: v} }

// setS sets a string attribute unless v is empty: an absent attribute
// reads back as "".
func (it item) setS(name, v string) {
	if v != "" {
		it[name] = str(v)
	}
}

func (it item) s(name string) string {
	if v, ok := it[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func (it item) n(name string) (int64, error) {
	v, ok := it[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("attribute %s: %w", name, err)
	}
	return n, nil
}

func (it item) b(name string) []byte {
	if v, ok := it[name].(*types.AttributeValueMemberB); ok {
		return v.Value
	}
	return nil
}

func (it item) bool(name string) bool {
	v, ok := it[name].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

func (it item) ss(name string) []string {
	if v, ok := it[name].(*types.AttributeValueMemberSS); ok {
		return v.Value
	}
	return nil
}

// get reads one item with a consistent read; nil when absent.
func (s *Store) get(ctx context.Context, pk, sk string) (item, error) {
	out, err := s.db.GetItem(ctx, &ddb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	return item(out.Item), nil
}

// conditionFailed reports whether err is a refused conditional write.
func conditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return errors.As(err, &ccf)
}

// formatTime is how times are stored: the audit hash covers this exact
// text, so it must read back to the same instant.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// seqKey renders a sequence number as a sort key that sorts as a number.
func seqKey(seq int64) string { return fmt.Sprintf("%020d", seq) }

// bucketSize is how many audit entries or events share a partition, so the
// log spreads over partitions as it grows and a range reads few of them.
const bucketSize = 1000

func auditPK(seq int64) string { return "a#" + strconv.FormatInt(seq/bucketSize, 10) }
func eventPK(seq int64) string { return "e#" + strconv.FormatInt(seq/bucketSize, 10) }
func convPK(id string) string  { return "c#" + id }

const (
	convSK   = "c"
	headPK   = "head"
	headSK   = "head"
	outboxSK = "o#"
)
