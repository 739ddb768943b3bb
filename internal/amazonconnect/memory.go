package amazonconnect

import "time"

// maxRecentEvents bounds the event ids remembered per agent. Redeliveries
// come close together (a retried batch), so a short window is enough; older
// replays are caught by their timestamp.
const maxRecentEvents = 32

// Memory is what the adapter remembers about one agent between events. It is
// small and serializable so it can be stored with the agent's ARN as key. It
// is stored in a write of its own, after the inputs it led to were applied,
// not atomically with them: if that write fails, the events come again and
// their inputs are submitted again.
type Memory struct {
	// LastEventAt is the EventTimestamp of the newest event applied. An event
	// older than it is stale: a newer snapshot has overtaken it, for the
	// agent and so for every one of its contacts.
	LastEventAt time.Time `json:"lastEventAt,omitzero"`
	// Contacts holds the voice contacts of the last snapshot applied that
	// are live or have ended, by ContactId. A contact is forgotten once it
	// leaves the snapshot, so the map stays as small as the snapshot.
	Contacts map[string]ContactMemory `json:"contacts,omitempty"`
	// RecentEvents are the ids of the newest events applied, oldest first.
	RecentEvents []string `json:"recentEvents,omitempty"`
}

// ContactMemory is what the adapter knows about one voice contact.
type ContactMemory struct {
	// InitialContactID is the root contact id (the contact's own id when it
	// was not transferred), kept to end a contact that left the snapshot.
	InitialContactID string `json:"initialContactId"`
	OnHold           bool   `json:"onHold,omitempty"`
	// Ended is set once the contact's conversation was ended: it never
	// comes back.
	Ended bool `json:"ended,omitempty"`
	// At is the EventTimestamp of the newest event applied for the contact.
	At time.Time `json:"at"`
}

// seen reports whether the event id was applied recently.
func (m Memory) seen(id string) bool {
	for _, e := range m.RecentEvents {
		if e == id {
			return true
		}
	}
	return false
}

// remember returns the recent ids with id appended, bounded.
func (m Memory) remember(id string) []string {
	ids := append(make([]string, 0, len(m.RecentEvents)+1), m.RecentEvents...)
	ids = append(ids, id)
	if n := len(ids); n > maxRecentEvents {
		ids = ids[n-maxRecentEvents:]
	}
	return ids
}
