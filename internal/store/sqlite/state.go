package sqlite

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// A conversation's state is stored once (migration 0103): when a write's
// events include the conversation's new view (conversation.created,
// .updated or .ended), that event's row holds the
// full state and the view is derived from it on reading; the conversation's
// row names the event (state_seq). Otherwise the row holds the state.

// stateColumn and stateJoin read a conversation's state wherever it is;
// the conversations table is c.
const (
	stateColumn = "CASE WHEN c.state_seq > 0 THEN s.data ELSE c.state END"
	stateJoin   = "LEFT JOIN events s ON s.seq = c.state_seq AND c.state_seq > 0"
)

// stateEvent returns the index of the event among events that is the view
// of c at its new version, -1 if there is none. Only the last view event
// can be: an earlier one showed an earlier step. The view is compared
// byte for byte with the one derived from c, so an event is stored as the
// state only when reading it back gives exactly its data.
func stateEvent(c conversation.Conversation, events []store.Event) (int, error) {
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		if e.Type != conversation.EventCreated && e.Type != conversation.EventUpdated && e.Type != conversation.EventEnded {
			continue
		}
		c.Version++
		view, err := json.Marshal(c.View())
		if err != nil {
			return -1, fmt.Errorf("write %s: encode view: %w", c.ID, err)
		}
		if e.ConversationID != c.ID || !bytes.Equal(view, e.Data) {
			return -1, nil
		}
		return i, nil
	}
	return -1, nil
}

// viewOf derives an event's data from the state its row holds.
func viewOf(seq int64, state []byte) ([]byte, error) {
	var c conversation.Conversation
	if err := json.Unmarshal(state, &c); err != nil {
		return nil, fmt.Errorf("decode the state held by event %d: %w", seq, err)
	}
	view, err := json.Marshal(c.View())
	if err != nil {
		return nil, fmt.Errorf("encode the view of event %d: %w", seq, err)
	}
	return view, nil
}

// keepStates moves the state held by an event the retention sweep is about
// to delete (those older than cutoff, but the newest) back into its
// conversation's row.
const keepStates = `UPDATE conversations SET state = s.data, state_seq = 0
	FROM events s
	WHERE s.seq = conversations.state_seq AND conversations.state_seq > 0
		AND conversations.id IN (SELECT conversation_id FROM events WHERE state = 1 AND at < ?1)
		AND s.at < ?1 AND s.seq < (SELECT MAX(seq) FROM events)`
