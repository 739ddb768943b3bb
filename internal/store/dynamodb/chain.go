package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/backoff"
)

// The audit chain and the event log share one head item: the last audit
// Seq and hash, the last event Seq, a generation bumped by every claim, and
// the current claim. Writes join the chain in two moves:
//
//   - claim: one conditional put of the head (on its generation) reserves
//     the positions of one or more writes' entries and events and records
//     which writes hold them; the entries' hashes follow from the head's, so
//     the claim fixes them;
//   - complete: put the sealed entries and events at those positions,
//     unpend each write on its conversation, delete its outbox item, and
//     mark the claim done.
//
// A new claim needs the previous one done, and whoever finds a claim not
// done completes it first (every step of complete is idempotent, the
// sealing deterministic). So a crash between claim and done is finished by
// the next writer of any conversation, and the chain never has a hole. A
// write's outbox item exists until its entries are in place; once it is
// gone, the write is chained.
//
// Within a process, writes waiting to be chained are claimed together by
// whichever of them gets to lead (group commit), so the head item, which
// every write must pass, is updated once per group rather than per write.

// maxChainAttempts bounds the retries of a claim lost to other processes.
const maxChainAttempts = 64

// maxClaim bounds the writes of one claim (the head item's size).
const maxClaim = 100

// Backoffs between attempts: a claim lost to another process is retried
// soon, as the winner completes its claim in a few round trips; items left
// unprocessed mean DynamoDB is throttling, so those wait longer.
var (
	claimBackoff       = backoff.Policy{Base: 5 * time.Millisecond, Max: 50 * time.Millisecond}
	unprocessedBackoff = backoff.Policy{Base: 10 * time.Millisecond, Max: time.Second}
)

// chainTimeout bounds the chaining of one group: it runs on after the
// caller that led it is cancelled, since it chains others' writes too.
const chainTimeout = 30 * time.Second

// claimedWrite is one write's positions in a claim.
type claimedWrite struct {
	Write      string `json:"write"`
	Conv       string `json:"conv"`
	First      int64  `json:"first"` // first audit Seq
	Prev       string `json:"prev"`  // the hash before it
	EventFirst int64  `json:"eventFirst"`
}

type claim struct {
	id     string
	writes []claimedWrite
	done   bool
}

type head struct {
	seq      int64
	hash     string
	eventSeq int64
	gen      int64
	claim    *claim
}

func (s *Store) readHead(ctx context.Context) (head, error) {
	it, err := s.get(ctx, headPK, headSK)
	if err != nil {
		return head{}, fmt.Errorf("read audit head: %w", err)
	}
	var h head
	if it == nil {
		return h, nil
	}
	var errs [3]error
	h.seq, errs[0] = it.n("seq")
	h.eventSeq, errs[1] = it.n("eventSeq")
	h.gen, errs[2] = it.n("gen")
	h.hash = it.s("hash")
	for _, e := range errs {
		if e != nil {
			return head{}, fmt.Errorf("read audit head: %w", e)
		}
	}
	if id := it.s("claimId"); id != "" {
		c := &claim{id: id, done: it.bool("claimDone")}
		if err := json.Unmarshal([]byte(it.s("claim")), &c.writes); err != nil {
			return head{}, fmt.Errorf("read audit head claim: %w", err)
		}
		h.claim = c
	}
	return h, nil
}

// putHead replaces the head if its generation is still gen.
func (s *Store) putHead(ctx context.Context, h head, gen int64) (bool, error) {
	it := key(headPK, headSK)
	it["seq"], it["eventSeq"], it["gen"] = num(h.seq), num(h.eventSeq), num(h.gen)
	it.setS("hash", h.hash)
	if c := h.claim; c != nil {
		writes, err := json.Marshal(c.writes)
		if err != nil {
			return false, fmt.Errorf("encode claim: %w", err)
		}
		it["claimId"], it["claim"], it["claimDone"] = str(c.id), str(string(writes)), boolean(c.done)
	}
	_, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it,
		ConditionExpression:       aws.String("attribute_not_exists(#pk) OR #gen = :gen"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK, "#gen": "gen"},
		ExpressionAttributeValues: item{":gen": num(gen)}})
	if conditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim audit positions: %w", err)
	}
	return true, nil
}

// chainReq is a committed write waiting to be chained.
type chainReq struct {
	conv, write string
	done        chan error
}

// chainer groups the writes of one process waiting to be chained.
type chainer struct {
	mu      sync.Mutex
	queue   []*chainReq
	leading bool
}

