package connecttest

import (
	"fmt"
	"time"
)

// Script generates one agent's events in order: each event's previous
// snapshot is the one before it, each is a second after the last, and each
// has a fresh EventId.
type Script struct {
	Agent Agent
	// At is the time of the last event generated.
	At   time.Time
	prev []Contact
	n    int
}

// NewScript starts a script for agent at a time.
func NewScript(agent Agent, at time.Time) *Script { return &Script{Agent: agent, At: at} }

// Next returns the event whose current snapshot holds contacts.
func (s *Script) Next(contacts ...Contact) Event {
	s.n++
	s.At = s.At.Add(time.Second)
	ev := Event{ID: fmt.Sprintf("%s-%04d", s.Agent.Username, s.n), At: s.At, Agent: s.Agent, Current: contacts, Previous: s.prev}
	if s.n == 1 {
		ev.NoPrevious = true
	}
	s.prev = contacts
	return ev
}

// Voice is a voice contact in a state.
func Voice(id, state string) Contact { return Contact{ID: id, State: state} }

// Chat is a chat contact in a state.
func Chat(id, state string) Contact { return Contact{ID: id, Channel: "CHAT", State: state} }
