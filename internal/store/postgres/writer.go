package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hush-cc/hush/internal/audit"
)

// A change is one caller's part of a write transaction. It returns refused,
// the answer for its caller when the change is refused (a conflict, say)
// having written nothing, or err when the transaction itself failed.
type change func(t *txn) (refused, err error)

type request struct {
	ctx  context.Context
	run  change
	done chan error
}

// txn is a writing transaction holding the head row's lock.
type txn struct {
	ctx       context.Context
	tx        pgx.Tx
	eventSeq  int64
	auditSeq  int64
	auditHash string
	events    int // appended in this transaction
	audits    int
}

// writer takes what is queued, applies it in one transaction and commits
// once, so the cost of a durable commit is shared by every change in it.
type writer struct {
	pool  *pgxpool.Pool
	queue chan *request
	batch int
	log   *slog.Logger

	mu      sync.RWMutex // guards closed against sends on a closed queue
	closed  bool
	stopped chan struct{}
}

func startWriter(pool *pgxpool.Pool, batch int, log *slog.Logger) *writer {
	w := &writer{pool: pool, queue: make(chan *request, batch), batch: batch, log: log, stopped: make(chan struct{})}
	go w.loop()
	return w
}

// do queues run and waits for its transaction to commit or fail.
func (w *writer) do(ctx context.Context, run change) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &request{ctx: ctx, run: run, done: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	w.queue <- r
	w.mu.RUnlock()
	return <-r.done
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.stopped
}

func (w *writer) loop() {
	defer close(w.stopped)
	batch := make([]*request, 0, w.batch)
	for r := range w.queue {
		batch = append(batch[:0], r)
	fill:
		for len(batch) < w.batch {
			select {
			case r, ok := <-w.queue:
				if !ok {
					break fill
				}
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if err := w.commit(batch); err != nil && len(batch) > 1 {
			// One change's failure must not fail the others: apply each
			// in a transaction of its own.
			for _, r := range batch {
				r.done <- w.commit([]*request{r})
			}
			continue
		} else if err != nil {
			batch[0].done <- err
		}
	}
}

// commit applies batch in one transaction. On success it answers every
// request and returns nil; on failure it answers none and returns the error.
func (w *writer) commit(batch []*request) error {
	ctx := context.Background()
	tx, err := w.pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	t := &txn{ctx: ctx, tx: tx}
	if err := tx.QueryRow(ctx, "SELECT event_seq, audit_seq, audit_hash FROM heads WHERE id = 1 FOR UPDATE").
		Scan(&t.eventSeq, &t.auditSeq, &t.auditHash); err != nil {
		return fmt.Errorf("lock heads: %w", err)
	}
	answers := make([]error, len(batch))
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			answers[i] = err
			continue
		}
		refused, err := r.run(t)
		if err != nil {
			return err
		}
		answers[i] = refused
	}
	if t.events > 0 || t.audits > 0 {
		if _, err := tx.Exec(ctx, "UPDATE heads SET event_seq = $1, audit_seq = $2, audit_hash = $3 WHERE id = 1",
			t.eventSeq, t.auditSeq, t.auditHash); err != nil {
			return fmt.Errorf("advance heads: %w", err)
		}
	}
	if t.events > 0 {
		if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", EventChannel, strconv.FormatInt(t.eventSeq, 10)); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for i, r := range batch {
		r.done <- answers[i]
	}
	return nil
}

// appendAudit seals entries onto the chain inside the transaction.
func (t *txn) appendAudit(entries []audit.Entry) error {
	for _, e := range entries {
		t.auditSeq++
		e.Seq = t.auditSeq
		e = audit.Seal(t.auditHash, e)
		b, detail, err := encodeEntry(e)
		if err != nil {
			return err
		}
		if _, err := t.tx.Exec(t.ctx, "INSERT INTO audit (seq, conversation_id, actor, entry, detail) VALUES ($1, $2, $3, $4, $5)",
			e.Seq, e.ConversationID, e.Actor, b, detail); err != nil {
			return fmt.Errorf("append audit %d: %w", e.Seq, err)
		}
		t.auditHash = e.Hash
		t.audits++
	}
	return nil
}

// appendEvent adds one event to the log inside the transaction.
func (t *txn) appendEvent(typ, conversationID, at string, data []byte) error {
	t.eventSeq++
	if _, err := t.tx.Exec(t.ctx, "INSERT INTO events (seq, type, conversation_id, at, data) VALUES ($1, $2, $3, $4, $5)",
		t.eventSeq, typ, conversationID, at, data); err != nil {
		return fmt.Errorf("append event %d: %w", t.eventSeq, err)
	}
	t.events++
	return nil
}

// refuseIfNone answers what with refused when tag changed no row.
func refuseIfNone(rows int64, refused error, what string) error {
	if rows == 0 {
		return fmt.Errorf("%s: %w", what, refused)
	}
	return nil
}

var errNoRows = pgx.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
