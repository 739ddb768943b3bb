package sqlite

import (
	"encoding/json"
	"fmt"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// A conversation's state is stored once (migration 0103): the event of a
// write that shows the conversation as written (store.Prepared.View) holds
// the full state in its row, and its data, the view, is derived from it on
// reading; the conversation's row names the event (state_seq). Otherwise
// the row holds the state.

// stateColumn and stateJoin read a conversation's state wherever it is;
// the conversations table is c.
const (
	stateColumn = "CASE WHEN c.state_seq > 0 THEN s.data ELSE c.state END"
	stateJoin   = "LEFT JOIN events s ON s.seq = c.state_seq AND c.state_seq > 0"
)

// viewOf derives an event's data from the state its row holds; the
// state's own version is the one the event showed.
func viewOf(seq int64, state []byte) ([]byte, error) {
	var c conversation.Conversation
	if err := json.Unmarshal(state, &c); err != nil {
		return nil, fmt.Errorf("decode the state held by event %d: %w", seq, err)
	}
	return store.EncodeView(c)
}

// keepStates moves the state held by an event the retention sweep is about
// to delete (those older than cutoff, but the newest) back into its
// conversation's row.
const keepStates = `UPDATE conversations SET state = s.data, state_seq = 0
	FROM events s
	WHERE s.seq = conversations.state_seq AND conversations.state_seq > 0
		AND conversations.id IN (SELECT conversation_id FROM events WHERE state = 1 AND at < ?1)
		AND s.at < ?1 AND s.seq < (SELECT MAX(seq) FROM events)`
