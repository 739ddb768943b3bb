package amazonconnect

import (
	"maps"
	"slices"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// AgentIDSource says which agent identifier becomes a conversation's agentId.
type AgentIDSource string

// Agent identifier sources.
const (
	AgentIDUsername AgentIDSource = "username"
	AgentIDARN      AgentIDSource = "arn"
)

// Options tunes Plan.
type Options struct {
	// AgentID picks the conversation's agentId: the agent's username (the
	// default, falling back to the ARN when the snapshot has none) or ARN.
	AgentID AgentIDSource
	// Now is hush's clock at planning time; with MaxClockSkew it refuses
	// events stamped too far ahead, which would make every real event after
	// them look stale. A zero Now skips the check.
	Now          time.Time
	MaxClockSkew time.Duration
}

// IgnoredFuture says an event was stamped further ahead of hush's clock than
// Options.MaxClockSkew allows.
const IgnoredFuture = "future"

// Outcome is what one agent event leads to.
type Outcome struct {
	// Actions are the inputs to apply, in order.
	Actions []Action
	// Memory is the agent's memory once the actions are applied; store it
	// with them.
	Memory Memory
	// Ignored says why the event changed nothing: conversation.IgnoredDuplicate
	// or conversation.IgnoredStale. Empty when it was applied.
	Ignored string
}

// Plan compares an agent event with the agent's memory and yields the
// per-contact actions that bring hush's conversations to the event's current
// snapshot. It is level-triggered: every live voice contact gets the hold
// state its current snapshot shows, so a missed or duplicated event heals at
// the next one (heartbeats included). mem is not modified.
func Plan(ev AgentEvent, mem Memory, opt Options) Outcome {
	if mem.seen(ev.EventID) {
		return Outcome{Memory: mem, Ignored: conversation.IgnoredDuplicate}
	}
	if ev.EventTimestamp.Before(mem.LastEventAt) {
		return Outcome{Memory: mem, Ignored: conversation.IgnoredStale}
	}
	if !opt.Now.IsZero() && opt.MaxClockSkew > 0 && ev.EventTimestamp.After(opt.Now.Add(opt.MaxClockSkew)) {
		return Outcome{Memory: mem, Ignored: IgnoredFuture}
	}
	if ev.Current == nil {
		// Nothing about contacts: remember the id only, so that an older
		// event carrying a snapshot still counts.
		next := mem
		next.Contacts = maps.Clone(mem.Contacts)
		next.RecentEvents = mem.remember(ev.EventID)
		return Outcome{Memory: next}
	}
	p := planner{ev: ev, mem: mem, agentID: agentID(ev, opt)}
	p.next = Memory{
		LastEventAt:  ev.EventTimestamp,
		Contacts:     map[string]ContactMemory{},
		RecentEvents: mem.remember(ev.EventID),
	}
	p.current()
	p.departed()
	if len(p.next.Contacts) == 0 {
		p.next.Contacts = nil
	}
	return Outcome{Actions: p.actions, Memory: p.next}
}

func agentID(ev AgentEvent, opt Options) string {
	if opt.AgentID == AgentIDARN {
		return ev.AgentARN
	}
	for _, s := range []*Snapshot{ev.Current, ev.Previous} {
		if s != nil && s.Configuration.Username != "" {
			return s.Configuration.Username
		}
	}
	return ev.AgentARN
}

type planner struct {
	ev      AgentEvent
	mem     Memory
	next    Memory
	agentID string
	actions []Action
}

// current handles every voice contact of the current snapshot.
func (p *planner) current() {
	for _, c := range p.ev.Current.Contacts {
		if c.Channel != ChannelVoice {
			continue
		}
		m, known := p.mem.Contacts[c.ContactID]
		at := p.ev.EventTimestamp
		switch {
		case known && m.Ended:
			m.At = at
			p.next.Contacts[c.ContactID] = m
		case c.State.Live():
			if !known {
				p.emit(ActionCreate, c)
			}
			hold := c.State == StateConnectedOnHold
			if hold {
				p.emit(ActionHold, c)
			} else if known {
				p.emit(ActionUnhold, c)
			}
			p.next.Contacts[c.ContactID] = ContactMemory{InitialContactID: c.RootContactID(), OnHold: hold, At: at}
		case c.State.Final():
			if known || p.wasLive(c.ContactID) {
				p.emit(ActionEnd, c)
			}
			p.next.Contacts[c.ContactID] = ContactMemory{InitialContactID: c.RootContactID(), Ended: true, At: at}
		case known:
			// A state the contact cannot reach once live, or one this
			// version does not know: keep what was known.
			m.At = at
			p.next.Contacts[c.ContactID] = m
		}
	}
}

// departed ends the live voice contacts that are no longer in the current
// snapshot: those remembered, and those the previous snapshot showed live.
func (p *planner) departed() {
	inCurrent := map[string]bool{}
	for _, c := range p.ev.Current.Contacts {
		inCurrent[c.ContactID] = true
	}
	for _, id := range slices.Sorted(maps.Keys(p.mem.Contacts)) {
		m := p.mem.Contacts[id]
		if inCurrent[id] || m.Ended {
			continue
		}
		p.emit(ActionEnd, Contact{ContactID: id, InitialContactID: m.InitialContactID, Channel: ChannelVoice})
	}
	if p.ev.Previous == nil {
		return
	}
	for _, c := range p.ev.Previous.Contacts {
		_, known := p.mem.Contacts[c.ContactID]
		if inCurrent[c.ContactID] || known || c.Channel != ChannelVoice || !c.State.Live() {
			continue
		}
		c.StateStartTimestamp = time.Time{}
		p.emit(ActionEnd, c)
	}
}

// wasLive reports whether the previous snapshot showed the contact live.
func (p *planner) wasLive(id string) bool {
	if p.ev.Previous == nil {
		return false
	}
	for _, c := range p.ev.Previous.Contacts {
		if c.ContactID == id {
			return c.Channel == ChannelVoice && c.State.Live()
		}
	}
	return false
}

func (p *planner) emit(k ActionKind, c Contact) {
	p.actions = append(p.actions, Action{
		Kind:             k,
		ContactID:        c.ContactID,
		InitialContactID: c.RootContactID(),
		Channel:          c.Channel,
		AgentID:          p.agentID,
		AgentARN:         p.ev.AgentARN,
		InstanceARN:      p.ev.InstanceARN,
		At:               p.ev.EventTimestamp,
		StateSince:       c.StateStartTimestamp,
		EventID:          p.ev.EventID,
	})
}