// chain appends a committed write's entries and events to the chain and
// the log, unless that was done already. Concurrent callers are chained
// together by whichever of them leads.
func (s *Store) chain(ctx context.Context, convID, writeID string) error {
	req := &chainReq{conv: convID, write: writeID, done: make(chan error, 1)}
	s.chainer.mu.Lock()
	s.chainer.queue = append(s.chainer.queue, req)
	lead := !s.chainer.leading
	s.chainer.leading = true
	s.chainer.mu.Unlock()
	if lead {
		s.lead(ctx)
	}
	return <-req.done
}

// lead chains queued writes, group by group, until none is left.
func (s *Store) lead(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), chainTimeout)
	defer cancel()
	for {
		s.chainer.mu.Lock()
		n := min(len(s.chainer.queue), maxClaim)
		group := s.chainer.queue[:n:n]
		s.chainer.queue = s.chainer.queue[n:]
		if n == 0 {
			s.chainer.leading = false
		}
		s.chainer.mu.Unlock()
		if n == 0 {
			return
		}
		err := s.chainGroup(ctx, group)
		for _, r := range group {
			r.done <- err
		}
	}
}

// chainGroup claims positions for a group of writes and completes them.
func (s *Store) chainGroup(ctx context.Context, group []*chainReq) error {
	for attempt := range maxChainAttempts {
		// Lost to another process: back off, with jitter.
		if attempt > 0 && !claimBackoff.Wait(ctx, attempt) {
			return fmt.Errorf("chain %d writes: %w", len(group), ctx.Err())
		}
		h, err := s.readHead(ctx)
		if err != nil {
			return err
		}
		if c := h.claim; c != nil && !c.done {
			if err := s.complete(ctx, *c); err != nil {
				return err
			}
			continue
		}
		// Read after the head: had a write been claimed before the head was
		// read, its outbox would be gone by now.
		obs, err := s.readOutboxes(ctx, group)
		if err != nil {
			return err
		}
		c := claim{id: s.newID()}
		next := head{seq: h.seq, hash: h.hash, eventSeq: h.eventSeq, gen: h.gen + 1, claim: &c}
		for i, ob := range obs {
			if ob == nil {
				// Chained meanwhile; make sure it is unpended.
				if err := s.unpend(ctx, group[i].conv, group[i].write); err != nil {
					return err
				}
				continue
			}
			cw := claimedWrite{Write: ob.write, Conv: ob.conv, First: next.seq + 1, Prev: next.hash, EventFirst: next.eventSeq + 1}
			entries, err := ob.sealed(cw.First, cw.Prev)
			if err != nil {
				return err
			}
			if n := len(entries); n > 0 {
				next.seq, next.hash = entries[n-1].Seq, entries[n-1].Hash
			}
			next.eventSeq += int64(len(ob.payload.Events))
			c.writes = append(c.writes, cw)
		}
		if len(c.writes) == 0 {
			return nil
		}
		ok, err := s.putHead(ctx, next, h.gen)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := s.step("claim"); err != nil {
			return err
		}
		return s.complete(ctx, c)
	}
	return fmt.Errorf("chain %d writes: the audit head changed %d times in a row", len(group), maxChainAttempts)
}

// readOutboxes reads the group's outbox items, nil for those chained.
func (s *Store) readOutboxes(ctx context.Context, group []*chainReq) ([]*outbox, error) {
	obs := make([]*outbox, len(group))
	err := parallel(len(group), func(i int) error {
		ob, err := s.readOutbox(ctx, group[i].conv, group[i].write)
		obs[i] = ob
		return err
	})
	return obs, err
}

