package amazonconnect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// DecodeReason classifies why a record could not be decoded.
type DecodeReason string

// Decode failure reasons, stable for the dead-letter table.
const (
	ReasonUTF8    DecodeReason = "invalid-utf8"
	ReasonJSON    DecodeReason = "invalid-json"
	ReasonInvalid DecodeReason = "invalid-event"
)

// DecodeError says why a record is not a usable agent event. Such a record
// can never become usable: it belongs in the dead-letter table.
type DecodeError struct {
	Reason DecodeReason
	// Index is the position of the bad event in an array (DecodeBatch); -1
	// for a single record.
	Index int
	Err   error
}

// Error implements error.
func (e *DecodeError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("agent event %d: %s: %v", e.Index, e.Reason, e.Err)
	}
	return fmt.Sprintf("agent event: %s: %v", e.Reason, e.Err)
}

// Unwrap returns the underlying error.
func (e *DecodeError) Unwrap() error { return e.Err }

// Decode parses one agent event record. Unknown fields are ignored. The
// error, if any, is a *DecodeError.
func Decode(data []byte) (AgentEvent, error) {
	if !utf8.Valid(data) {
		// encoding/json would quietly turn bad bytes into U+FFFD, altering
		// ids; reject the record instead.
		return AgentEvent{}, &DecodeError{Reason: ReasonUTF8, Index: -1, Err: errors.New("record is not valid UTF-8")}
	}
	var ev AgentEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return AgentEvent{}, &DecodeError{Reason: ReasonJSON, Index: -1, Err: err}
	}
	if err := validate(ev); err != nil {
		return AgentEvent{}, &DecodeError{Reason: ReasonInvalid, Index: -1, Err: err}
	}
	return ev, nil
}

// DecodeBatch parses a body holding one agent event or a JSON array of them,
// as a forwarder posts them. It fails as a whole on the first bad event.
func DecodeBatch(data []byte) ([]AgentEvent, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		ev, err := Decode(data)
		if err != nil {
			return nil, err
		}
		return []AgentEvent{ev}, nil
	}
	if !utf8.Valid(data) {
		return nil, &DecodeError{Reason: ReasonUTF8, Index: -1, Err: errors.New("body is not valid UTF-8")}
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, &DecodeError{Reason: ReasonJSON, Index: -1, Err: err}
	}
	events := make([]AgentEvent, 0, len(raws))
	for i, raw := range raws {
		ev, err := Decode(raw)
		if err != nil {
			de := err.(*DecodeError)
			de.Index = i
			return nil, de
		}
		events = append(events, ev)
	}
	return events, nil
}

// Bounds of what a record may hold, well above what Connect sends (ids of
// at most 256 characters, ARNs well under 1024, a few concurrent contacts
// per agent). Past them a record is not an agent event: kept, the values
// would become store keys and items that no store accepts, and the record
// would fail on every delivery.
const (
	maxIDLen    = 256  // EventId, ContactId, InitialContactId, Username
	maxARNLen   = 1024 // AgentARN, InstanceARN
	maxContacts = 256  // contacts of one snapshot
)

// validate checks what Plan relies on.
func validate(ev AgentEvent) error {
	switch {
	case ev.EventID == "":
		return errors.New("EventId is missing")
	case ev.EventTimestamp.IsZero():
		return errors.New("EventTimestamp is missing")
	case ev.AgentARN == "":
		return errors.New("AgentARN is missing")
	case ev.EventType == "":
		return errors.New("EventType is missing")
	case len(ev.EventID) > maxIDLen:
		return fmt.Errorf("EventId longer than %d bytes", maxIDLen)
	case len(ev.AgentARN) > maxARNLen || len(ev.InstanceARN) > maxARNLen:
		return fmt.Errorf("AgentARN or InstanceARN longer than %d bytes", maxARNLen)
	}
	snaps := []struct {
		name string
		s    *Snapshot
	}{{"CurrentAgentSnapshot", ev.Current}, {"PreviousAgentSnapshot", ev.Previous}}
	for _, sn := range snaps {
		if sn.s == nil {
			continue
		}
		if err := validateSnapshot(sn.name, sn.s); err != nil {
			return err
		}
	}
	return nil
}

// validateSnapshot checks one snapshot's agent and contacts.
func validateSnapshot(name string, s *Snapshot) error {
	if len(s.Configuration.Username) > maxIDLen {
		return fmt.Errorf("%s.Configuration.Username longer than %d bytes", name, maxIDLen)
	}
	if len(s.Contacts) > maxContacts {
		return fmt.Errorf("%s has %d contacts, more than %d", name, len(s.Contacts), maxContacts)
	}
	seen := make(map[string]bool, len(s.Contacts))
	for i, c := range s.Contacts {
		switch {
		case c.ContactID == "":
			return fmt.Errorf("%s.Contacts[%d]: ContactId is missing", name, i)
		case len(c.ContactID) > maxIDLen || len(c.InitialContactID) > maxIDLen:
			return fmt.Errorf("%s.Contacts[%d]: ContactId or InitialContactId longer than %d bytes", name, i, maxIDLen)
		case seen[c.ContactID]:
			return fmt.Errorf("%s.Contacts[%d]: ContactId %s appears twice", name, i, c.ContactID)
		}
		seen[c.ContactID] = true
	}
	return nil
}
