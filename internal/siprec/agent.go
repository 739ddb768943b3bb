package siprec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// AgentRule decides which participant of a recorded call is the agent: the
// first one with an address of record matching a pattern. The agent is
// recorded on the right channel and gives the conversation its agentId.
type AgentRule struct {
	re *regexp.Regexp
}

// NewAgentRule compiles an AOR pattern, such as `^sips?:agent-` or
// `^sip:(?P<agent>2\d{3})@pbx\.example\.com$`. The agentId is the submatch
// named "agent", else the first submatch, else the user part of the AOR.
func NewAgentRule(pattern string) (*AgentRule, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("siprec: agent pattern: %w", err)
	}
	return &AgentRule{re: re}, nil
}

// Assignment says which offered stream goes on which channel.
type Assignment struct {
	// AgentID is the conversation's agentId; empty when no participant
	// matched the rule.
	AgentID string
	// Agent and Caller are the participants found, if any.
	Agent, Caller *Participant
	// CallerStream and AgentStream are Stream.Index values of the offer,
	// or -1 when there is no stream for that side.
	CallerStream, AgentStream int
}

// Assign matches the metadata's participants to the offer's acceptable
// streams. Without usable metadata (no participant matching, no stream
// associations, no labels) it falls back to the order of the offer: the
// first acceptable stream is the caller, the second the agent.
func (r *AgentRule) Assign(m Metadata, o Offer) Assignment {
	a := Assignment{CallerStream: -1, AgentStream: -1}
	streams, _ := o.Acceptable()
	if agent, aor, ok := r.agent(m); ok {
		a.Agent = &agent
		a.AgentID = r.agentID(aor)
		a.AgentStream = sentStream(m, agent, streams)
		for _, p := range m.Participants {
			if p.ID == agent.ID {
				continue
			}
			if s := sentStream(m, p, streams); s >= 0 && s != a.AgentStream {
				a.Caller = &p
				a.CallerStream = s
				break
			}
		}
		if a.Caller == nil {
			if i := slices.IndexFunc(m.Participants, func(p Participant) bool { return p.ID != agent.ID }); i >= 0 {
				a.Caller = &m.Participants[i]
			}
		}
	}
	fillByOrder(&a, streams)
	return a
}

// agent returns the first participant with an AOR the rule matches.
func (r *AgentRule) agent(m Metadata) (Participant, string, bool) {
	for _, p := range m.Participants {
		for _, aor := range p.AORs {
			if r.re.MatchString(aor) {
				return p, aor, true
			}
		}
	}
	return Participant{}, "", false
}

func (r *AgentRule) agentID(aor string) string {
	sub := r.re.FindStringSubmatch(aor)
	if i := r.re.SubexpIndex("agent"); i > 0 && sub[i] != "" {
		return sub[i]
	}
	if len(sub) > 1 && sub[1] != "" {
		return sub[1]
	}
	return userPart(aor)
}

// userPart returns the user of a SIP or tel URI: "sip:1001@host" → "1001".
func userPart(aor string) string {
	u := aor
	if i := strings.IndexByte(u, ':'); i >= 0 {
		u = u[i+1:]
	}
	if i := strings.IndexAny(u, "@;?"); i >= 0 {
		u = u[:i]
	}
	if u == "" {
		return aor
	}
	return u
}

// sentStream returns the Index of the offered stream that p sends, found
// through the metadata stream's label, or -1.
func sentStream(m Metadata, p Participant, streams []Stream) int {
	for _, id := range p.Send {
		ms, ok := m.Stream(id)
		if !ok || ms.Label == "" {
			continue
		}
		if i := slices.IndexFunc(streams, func(s Stream) bool { return s.Label == ms.Label }); i >= 0 {
			return streams[i].Index
		}
	}
	return -1
}

// fillByOrder gives the sides still without a stream the remaining
// acceptable streams in offer order, the caller first.
func fillByOrder(a *Assignment, streams []Stream) {
	for _, side := range []*int{&a.CallerStream, &a.AgentStream} {
		if *side >= 0 {
			continue
		}
		for _, s := range streams {
			if s.Index != a.CallerStream && s.Index != a.AgentStream {
				*side = s.Index
				break
			}
		}
	}
}
