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

func (e *DecodeError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("agent event %d: %s: %v", e.Index, e.Reason, e.Err)
	}
	return fmt.Sprintf("agent event: %s: %v", e.Reason, e.Err)
}

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
	}
	snaps := []struct {
		name string
		s    *Snapshot
	}{{"CurrentAgentSnapshot", ev.Current}, {"PreviousAgentSnapshot", ev.Previous}}
	for _, sn := range snaps {
		if sn.s == nil {
			continue
		}
		seen := make(map[string]bool, len(sn.s.Contacts))
		for i, c := range sn.s.Contacts {
			if c.ContactID == "" {
				return fmt.Errorf("%s.Contacts[%d]: ContactId is missing", sn.name, i)
			}
			if seen[c.ContactID] {
				return fmt.Errorf("%s.Contacts[%d]: ContactId %s appears twice", sn.name, i, c.ContactID)
			}
			seen[c.ContactID] = true
		}
	}
	return nil
}
