package engine_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// rawRounds is how many times BenchmarkCommandsVsRawSQLite runs each side,
// alternating, so that both see the same moods of a shared machine.
const rawRounds = 3

// BenchmarkCommandsVsRawSQLite compares the engine with the fastest plain
// SQLite program that writes the same rows just as durably. Each round runs
// b.N pause/resume commands through the engine (as BenchmarkCommands, with
// 1,000 conversations and as many callers), then b.N commands' rows written
// straight to a fresh file of the same schema by one goroutine with
// prepared statements, in transactions of the batch size the engine's group
// commit reached in that round. Its rows are copies of the engine's last
// command: the conversation's row, the audit entry (sealed onto a hash
// chain as the engine does), its two events (the state in the one that
// shows the conversation, as the store keeps it), and the chains' heads.
// Both use synchronous=FULL in WAL mode. It reports the medians over rawRounds
// and engine/raw, the median of the rounds' ratios.
func BenchmarkCommandsVsRawSQLite(b *testing.B) {
	const convs = 1000
	var eng, raw []round
	var ratios []float64
	for r := range rawRounds {
		e := engineRound(b, filepath.Join(b.TempDir(), fmt.Sprint("engine", r, ".db")), convs, b.N)
		w := rawRound(b, filepath.Join(b.TempDir(), fmt.Sprint("raw", r, ".db")), convs, b.N, e.batch(), e.rows)
		eng, raw = append(eng, e), append(raw, w)
		ratios = append(ratios, e.perSecond()/w.perSecond())
	}
	b.ReportMetric(median(eng, round.perSecond), "engine-commands/s")
	b.ReportMetric(median(raw, round.perSecond), "raw-commands/s")
	b.ReportMetric(medianOf(ratios), "engine/raw")
	b.ReportMetric(median(eng, round.walPerCommand), "engine-wal-B/command")
	b.ReportMetric(median(raw, round.walPerCommand), "raw-wal-B/command")
	b.ReportMetric(median(eng, round.cpuPerCommand), "engine-cpu-µs/command")
	b.ReportMetric(median(raw, round.cpuPerCommand), "raw-cpu-µs/command")
	b.ReportMetric(median(eng, round.batchSize), "writes/commit")
	b.ReportMetric(0, "ns/op") // one op is a round of both sides: not a figure
}

// round is one side's run of n commands.
type round struct {
	n       int
	elapsed time.Duration
	cpu     time.Duration
	wal     int64
	commits int64
	rows    rowTemplate // engine only: what its last command wrote
}

func (r round) perSecond() float64     { return float64(r.n) / r.elapsed.Seconds() }
func (r round) walPerCommand() float64 { return float64(r.wal) / float64(r.n) }
func (r round) cpuPerCommand() float64 { return float64(r.cpu.Microseconds()) / float64(r.n) }
func (r round) batchSize() float64     { return float64(r.n) / float64(max(r.commits, 1)) }
func (r round) batch() int             { return max(1, int(r.batchSize()+0.5)) }

func median(rs []round, f func(round) float64) float64 {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = f(r)
	}
	return medianOf(vs)
}

func medianOf(vs []float64) float64 {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return vs[len(vs)/2]
}

// engineRound runs n commands through a fresh engine, one caller per
// conversation, as BenchmarkCommands does.
func engineRound(b *testing.B, path string, convs, n int) round {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{none.Platform: none.Backend{}}})
	if err := eng.Start(ctx); err != nil {
		b.Fatal(err)
	}
	forEach(b, convs, func(i int) error {
		_, err := eng.Create(ctx, conversation.Spec{ID: fmt.Sprint("c", i), Platform: none.Platform, Recording: conversation.InProgress}, "bench")
		return err
	})
	before, err := st.WriteStats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var left atomic.Int64
	left.Store(int64(n))
	start, cpu := time.Now(), cpuTime()
	forEach(b, convs, func(i int) error {
		id := fmt.Sprint("c", i)
		op := conversation.OpPause
		for left.Add(-1) >= 0 {
			if _, err := eng.Apply(ctx, id, conversation.Input{Kind: conversation.KindCommand, Capability: conversation.Recording, Operation: op, Actor: "agent:a"}); err != nil {
				return err
			}
			if op == conversation.OpPause {
				op = conversation.OpResume
			} else {
				op = conversation.OpPause
			}
		}
		return nil
	})
	r := round{n: n, elapsed: time.Since(start), cpu: cpuTime() - cpu}
	after, err := st.WriteStats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	r.wal, r.commits = after.WALBytes-before.WALBytes, after.Commits-before.Commits
	eng.Close(5 * time.Second)
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	r.rows = lastCommand(b, path)
	return r
}