// complete puts a claim's entries and events in place and cleans up after
// its writes. Every step may be repeated.
func (s *Store) complete(ctx context.Context, c claim) error {
	obs := make([]*outbox, len(c.writes))
	if err := parallel(len(c.writes), func(i int) error {
		ob, err := s.readOutbox(ctx, c.writes[i].Conv, c.writes[i].Write)
		obs[i] = ob
		return err
	}); err != nil {
		return err
	}
	var puts, deletes []item
	var present []claimedWrite
	for i, ob := range obs {
		if ob == nil {
			continue // its entries are in place: the outbox goes last
		}
		cw := c.writes[i]
		entries, err := ob.sealed(cw.First, cw.Prev)
		if err != nil {
			return err
		}
		for _, e := range entries {
			puts = append(puts, entryItem(e))
		}
		for j, e := range ob.payload.Events {
			seq := cw.EventFirst + int64(j)
			it := key(eventPK(seq), seqKey(seq))
			it["seq"], it["type"], it["at"] = num(seq), str(e.Type), str(e.At)
			it.setS("conv", e.Conv)
			if len(e.Data) > 0 {
				it["data"] = bin(e.Data)
			}
			puts = append(puts, it)
		}
		for _, id := range ob.payload.Sessions {
			if err := s.indexSession(ctx, id, cw.Conv); err != nil {
				return err
			}
		}
		present = append(present, cw)
		deletes = append(deletes, key(convPK(cw.Conv), outboxSK+cw.Write))
	}
	if err := s.batchWrite(ctx, puts, false); err != nil {
		return fmt.Errorf("write audit entries: %w", err)
	}
	if err := s.step("entries"); err != nil {
		return err
	}
	if err := parallel(len(present), func(i int) error { return s.unpend(ctx, present[i].Conv, present[i].Write) }); err != nil {
		return err
	}
	if err := s.batchWrite(ctx, deletes, true); err != nil {
		return fmt.Errorf("delete outboxes: %w", err)
	}
	if err := s.step("cleaned"); err != nil {
		return err
	}
	_, err := s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &s.table, Key: key(headPK, headSK),
		UpdateExpression:          aws.String("SET #done = :t"),
		ConditionExpression:       aws.String("#id = :id"),
		ExpressionAttributeNames:  map[string]string{"#done": "claimDone", "#id": "claimId"},
		ExpressionAttributeValues: item{":t": boolean(true), ":id": str(c.id)}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("close audit claim: %w", err)
	}
	return nil
}

func entryItem(e audit.Entry) item {
	it := key(auditPK(e.Seq), seqKey(e.Seq))
	it["seq"], it["at"], it["hash"] = num(e.Seq), str(formatTime(e.At)), str(e.Hash)
	it.setS("conv", e.ConversationID)
	it.setS("actor", e.Actor)
	it.setS("action", e.Action)
	it.setS("capability", e.Capability)
	it.setS("reason", e.Reason)
	it.setS("outcome", e.Outcome)
	it.setS("prev", e.PrevHash)
	if len(e.Detail) > 0 {
		it["detail"] = bin(e.Detail)
	}
	return it
}

// batchWrite puts (or, with del, deletes by key) items 25 at a time, the
// chunks in parallel, retrying what DynamoDB leaves unprocessed.
func (s *Store) batchWrite(ctx context.Context, items []item, del bool) error {
	chunks := (len(items) + 24) / 25
	return parallel(chunks, func(c int) error {
		part := items[c*25 : min(len(items), (c+1)*25)]
		reqs := make([]types.WriteRequest, len(part))
		for i, it := range part {
			if del {
				reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: it}}
			} else {
				reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
			}
		}
		pending := map[string][]types.WriteRequest{s.table: reqs}
		for attempt := 0; len(pending) > 0; attempt++ {
			if attempt > 0 && !unprocessedBackoff.Wait(ctx, attempt) {
				return ctx.Err()
			}
			out, err := s.db.BatchWriteItem(ctx, &ddb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			pending = out.UnprocessedItems
		}
		return nil
	})
}

// parallel runs f(0..n-1) at most 16 at a time and returns the first error.
func parallel(n int, f func(i int) error) error {
	if n == 1 {
		return f(0)
	}
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = f(i)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// unpend removes a chained write from its conversation's pending set.
func (s *Store) unpend(ctx context.Context, convID, writeID string) error {
	_, err := s.db.UpdateItem(ctx, &ddb.UpdateItemInput{TableName: &s.table, Key: key(convPK(convID), convSK),
		UpdateExpression:          aws.String("DELETE #p :w"),
		ConditionExpression:       aws.String("attribute_exists(#pk)"),
		ExpressionAttributeNames:  map[string]string{"#p": "pending", "#pk": attrPK},
		ExpressionAttributeValues: item{":w": &types.AttributeValueMemberSS{Value: []string{writeID}}}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("unpend write %s of %s: %w", writeID, convID, err)
	}
	return nil
}

// indexSession maps a secure session to the conversation that first named it.
func (s *Store) indexSession(ctx context.Context, sessionID, convID string) error {
	it := key("s#"+sessionID, "s")
	it["conv"] = str(convID)
	_, err := s.db.PutItem(ctx, &ddb.PutItemInput{TableName: &s.table, Item: it,
		ConditionExpression: aws.String("attribute_not_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}})
	if err != nil && !conditionFailed(err) {
		return fmt.Errorf("index secure session %s: %w", sessionID, err)
	}
	return nil
}
