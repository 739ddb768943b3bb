package dynamodb

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Conversation reads one conversation. Its Version is the stored version.
func (s *Store) Conversation(ctx context.Context, id string) (conversation.Conversation, error) {
	it, err := s.get(ctx, convPK(id), convSK)
	if err != nil {
		return conversation.Conversation{}, fmt.Errorf("read conversation %s: %w", id, err)
	}
	if it == nil {
		return conversation.Conversation{}, fmt.Errorf("conversation %s: %w", id, store.ErrNotFound)
	}
	return decodeConversation(id, it)
}

// decodeConversation reads the stored JSON; the version attribute, not the
// copy inside the JSON, is the truth.
func decodeConversation(id string, it item) (conversation.Conversation, error) {
	var c conversation.Conversation
	if err := json.Unmarshal([]byte(it.s("state")), &c); err != nil {
		return conversation.Conversation{}, fmt.Errorf("decode conversation %s: %w", id, err)
	}
	v, err := it.n("version")
	if err != nil {
		return conversation.Conversation{}, fmt.Errorf("decode conversation %s: %w", id, err)
	}
	c.Version = v
	return c, nil
}

// Conversations lists the conversations q selects, newest first. It scans
// the table: the Lambda never needs it; tools and tests do.
func (s *Store) Conversations(ctx context.Context, q store.Query) ([]conversation.Conversation, error) {
	filter := "begins_with(#pk, :c) AND #sk = :sk"
	names := map[string]string{"#pk": attrPK, "#sk": attrSK}
	values := item{":c": str("c#"), ":sk": str(convSK)}
	if q.ActiveOnly {
		filter += " AND #active = :t"
		names["#active"] = "active"
		values[":t"] = boolean(true)
	}
	if q.AgentID != "" {
		filter += " AND #agent = :agent"
		names["#agent"] = "agentId"
		values[":agent"] = str(q.AgentID)
	}
	in := &ddb.ScanInput{TableName: &s.table, FilterExpression: &filter, ExpressionAttributeNames: names,
		ExpressionAttributeValues: values, ConsistentRead: aws.Bool(true)}
	var out []conversation.Conversation
	for {
		page, err := s.db.Scan(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list conversations: %w", err)
		}
		for _, raw := range page.Items {
			it := item(raw)
			c, err := decodeConversation(strings.TrimPrefix(it.s(attrPK), "c#"), it)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	return q.Select(out), nil
}

// SessionConversation returns the id of the conversation a secure session
// was first indexed to.
func (s *Store) SessionConversation(ctx context.Context, sessionID string) (string, error) {
	it, err := s.get(ctx, "s#"+sessionID, "s")
	if err != nil {
		return "", fmt.Errorf("read secure session %s: %w", sessionID, err)
	}
	if it == nil {
		return "", fmt.Errorf("secure session %s: %w", sessionID, store.ErrNotFound)
	}
	return it.s("conv"), nil
}

// Write persists w. It returns store.ErrConflict when the stored version is
// not w.Conversation.Version (or the conversation does not exist) and
// store.ErrExists when Create finds it present; then nothing of w counts.
//
// Without transactions, a write is three steps, each one item:
//
//  1. the outbox item: w's audit entries, events and sessions, under the
//     conversation's partition and a fresh write id;
//  2. the conversation, conditional on its version, adding the write id to
//     its pending set: this is the commit point;
//  3. chaining (chain.go): the entries join the audit chain and the events
//     the log, then the write id leaves the pending set and the outbox item
//     is deleted.
//
// A crash before 2 leaves an outbox item no conversation names: nothing
// happened. A crash after 2 leaves the write pending: the next write of the
// conversation chains it first (and an error from Write says so), so no
// audit entry of a committed change is lost, and none is chained twice.
func (s *Store) Write(ctx context.Context, w store.Write) error {
	c := w.Conversation
	switch {
	case c.ID == "":
		return errors.New("write: conversation has no id")
	case w.Create && w.Unchanged:
		return fmt.Errorf("write %s: Create and Unchanged together", c.ID)
	case w.Create && c.Version != 0:
		return fmt.Errorf("write %s: a new conversation must have version 0, not %d", c.ID, c.Version)
	}
	w, err := w.WithView()
	if err != nil {
		return err
	}
	ob, err := newOutbox(s.newID(), w, s.now())
	if err != nil {
		return err
	}
	if err := s.putOutbox(ctx, ob); err != nil {
		return err
	}
	if err := s.step("outbox"); err != nil {
		return err
	}
	pending, err := s.commit(ctx, w, ob.write)
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrExists) {
		s.dropOutbox(ctx, c.ID, ob.write)
		return err
	}
	if err != nil {
		// The conversation may or may not have been written: leave the
		// outbox item, which counts only if the conversation names it.
		return err
	}
	if err := s.step("commit"); err != nil {
		return err
	}
	if err := s.chainPending(ctx, c.ID, pending, ob.write); err != nil {
		return fmt.Errorf("conversation %s is written but its audit is not chained yet (the next write chains it): %w", c.ID, err)
	}
	return nil
}

// commit writes the conversation item conditionally and returns its pending
// write ids, w's included.
func (s *Store) commit(ctx context.Context, w store.Write, writeID string) ([]string, error) {
	c := w.Conversation
	pk := convPK(c.ID)
	next := c
	next.Version++
	state, err := json.Marshal(next)
	if err != nil {
		return nil, fmt.Errorf("write %s: encode conversation: %w", c.ID, err)
	}
	if w.Create {
		it := key(pk, convSK)
		it["version"] = num(1)
		it["active"] = boolean(c.Active())
		it.setS("agentId", c.AgentID)
		it["updatedAt"] = str(formatTime(c.UpdatedAt))
		it["state"] = str(string(state))
		it["pending"] = &types.AttributeValueMemberSS{Value: []string{writeID}}
		_, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it,
			ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}})
		if conditionFailed(err) {
			return nil, fmt.Errorf("conversation %s: %w", c.ID, store.ErrExists)
		}
		if err != nil {
			return nil, fmt.Errorf("create conversation %s: %w", c.ID, err)
		}
		return []string{writeID}, nil
	}
	names := map[string]string{"#v": "version", "#p": "pending"}
	values := item{":v": num(c.Version), ":w": &types.AttributeValueMemberSS{Value: []string{writeID}}}
	update := "ADD #p :w"
	if !w.Unchanged {
		names["#a"], names["#u"], names["#s"], names["#ag"] = "active", "updatedAt", "state", "agentId"
		values[":nv"], values[":a"] = num(c.Version+1), boolean(c.Active())
		values[":u"], values[":s"] = str(formatTime(c.UpdatedAt)), str(string(state))
		update = "SET #v = :nv, #a = :a, #u = :u, #s = :s"
		if c.AgentID != "" {
			values[":ag"] = str(c.AgentID)
			update += ", #ag = :ag"
		}
		update += " ADD #p :w"
		if c.AgentID == "" {
			update += " REMOVE #ag"
		}
	}
	out, err := s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &s.table, Key: key(pk, convSK),
		UpdateExpression: &update, ConditionExpression: aws.String("#v = :v"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: values, ReturnValues: types.ReturnValueAllNew})
	if conditionFailed(err) {
		return nil, fmt.Errorf("conversation %s: %w", c.ID, store.ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("update conversation %s: %w", c.ID, err)
	}
	return item(out.Attributes).ss("pending"), nil
}

// chainPending chains the writes a conversation names as pending: any left
// by an earlier writer that crashed, in the order they were made, then own.
func (s *Store) chainPending(ctx context.Context, convID string, pending []string, own string) error {
	var left []*outbox
	for _, id := range pending {
		if id == own {
			continue
		}
		ob, err := s.readOutbox(ctx, convID, id)
		if err != nil {
			return err
		}
		if ob == nil {
			// Chained meanwhile by another writer, which also unpends it.
			continue
		}
		left = append(left, ob)
	}
	slices.SortFunc(left, func(a, b *outbox) int {
		return cmp.Or(cmp.Compare(a.version, b.version), a.created.Compare(b.created))
	})
	for _, ob := range left {
		s.log.Warn("dynamodb: chaining the audit of a write left pending", "conversation", convID, "write", ob.write)
		if err := s.chain(ctx, convID, ob.write); err != nil {
			return err
		}
	}
	return s.chain(ctx, convID, own)
}