// forEach runs f(0) … f(n-1) at once and waits for them.
func forEach(b *testing.B, n int, f func(int) error) {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if err := f(i); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// rowTemplate is what the engine wrote for one command.
type rowTemplate struct {
	state  []byte // in the conversation's row, unless an event holds it
	audit  audit.Entry
	events [2]struct {
		typ   string
		data  []byte
		state bool // data is the conversation's state (migration 0103)
	}
}

// lastCommand reads the rows of the engine's last command back from its
// file.
func lastCommand(b *testing.B, path string) rowTemplate {
	b.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var t rowTemplate
	var detail []byte
	err = db.QueryRow(`SELECT CASE WHEN c.state_seq > 0 THEN (SELECT data FROM events WHERE seq = c.state_seq) ELSE c.state END, a.conversation_id, a.actor, a.action, a.capability, a.reason, a.outcome, a.detail, a.actor_name
		FROM audit a JOIN conversations c ON c.id = a.conversation_id ORDER BY a.seq DESC LIMIT 1`).
		Scan(&t.state, &t.audit.ConversationID, &t.audit.Actor, &t.audit.Action, &t.audit.Capability, &t.audit.Reason,
			&t.audit.Outcome, &detail, &t.audit.ActorName)
	if err != nil {
		b.Fatalf("read the last command: %v", err)
	}
	t.audit.Detail = json.RawMessage(detail)
	rows, err := db.Query("SELECT type, data, state FROM events WHERE conversation_id = ? ORDER BY seq DESC LIMIT 2", t.audit.ConversationID)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		if err := rows.Scan(&t.events[1-i].typ, &t.events[1-i].data, &t.events[1-i].state); err != nil {
			b.Fatal(err)
		}
	}
	if err := rows.Err(); err != nil || t.events[0].typ == "" {
		b.Fatalf("read the last command's events: %v", err)
	}
	return t
}

// rawDSN sets what sqlite.Open sets on its writer: the same durability
// (synchronous=FULL, WAL), page cache and checkpoint interval.
const rawDSN = "?_pragma=busy_timeout(10000)&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(10000)" +
	"&_pragma=journal_size_limit(67108864)&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL"

// rawRound writes n commands' rows to a fresh file of hush's schema, batch
// commands per transaction, with nothing between the program and SQLite.
func rawRound(b *testing.B, path string, convs, n, batch int, t rowTemplate) round {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path) // hush's schema, every migration applied
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	db, err := sql.Open("sqlite", path+rawDSN)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	w := newRawWriter(b, ctx, conn, convs, t)
	defer w.close()
	before, err := sqlite.WALBytes(ctx, conn)
	if err != nil {
		b.Fatal(err)
	}
	start, cpu := time.Now(), cpuTime()
	for done := 0; done < n; done += batch {
		if err := w.commit(ctx, min(batch, n-done)); err != nil {
			b.Fatal(err)
		}
	}
	r := round{n: n, elapsed: time.Since(start), cpu: cpuTime() - cpu, commits: int64((n + batch - 1) / batch)}
	after, err := sqlite.WALBytes(ctx, conn)
	if err != nil {
		b.Fatal(err)
	}
	r.wal = after - before
	return r
}

// rawWriter is the plain program: it keeps every conversation's version and
// chain heads in memory, as a program that is the file's only writer may.
type rawWriter struct {
	t                                      rowTemplate
	ids                                    []string
	version, eventHead, auditHead          []int64
	order                                  []int
	next                                   int
	seq, eventSeq, actorHead               int64
	hash                                   string
	begin, commitStmt, update, insertAudit *sql.Stmt
	insertEvent, writeHead, writeActor     *sql.Stmt
}

