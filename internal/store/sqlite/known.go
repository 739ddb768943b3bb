package sqlite

// maxKnown bounds how many conversations the writer remembers; past it, it
// forgets them all and reads each again once.
const maxKnown = 1 << 16

// known is what the writer remembers of the rows it wrote last: enough to
// update a live conversation without reading its row first. Whether a row
// still matches is checked by the update itself (see convWrite.write), so
// another process writing the same file only costs a read.
type known map[string]storedConv

// known returns what the writer knows of conversation id, as of this
// transaction.
func (t *txn) known(id string) (storedConv, bool) {
	if c, ok := t.staged[id]; ok {
		return c, c.version > 0
	}
	c, ok := t.w.known[id]
	return c, ok
}

// remember notes c as conversation id's row once the transaction commits.
func (t *txn) remember(id string, c storedConv) {
	if !c.active {
		t.forget(id) // ended: rarely written again
		return
	}
	if t.staged == nil {
		t.staged = make(map[string]storedConv)
	}
	t.staged[id] = c
}

// forget drops conversation id once the transaction commits.
func (t *txn) forget(id string) {
	if t.staged == nil {
		t.staged = make(map[string]storedConv)
	}
	t.staged[id] = storedConv{}
}

// committed keeps what t learnt.
func (k known) committed(t *txn) known {
	if len(k)+len(t.staged) > maxKnown {
		k = make(known)
	}
	for id, c := range t.staged {
		if c.version == 0 {
			delete(k, id)
		} else {
			k[id] = c
		}
	}
	return k
}
