// Package timeline folds a conversation's published snapshots into its
// whole history of spans: when each capability ran, each pause reason held,
// the caller was on hold. It is pure: no I/O, no clock.
//
// The console folds the same snapshots the same way as they arrive (see
// web/console/js/timeline.js), so a timeline loaded from hush mid-call and
// one watched from the start agree.
package timeline

import (
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// Span is a stretch of time; a zero End means it still runs.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// Reason is the span during which one pause reason was held.
type Reason struct {
	Kind  conversation.ReasonKind `json:"kind"`
	ID    string                  `json:"id,omitempty"`
	By    string                  `json:"by,omitempty"`
	Note  string                  `json:"note,omitempty"`
	Start time.Time               `json:"start"`
	End   time.Time               `json:"end,omitzero"`
}

// Part is the span during which one part of a capability was in a state
// other than the capability's own: the screen still recorded while a hold
// paused only the agent's voice.
type Part struct {
	Name  string             `json:"name"`
	State conversation.State `json:"state"`
	Start time.Time          `json:"start"`
	End   time.Time          `json:"end,omitzero"`
}

// Capability is a capability's history: when it ran (active, paused or
// not), every reason it was paused for, and the parts that differed.
type Capability struct {
	Active  []Span   `json:"active"`
	Reasons []Reason `json:"reasons"`
	Parts   []Part   `json:"parts,omitempty"`
}

// Timeline is a conversation's history.
type Timeline struct {
	ConversationID string    `json:"conversationId"`
	CreatedAt      time.Time `json:"createdAt"`
	// EndedAt is zero while the call runs.
	EndedAt       time.Time  `json:"endedAt,omitzero"`
	Holds         []Span     `json:"holds"`
	Recording     Capability `json:"recording"`
	Transcription Capability `json:"transcription"`
}

// reasonKey identifies one holding of a reason: the same reason held again
// later is another span.
type reasonKey struct {
	kind  conversation.ReasonKind
	id    string
	since time.Time
}

type capState struct {
	Capability
	index map[reasonKey]int
}

// Build folds snapshots, in version order, into the conversation's timeline.
func Build(views []conversation.View) Timeline {
	var tl Timeline
	rec := capState{index: map[reasonKey]int{}}
	tr := capState{index: map[reasonKey]int{}}
	for i, v := range views {
		if i == 0 {
			tl.ConversationID, tl.CreatedAt = v.ID, v.CreatedAt
		}
		t := v.UpdatedAt
		if t.IsZero() {
			t = tl.CreatedAt
		}
		observeCap(&rec, v.Recording, t, tl.CreatedAt, i == 0)
		observeCap(&tr, v.Transcription, t, tl.CreatedAt, i == 0)
		observeSessions([]*capState{&rec, &tr}, v.SecureSessions, t)
		tl.Holds = observeHold(tl.Holds, v, t)
		if v.CallState == conversation.Ended {
			end := v.EndedAt
			if end.IsZero() {
				end = t
			}
			tl.EndedAt = end
			closeAll(&tl, []*capState{&rec, &tr}, end)
		}
	}
	tl.Recording, tl.Transcription = rec.Capability, tr.Capability
	if tl.Holds == nil {
		tl.Holds = []Span{}
	}
	for _, c := range []*Capability{&tl.Recording, &tl.Transcription} {
		if c.Active == nil {
			c.Active = []Span{}
		}
		if c.Reasons == nil {
			c.Reasons = []Reason{}
		}
	}
	return tl
}

func open(spans []Span) *Span {
	if n := len(spans); n > 0 && spans[n-1].End.IsZero() {
		return &spans[n-1]
	}
	return nil
}

func observeCap(c *capState, v conversation.CapView, t, created time.Time, first bool) {
	desired := v.DesiredState
	if desired == "" {
		desired = v.State
	}
	active := desired == conversation.InProgress || desired == conversation.Paused
	o := open(c.Active)
	switch {
	case active && o == nil:
		start := t
		// A capability already running when first seen has run since the call began.
		if first && !created.IsZero() {
			start = created
		}
		c.Active = append(c.Active, Span{Start: start})
	case !active && o != nil:
		o.End = t
	}
	held := map[reasonKey]bool{}
	for _, r := range v.PauseReasons {
		if r.Kind == "" {
			continue
		}
		since := r.Since
		if since.IsZero() {
			since = t
		}
		k := reasonKey{r.Kind, r.ID, r.Since}
		held[k] = true
		if i, ok := c.index[k]; ok {
			c.Reasons[i].End = time.Time{}
			continue
		}
		c.index[k] = len(c.Reasons)
		c.Reasons = append(c.Reasons, Reason{Kind: r.Kind, ID: r.ID, By: r.By, Note: r.Note, Start: since})
	}
	for k, i := range c.index {
		if !held[k] && c.Reasons[i].End.IsZero() {
			c.Reasons[i].End = t
		}
	}
	observeParts(c, v.Parts, t)
}

// observeParts opens a span for each part a snapshot shows in a state of
// its own and closes the spans of parts it no longer shows so.
func observeParts(c *capState, parts []conversation.Part, t time.Time) {
	shown := map[string]conversation.State{}
	for _, p := range parts {
		shown[p.Name] = p.State
	}
	open := map[string]bool{}
	for i := range c.Parts {
		p := &c.Parts[i]
		if !p.End.IsZero() {
			continue
		}
		if st, ok := shown[p.Name]; ok && st == p.State {
			open[p.Name] = true
			continue
		}
		p.End = t
	}
	for _, p := range parts {
		if !open[p.Name] {
			c.Parts = append(c.Parts, Part{Name: p.Name, State: p.State, Start: t})
			open[p.Name] = true
		}
	}
}

// observeSessions draws the secure sessions a snapshot remembers, also
// those no snapshot showed held, and ends each where its session says.
func observeSessions(caps []*capState, sessions []conversation.SecureSession, t time.Time) {
	for _, s := range sessions {
		if s.ID == "" || s.State == conversation.SessionActive || s.StartedAt.IsZero() {
			continue
		}
		end := s.EndedAt
		if end.IsZero() {
			end = t
		}
		for _, c := range caps {
			known := false
			for i := range c.Reasons {
				r := &c.Reasons[i]
				if r.Kind != conversation.Secure || r.ID != s.ID {
					continue
				}
				known = true
				if r.End.IsZero() || r.End.After(end) {
					r.End = end
				}
			}
			if !known {
				k := reasonKey{conversation.Secure, s.ID, time.Time{}}
				c.index[k] = len(c.Reasons)
				c.Reasons = append(c.Reasons, Reason{Kind: conversation.Secure, ID: s.ID, By: s.By, Start: s.StartedAt, End: end})
			}
		}
	}
}

func observeHold(holds []Span, v conversation.View, t time.Time) []Span {
	o := open(holds)
	if v.CallState != conversation.OnHold {
		if o != nil {
			o.End = t
		}
		return holds
	}
	if o != nil {
		return holds
	}
	start := t
	for _, c := range []conversation.CapView{v.Recording, v.Transcription} {
		for _, r := range c.PauseReasons {
			if r.Kind == conversation.Hold && !r.Since.IsZero() && r.Since.Before(start) {
				start = r.Since
			}
		}
	}
	return append(holds, Span{Start: start})
}

func closeAll(tl *Timeline, caps []*capState, at time.Time) {
	closeAt := func(end *time.Time) {
		if end.IsZero() || end.After(at) {
			*end = at
		}
	}
	for i := range tl.Holds {
		closeAt(&tl.Holds[i].End)
	}
	for _, c := range caps {
		for i := range c.Active {
			closeAt(&c.Active[i].End)
		}
		for i := range c.Reasons {
			closeAt(&c.Reasons[i].End)
		}
		for i := range c.Parts {
			closeAt(&c.Parts[i].End)
		}
	}
}