func newRawWriter(b *testing.B, ctx context.Context, conn *sql.Conn, convs int, t rowTemplate) *rawWriter {
	b.Helper()
	w := &rawWriter{t: t, order: rand.Perm(convs)}
	prep := func(q string) *sql.Stmt {
		s, err := conn.PrepareContext(ctx, q)
		if err != nil {
			b.Fatalf("%s: %v", q, err)
		}
		return s
	}
	// The conversations are created as the engine creates them: the state
	// in the conversation.created event when the engine keeps it in an
	// event, else in the row.
	inEvent := w.t.events[0].state || w.t.events[1].state
	insertConv := prep(`INSERT INTO conversations (id, agent_id, active, version, updated_at, created_ms, state, state_seq, event_head)
		VALUES (?, '', 1, 1, ?, ?, ?, ?, ?)`)
	defer insertConv.Close()
	w.insertEvent = prep("INSERT INTO events (seq, type, conversation_id, at, data, conv_prev, state) VALUES (?, ?, ?, ?, ?, ?, ?)")
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	for i := range convs {
		w.ids = append(w.ids, fmt.Sprint("c", i))
		w.version, w.eventHead, w.auditHead = append(w.version, 1), append(w.eventHead, 0), append(w.auditHead, 0)
		state := any(t.state)
		if inEvent {
			w.eventSeq++
			if _, err := w.insertEvent.ExecContext(ctx, w.eventSeq, conversation.EventCreated, w.ids[i], stamp(now), t.state, 0, true); err != nil {
				b.Fatal(err)
			}
			state, w.eventHead[i] = "", w.eventSeq
		}
		if _, err := insertConv.ExecContext(ctx, w.ids[i], stamp(now), now.UnixMilli(), state, w.eventHead[i], w.eventHead[i]); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		b.Fatal(err)
	}
	w.begin, w.commitStmt = prep("BEGIN IMMEDIATE"), prep("COMMIT")
	w.update = prep(`UPDATE conversations SET version = version + 1, updated_at = ?, state = ?, state_seq = ?, event_head = ?,
		audit_head = ? WHERE id = ? AND version = ?`)
	w.insertAudit = prep(`INSERT INTO audit (seq, at, conversation_id, actor, action, capability, reason, outcome, detail,
		prev_hash, hash, actor_name, conv_prev, actor_prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	w.writeHead = prep("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")
	w.writeActor = prep("INSERT INTO audit_heads (key, seq) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET seq = excluded.seq")
	return w
}

// commit writes n commands in one transaction.
func (w *rawWriter) commit(ctx context.Context, n int) error {
	if _, err := w.begin.ExecContext(ctx); err != nil {
		return err
	}
	for range n {
		i := w.order[w.next%len(w.order)]
		w.next++
		now := time.Now()
		at := stamp(now)
		e := w.t.audit
		w.seq++
		e.Seq, e.At, e.ConversationID = w.seq, now, w.ids[i]
		e = audit.Seal(w.hash, e)
		w.hash = e.Hash
		if _, err := w.insertAudit.ExecContext(ctx, e.Seq, at, e.ConversationID, e.Actor, e.Action, e.Capability, e.Reason,
			e.Outcome, []byte(e.Detail), "", e.Hash, e.ActorName, w.auditHead[i], w.actorHead); err != nil {
			return err
		}
		w.auditHead[i], w.actorHead = e.Seq, e.Seq
		state, stateSeq := any(w.t.state), int64(0)
		for _, ev := range w.t.events {
			w.eventSeq++
			if _, err := w.insertEvent.ExecContext(ctx, w.eventSeq, ev.typ, w.ids[i], at, ev.data, w.eventHead[i], ev.state); err != nil {
				return err
			}
			w.eventHead[i] = w.eventSeq
			if ev.state {
				state, stateSeq = "", w.eventSeq
			}
		}
		res, err := w.update.ExecContext(ctx, at, state, stateSeq, w.eventHead[i], w.auditHead[i], w.ids[i], w.version[i])
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("update %s: %d rows, %v", w.ids[i], n, err)
		}
		w.version[i]++
	}
	if _, err := w.writeHead.ExecContext(ctx, w.seq, w.hash); err != nil {
		return err
	}
	if _, err := w.writeActor.ExecContext(ctx, "a:"+w.t.audit.Actor, w.actorHead); err != nil {
		return err
	}
	_, err := w.commitStmt.ExecContext(ctx)
	return err
}

func (w *rawWriter) close() {
	for _, s := range []*sql.Stmt{w.begin, w.commitStmt, w.update, w.insertAudit, w.insertEvent, w.writeHead, w.writeActor} {
		s.Close()
	}
}

// stamp formats a time as the store does.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
