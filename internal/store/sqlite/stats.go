package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"modernc.org/sqlite"
)

// WriteStats counts what the writer has done since Open: how much group
// commit shares (Writes per Commit) and how much each commit costs the
// disk (WALBytes).
type WriteStats struct {
	Commits int64 // transactions committed
	Writes  int64 // changes they carried
	// WALBytes is what the writer wrote to the write-ahead log.
	WALBytes int64
}

// WriteStats returns the writer's counts so far.
func (s *Store) WriteStats(ctx context.Context) (WriteStats, error) {
	st := WriteStats{Commits: s.w.commits.Load(), Writes: s.w.changes.Load()}
	var err error
	st.WALBytes, err = WALBytes(ctx, s.w.conn)
	return st, err
}

// walFrameHeader is the size of the header SQLite writes before each page
// in the WAL.
const walFrameHeader = 24

// WALBytes returns how much a connection to a WAL-mode database has written
// to the log since it opened: each page a commit dirtied, with its frame
// header.
func WALBytes(ctx context.Context, conn *sql.Conn) (int64, error) {
	var size int64
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&size); err != nil {
		return 0, fmt.Errorf("read page size: %w", err)
	}
	var pages int
	err := conn.Raw(func(dc any) error {
		ds, ok := dc.(sqlite.DBStatus)
		if !ok {
			return fmt.Errorf("driver connection %T has no status", dc)
		}
		var err error
		pages, _, err = ds.Status(sqlite.DBStatusCacheWrite, false)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read pages written: %w", err)
	}
	return int64(pages) * (size + walFrameHeader), nil
}
