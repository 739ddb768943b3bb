package amazonconnect

import "time"

// EventType is the kind of an agent event.
type EventType string

// Agent event types.
const (
	EventStateChange EventType = "STATE_CHANGE"
	EventHeartBeat   EventType = "HEART_BEAT"
	EventLogin       EventType = "LOGIN"
	EventLogout      EventType = "LOGOUT"
)

// Channel is a contact's channel.
type Channel string

// Contact channels. Only VOICE drives recording.
const (
	ChannelVoice Channel = "VOICE"
	ChannelChat  Channel = "CHAT"
	ChannelTask  Channel = "TASK"
	ChannelEmail Channel = "EMAIL"
)

// ContactState is a contact's state as the agent sees it.
type ContactState string

// Contact states.
const (
	StateIncoming        ContactState = "INCOMING"
	StatePending         ContactState = "PENDING"
	StateConnecting      ContactState = "CONNECTING"
	StateConnected       ContactState = "CONNECTED"
	StateConnectedOnHold ContactState = "CONNECTED_ONHOLD"
	StateMissed          ContactState = "MISSED"
	StateError           ContactState = "ERROR"
	StateEnded           ContactState = "ENDED"
	StateRejected        ContactState = "REJECTED"
)

// Live reports whether the contact is talking to the agent, on hold or not.
func (s ContactState) Live() bool { return s == StateConnected || s == StateConnectedOnHold }

// Final reports whether the contact is over for the agent.
func (s ContactState) Final() bool {
	switch s {
	case StateMissed, StateError, StateEnded, StateRejected:
		return true
	}
	return false
}

// AgentEvent is one record of the Amazon Connect agent event stream. Only the
// fields hush reads are kept; the rest of the record is ignored.
type AgentEvent struct {
	AWSAccountID   string    `json:"AWSAccountId"`
	AgentARN       string    `json:"AgentARN"`
	EventID        string    `json:"EventId"`
	EventTimestamp time.Time `json:"EventTimestamp"`
	EventType      EventType `json:"EventType"`
	InstanceARN    string    `json:"InstanceARN"`
	Version        string    `json:"Version"`
	// Current is the agent's state after the event. It is nil on the rare
	// record that carries none; such a record says nothing about contacts.
	Current *Snapshot `json:"CurrentAgentSnapshot"`
	// Previous is the agent's state before the event; absent on some events.
	Previous *Snapshot `json:"PreviousAgentSnapshot"`
}

// Snapshot is the state of an agent at one moment.
type Snapshot struct {
	Configuration Configuration `json:"Configuration"`
	Contacts      []Contact     `json:"Contacts"`
}

// Configuration names the agent.
type Configuration struct {
	Username  string `json:"Username"`
	FirstName string `json:"FirstName"`
	LastName  string `json:"LastName"`
}

// Contact is one contact the agent holds.
type Contact struct {
	ContactID string `json:"ContactId"`
	// InitialContactID is set on a transferred contact; empty otherwise.
	InitialContactID          string       `json:"InitialContactId"`
	Channel                   Channel      `json:"Channel"`
	State                     ContactState `json:"State"`
	StateStartTimestamp       time.Time    `json:"StateStartTimestamp"`
	ConnectedToAgentTimestamp time.Time    `json:"ConnectedToAgentTimestamp"`
	Queue                     Queue        `json:"Queue"`
}

// RootContactID is the contact's InitialContactId, or its own ContactId for
// a contact that was not transferred: Connect's recording API wants it.
func (c Contact) RootContactID() string {
	if c.InitialContactID != "" {
		return c.InitialContactID
	}
	return c.ContactID
}

// Queue is the queue a contact came through.
type Queue struct {
	ARN  string `json:"ARN"`
	Name string `json:"Name"`
}
