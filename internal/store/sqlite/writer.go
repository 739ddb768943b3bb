package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/hush-cc/hush/internal/audit"
)

// A change is one caller's part of a write transaction. It returns outcome,
// the answer for its caller when the change is refused (a conflict, say)
// having written nothing, or err when the transaction itself failed.
type change func(t *txn) (outcome, err error)

type request struct {
	ctx  context.Context
	run  change
	done chan error
}

// writer owns the one connection that writes. Callers queue changes; the
// writer takes everything queued, applies it in one transaction and commits
// once, so the cost of a durable commit is shared by every change in it.
type writer struct {
	conn  *sql.Conn
	st    *writeStmts
	queue chan *request
	batch int
	log   *slog.Logger

	mu      sync.RWMutex // guards closed against sends on a closed queue
	closed  bool
	stopped chan struct{}

	known known // only the writer's goroutine uses it

	commits atomic.Int64 // transactions committed
	changes atomic.Int64 // changes they carried
}

func startWriter(conn *sql.Conn, st *writeStmts, batch int, log *slog.Logger) *writer {
	w := &writer{conn: conn, st: st, queue: make(chan *request, batch), batch: batch, log: log, stopped: make(chan struct{}),
		known: make(known)}
	go w.loop()
	return w
}

// do queues run and waits for its transaction to commit or fail. Once
// queued, a change is applied unless ctx ends before the writer reaches it;
// do then still waits, so its answer always says what happened.
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
		w.commit(batch)
		clear(batch)
	}
}

// commit applies a batch in one transaction. If one of its changes fails,
// each change is retried in a transaction of its own, so a bad change fails
// alone; a failure of the database itself (the lock, the commit) fails the
// whole batch at once.
func (w *writer) commit(batch []*request) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	outs, err := w.transact(live)
	var cf *changeFailure
	if err != nil && len(live) > 1 && errors.As(err, &cf) {
		w.log.Warn("group commit failed; retrying its writes one by one", "writes", len(live), "err", err)
		for _, r := range live {
			outs, err := w.transact([]*request{r})
			if err == nil {
				err = outs[0]
			}
			r.done <- err
		}
		return
	}
	for i, r := range live {
		if err != nil {
			r.done <- err
		} else {
			r.done <- outs[i]
		}
	}
}

// changeFailure is a failure caused by a change of the batch, not by the
// database as a whole.
type changeFailure struct{ err error }

func (f *changeFailure) Error() string { return f.err.Error() }
func (f *changeFailure) Unwrap() error { return f.err }

// transact runs reqs in one BEGIN IMMEDIATE transaction: the write lock is
// taken before the audit head is read, so two processes chain in turn.
func (w *writer) transact(reqs []*request) (outs []error, err error) {
	ctx := context.Background() // a cancellable context costs a goroutine per statement in the driver
	if _, err := w.st.begin.ExecContext(ctx); err != nil {
		return nil, fmt.Errorf("begin write: %w", err)
	}
	defer func() {
		if err != nil {
			for _, b := range w.st.bulk() {
				b.reset()
			}
			if _, rerr := w.st.rollback.ExecContext(ctx); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
			}
		}
	}()
	t := &txn{ctx: ctx, conn: w.conn, st: w.st, w: w, staged: make(map[string]storedConv, len(reqs))}
	t.chains.audit, t.chains.dirty = make(map[string]int64, len(reqs)+1), make(map[string]bool, len(reqs)+1)
	if err := w.st.readHead.QueryRowContext(ctx).Scan(&t.head.Seq, &t.head.Hash); err != nil {
		return nil, fmt.Errorf("read audit head: %w", err)
	}
	start := t.head
	outs = make([]error, len(reqs))
	for i, r := range reqs {
		if outs[i], err = r.run(t); err != nil {
			return nil, &changeFailure{err}
		}
	}
	if err := t.storeHeads(); err != nil {
		return nil, &changeFailure{err}
	}
	for _, b := range w.st.bulk() {
		if err := b.flush(ctx); err != nil {
			return nil, &changeFailure{err}
		}
	}
	if t.head != start {
		if _, err := w.st.writeHead.ExecContext(ctx, t.head.Seq, t.head.Hash); err != nil {
			return nil, fmt.Errorf("write audit head: %w", err)
		}
	}
	if _, err := w.st.commit.ExecContext(ctx); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	w.known = w.known.committed(t)
	w.commits.Add(1)
	w.changes.Add(int64(len(reqs)))
	return outs, nil
}

// close lets the writer finish what is queued, checkpoints the WAL and
// releases the connection.
func (w *writer) close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil
	}
	w.closed = true
	close(w.queue)
	w.mu.Unlock()
	<-w.stopped
	ctx := context.Background()
	var errs []error
	// TRUNCATE leaves an empty WAL; when another process still reads, the
	// checkpoint stops short and that process finishes it later.
	if _, err := w.conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		errs = append(errs, fmt.Errorf("checkpoint: %w", err))
	}
	errs = append(errs, w.st.close(), w.conn.Close())
	return errors.Join(errs...)
}

// txn is the open write transaction a change runs in.
type txn struct {
	ctx    context.Context
	conn   *sql.Conn
	st     *writeStmts
	head   audit.Head
	chains chains
	w      *writer
	// staged is what the writer will know of conversations once the
	// transaction commits; a zero version forgets one.
	staged map[string]storedConv
}
