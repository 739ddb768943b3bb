package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	// View is the index in Events of the event that shows the conversation
	// as written, whose Data is still nil (see Write.Events), -1 if none.
	// An implementation keeps the state there, or calls FillView.
	View int
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
	view, err := w.viewEvent()
	if err != nil {
		return Prepared{}, err
	}
	p := Prepared{Write: w, View: view}
	if !w.Unchanged {
		c.Version++
		state, err := encodeState(c)
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

// FillView gives the event p.View names its data: the conversation's view
// at its new version.
func (p *Prepared) FillView() error {
	if p.View < 0 {
		return nil
	}
	data, err := viewData(p.Conversation, p.Unchanged)
	if err != nil {
		return err
	}
	p.Events[p.View].Data = data
	p.View = -1
	return nil
}

// WithView returns w with the data of the event that shows the
// conversation as written filled in (see Write.Events), for an
// implementation that does not Prepare.
func (w Write) WithView() (Write, error) {
	i, err := w.viewEvent()
	if err != nil || i < 0 {
		return w, err
	}
	data, err := viewData(w.Conversation, w.Unchanged)
	if err != nil {
		return w, err
	}
	w.Events = slices.Clone(w.Events)
	w.Events[i].Data = data
	return w, nil
}

// viewEvent returns the index of the event of w whose data is the
// conversation's view, -1 if there is none.
func (w Write) viewEvent() (int, error) {
	view := -1
	for i, e := range w.Events {
		if e.Data != nil ||
			(e.Type != conversation.EventCreated && e.Type != conversation.EventUpdated && e.Type != conversation.EventEnded) {
			continue
		}
		if view >= 0 {
			return -1, fmt.Errorf("write %s: two events to show the conversation", w.Conversation.ID)
		}
		view = i
	}
	return view, nil
}

// viewData encodes c's view as written: at its next version, unless the
// write leaves it unchanged.
func viewData(c conversation.Conversation, unchanged bool) ([]byte, error) {
	if !unchanged {
		c.Version++
	}
	return EncodeView(c)
}

// EncodeView returns the data of an event that shows c: its view, at c's
// Version.
func EncodeView(c conversation.Conversation) ([]byte, error) {
	data, err := json.Marshal(c.View())
	if err != nil {
		return nil, fmt.Errorf("encode the view of %s: %w", c.ID, err)
	}
	return data, nil
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
