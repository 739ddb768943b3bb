package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// chunkSizes returns the row counts of the prepared multi-row INSERTs,
// largest first: any number of rows is written with a few statements, and
// one statement per chunk costs far less than one per row.
func chunkSizes() [chunks]int { return [chunks]int{64, 8, 1} }

const chunks = 3

// bulkInsert collects the rows a transaction appends to one table and
// writes them at its end.
type bulkInsert struct {
	table string
	cols  int
	stmts [chunks]*sql.Stmt
	args  []any
}

// newBulkInsert prepares inserts of cols into table; tail, if any, ends
// each statement (an upsert clause).
func newBulkInsert(ctx context.Context, conn *sql.Conn, table, tail string, cols ...string) (*bulkInsert, error) {
	b := &bulkInsert{table: table, cols: len(cols)}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i, n := range chunkSizes() {
		// OR FAIL spares SQLite a statement journal (undo for a statement
		// that fails halfway): a failure here rolls back the whole
		// transaction anyway.
		query := "INSERT OR FAIL INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(row+", ", n), ", ") + tail
		s, err := conn.PrepareContext(ctx, query)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("prepare insert into %s: %w", table, err), b.close())
		}
		b.stmts[i] = s
	}
	return b, nil
}

// add queues one row; vals are its columns in order.
func (b *bulkInsert) add(vals ...any) { b.args = append(b.args, vals...) }

// flush writes every queued row, in the order added.
func (b *bulkInsert) flush(ctx context.Context) error {
	defer b.reset()
	rows, off := len(b.args)/b.cols, 0
	for i, n := range chunkSizes() {
		for ; rows-off >= n; off += n {
			if _, err := b.stmts[i].ExecContext(ctx, b.args[off*b.cols:(off+n)*b.cols]...); err != nil {
				return fmt.Errorf("insert into %s: %w", b.table, err)
			}
		}
	}
	return nil
}

// reset drops queued rows, keeping the buffer.
func (b *bulkInsert) reset() {
	clear(b.args)
	b.args = b.args[:0]
}

func (b *bulkInsert) close() error { return closeStmts(b.stmts[:]...) }
