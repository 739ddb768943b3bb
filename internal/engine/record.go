package engine

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// detail is the audited detail of one input: enough to replay the decision.
type detail struct {
	TransactionID string    `json:"transactionId,omitempty"`
	EventID       string    `json:"eventId,omitempty"`
	EffectiveAt   time.Time `json:"effectiveAt,omitzero"`
	SessionID     string    `json:"sessionId,omitempty"`
	// AgentID is the new owner named by a transfer; Consent the customer's
	// answer.
	AgentID       string                    `json:"agentId,omitempty"`
	Consent       conversation.ConsentState `json:"consent,omitempty"`
	Result        *conversation.Result      `json:"result,omitempty"`
	Recording     stateDetail               `json:"recording"`
	Transcription stateDetail               `json:"transcription"`
	Drives        []driveDetail             `json:"drives,omitempty"`
	// Confirmed lists what a tracking backend confirmed within the same
	// write (see Tracker): bookkeeping, not an outside system's answer.
	Confirmed []confirmDetail `json:"confirmed,omitempty"`
}

type confirmDetail struct {
	TransactionID string                  `json:"transactionId"`
	Capability    conversation.Capability `json:"capability"`
	State         conversation.State      `json:"state"`
	By            string                  `json:"by"`
	Error         string                  `json:"error,omitempty"`
}

type stateDetail struct {
	State   conversation.State `json:"state"`
	Desired conversation.State `json:"desired"`
	Reasons []string           `json:"reasons,omitempty"`
}

type driveDetail struct {
	TransactionID string                  `json:"transactionId"`
	Capability    conversation.Capability `json:"capability"`
	Target        conversation.State      `json:"target"`
	At            time.Time               `json:"at"`
}

// record turns an outcome into the store write that persists it: the new
// state, one audit entry for the input and the events to publish.
// own is the input's outcome alone; out adds any inline confirmations
// (steps), which the input's audit entry records.
func (e *Engine) record(before conversation.Conversation, own, out conversation.Outcome, in conversation.Input, now time.Time, steps []step) store.Write {
	next := out.Conversation
	next.Version = before.Version
	w := store.Write{Conversation: next, Unchanged: !out.Changed}
	w.Audit = []audit.Entry{e.auditEntry(out.Conversation, own, in, now, steps)}
	// The last view is of the conversation as written: the store encodes
	// it (and may keep the state there once); an earlier one showed an
	// earlier step.
	last := -1
	for i, ev := range out.Events {
		if _, ok := ev.Data.(conversation.View); ok {
			last = i
		}
	}
	for i, ev := range out.Events {
		if v, ok := ev.Data.(conversation.View); ok {
			if i == last {
				w.Events = append(w.Events, store.Event{Type: ev.Type, ConversationID: next.ID, At: now})
				continue
			}
			v.Version = before.Version + 1
			ev.Data = v
		}
		data, err := encodeEvent(ev.Data)
		if err != nil {
			e.cfg.Logger.Error("encode event", "type", ev.Type, "err", err)
			continue
		}
		w.Events = append(w.Events, store.Event{Type: ev.Type, ConversationID: next.ID, At: now, Data: data})
	}
	for _, s := range next.Sessions {
		if !slices.ContainsFunc(before.Sessions, func(b conversation.SecureSession) bool { return b.ID == s.ID }) {
			w.Sessions = append(w.Sessions, s.ID)
		}
	}
	return w
}

// encodeEvent returns what json.Marshal(data) returns.
func encodeEvent(data any) ([]byte, error) {
	if op, ok := data.(conversation.OperationCompleted); ok {
		return appendOperationCompleted(make([]byte, 0, 384), op)
	}
	return json.Marshal(data)
}

func (e *Engine) auditEntry(c conversation.Conversation, out conversation.Outcome, in conversation.Input, now time.Time, confirmed []step) audit.Entry {
	d := detail{
		TransactionID: in.TransactionID,
		EventID:       in.EventID,
		EffectiveAt:   in.At,
		SessionID:     in.SessionID,
		AgentID:       in.AgentID,
		Consent:       in.Consent,
		Result:        in.Result,
		Recording:     stateOf(c.Recording),
		Transcription: stateOf(c.Transcription),
	}
	for _, dr := range out.Drives {
		d.Drives = append(d.Drives, driveDetail{TransactionID: dr.TransactionID, Capability: dr.Capability, Target: dr.Target, At: dr.At})
	}
	for _, st := range confirmed {
		r := st.in.Result
		d.Confirmed = append(d.Confirmed, confirmDetail{TransactionID: r.TransactionID, Capability: st.in.Capability,
			State: st.out.Conversation.Cap(st.in.Capability).State, By: st.in.Actor, Error: r.Err})
	}
	raw, err := d.appendJSON(make([]byte, 0, 640))
	if err != nil {
		raw = nil // as json.Marshal leaves it
	}
	actor := in.Actor
	if actor == "" {
		actor = "system"
	}
	reason := in.Note
	if reason == "" {
		// An end that says nothing else is explained by its reason.
		reason = string(in.EndReason)
	}
	return audit.Entry{
		At:             now,
		ConversationID: c.ID,
		Actor:          actor,
		ActorName:      in.ActorName,
		Action:         action(in),
		Capability:     string(in.Capability),
		Reason:         reason,
		Outcome:        outcomeText(out, in),
		Detail:         raw,
	}
}

func stateOf(c conversation.Cap) stateDetail {
	s := stateDetail{State: c.State, Desired: c.Desired()}
	for _, r := range c.Reasons {
		s.Reasons = append(s.Reasons, string(r.Kind)+":"+r.ID)
	}
	return s
}

func action(in conversation.Input) string {
	switch in.Kind {
	case conversation.KindCommand:
		return "command." + string(in.Operation)
	case conversation.KindHold, conversation.KindUnhold, conversation.KindEnd,
		conversation.KindSourcePause, conversation.KindSourceResume, conversation.KindAutoPause, conversation.KindAutoResume:
		return "event." + string(in.Kind)
	case conversation.KindResult:
		return "backend.result"
	case conversation.KindExpire:
		return "timer.expire"
	}
	return string(in.Kind)
}

func outcomeText(out conversation.Outcome, in conversation.Input) string {
	switch {
	case out.Ignored != "":
		return "ignored: " + out.Ignored
	case in.Kind == conversation.KindResult && in.Result.Err != "":
		return "failed: " + in.Result.Err
	case in.Kind == conversation.KindResult:
		return "succeeded"
	case !out.Changed:
		return "no change"
	}
	return "applied"
}
