// Package sqlite stores hush's state in one SQLite file (modernc.org/sqlite,
// no cgo). Every change goes through a single writer goroutine that commits
// whatever is queued in one durable transaction (group commit); reads use a
// separate pool of connections, which WAL lets run beside the writer.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	// The "sqlite" database/sql driver.
	_ "modernc.org/sqlite"

	"github.com/hush-cc/hush/internal/store"
)

// FileName is the name of the database file in hush's data directory.
const FileName = "hush.db"

// ErrClosed is returned by writes after Close.
var ErrClosed = errors.New("sqlite store is closed")

// Store is a store.Store on one SQLite file. Several Stores, in one process
// or many, may share a file: writes take SQLite's write lock and check
// versions, so none overwrites another's change.
type Store struct {
	rdb *sql.DB // read pool
	wdb *sql.DB // holds the writer's one connection
	w   *writer
	q   *readStmts
	log *slog.Logger
}

var _ store.Store = (*Store)(nil)

type config struct {
	batch   int
	busy    time.Duration
	readers int
	log     *slog.Logger
}

// Option changes how Open sets up a Store.
type Option func(*config)

// WithBatchSize bounds how many queued writes share one transaction
// (default 1000).
func WithBatchSize(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.batch = n
		}
	}
}

// WithBusyTimeout sets how long a write waits for another process holding
// the write lock (default 10s).
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.busy = d
		}
	}
}

// WithReaders sets the size of the read connection pool (default: the number
// of CPUs, at least 4).
func WithReaders(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.readers = n
		}
	}
}

// WithLogger sets where the store logs (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// Open opens or creates the database file at path (by convention
// filepath.Join(dataDir, FileName)) and applies any pending migrations.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := config{batch: 1000, busy: 10 * time.Second, readers: max(4, runtime.NumCPU()), log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite store: bad path %q", path)
	}
	busy := fmt.Sprintf("_busy_timeout=%d", cfg.busy.Milliseconds())
	// synchronous=FULL: a commit is on disk before Write returns. A large
	// page cache keeps a big group's dirty pages in memory until commit, and
	// a checkpoint every 10000 pages (about 40 MB of WAL) writes a page
	// updated by many commits back to the file once. The shorthand keys run
	// after the _pragma list, so the journal mode is set last.
	wdsn := path + "?" + busy + "&_pragma=cache_size(-65536)&_pragma=wal_autocheckpoint(10000)" +
		"&_pragma=journal_size_limit(67108864)&_foreign_keys=1&_journal_mode=WAL&_synchronous=FULL"
	rdsn := path + "?" + busy + "&_query_only=1"

	s := &Store{log: cfg.log}
	w, err := s.openWriter(ctx, wdsn, cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", path, err)
	}
	s.w = w
	if err := s.openReaders(ctx, rdsn, cfg.readers); err != nil {
		return nil, errors.Join(fmt.Errorf("open sqlite store %s: %w", path, err), s.Close())
	}
	return s, nil
}

func (s *Store) openWriter(ctx context.Context, dsn string, cfg config) (*writer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, errors.Join(err, db.Close())
	}
	fail := func(err error) (*writer, error) { return nil, errors.Join(err, conn.Close(), db.Close()) }
	if err := migrate(ctx, conn); err != nil {
		return fail(err)
	}
	st, err := prepareWriteStmts(ctx, conn)
	if err != nil {
		return fail(err)
	}
	s.wdb = db
	return startWriter(conn, st, cfg.batch, cfg.log), nil
}

func (s *Store) openReaders(ctx context.Context, dsn string, n int) error {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	s.rdb = db
	q, err := prepareReadStmts(ctx, db)
	if err != nil {
		return err
	}
	s.q = q
	return nil
}

// Close finishes every queued write, checkpoints the WAL into the database
// file and closes it. Writes after Close fail with ErrClosed.
func (s *Store) Close() error {
	var errs []error
	if s.q != nil {
		errs = append(errs, s.q.close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite store: %w", err)
	}
	return nil
}
