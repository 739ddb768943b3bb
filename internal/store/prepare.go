package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
)

// Prepared is a Write checked and made ready for any implementation: its
// audit entries and events carry a time, and the conversation's next state
// is encoded (nil when Unchanged).
type Prepared struct {
	Write
	State []byte
}

// Prepare checks w and readies it at now, outside any lock.
func (w Write) Prepare(now time.Time) (Prepared, error) {
	c := w.Conversation
	switch {
	case c.ID == "":
		return Prepared{}, errors.New("write: conversation has no id")
	case w.Create && w.Unchanged:
		return Prepared{}, fmt.Errorf("write %s: Create and Unchanged together", c.ID)
	case w.Create && c.Version != 0:
		return Prepared{}, fmt.Errorf("write %s: a new conversation must have version 0, not %d", c.ID, c.Version)
	}
	p := Prepared{Write: w}
	if !w.Unchanged {
		c.Version++
		state, err := json.Marshal(c)
		if err != nil {
			return Prepared{}, fmt.Errorf("write %s: encode conversation: %w", c.ID, err)
		}
		p.State = state
	}
	p.Audit = StampAudit(w.Audit, now)
	p.Events = make([]Event, len(w.Events))
	for i, e := range w.Events {
		if e.At.IsZero() {
			e.At = now
		}
		p.Events[i] = e
	}
	return p, nil
}

// StampAudit copies entries, giving those without a time now.
func StampAudit(entries []audit.Entry, now time.Time) []audit.Entry {
	out := make([]audit.Entry, len(entries))
	for i, e := range entries {
		if e.At.IsZero() {
			e.At = now
		}
		out[i] = e
	}
	return out
}

// DecodeConversation reads a stored conversation; the stored version, not
// the copy inside the JSON, is the truth.
func DecodeConversation(id string, version int64, state []byte) (conversation.Conversation, error) {
	var c conversation.Conversation
	if err := json.Unmarshal(state, &c); err != nil {
		return conversation.Conversation{}, fmt.Errorf("decode conversation %s: %w", id, err)
	}
	c.Version = version
	return c, nil
}
