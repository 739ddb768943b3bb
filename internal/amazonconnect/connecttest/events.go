package connecttest

import (
	"encoding/json"
	"time"
)

// InstanceARN is the Connect instance the generated events and the tests use.
const InstanceARN = "arn:aws:connect:us-east-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111"

// InstanceID is the last part of InstanceARN.
const InstanceID = "aaaaaaaa-bbbb-cccc-dddd-111111111111"

// AgentARN returns the ARN of agent id in InstanceARN.
func AgentARN(id string) string { return InstanceARN + "/agent/" + id }

// Agent is who generated events are about.
type Agent struct {
	ARN       string
	Username  string
	FirstName string
	LastName  string
}

// Contact is one contact of a generated snapshot.
type Contact struct {
	ID string
	// InitialID is the InitialContactId of a transferred contact; empty
	// writes null.
	InitialID string
	// Channel is VOICE when empty.
	Channel string
	State   string
}

// Event is an agent event record to generate.
type Event struct {
	ID string
	// Type is STATE_CHANGE when empty.
	Type  string
	At    time.Time
	Agent Agent
	// Previous is the previous snapshot's contacts; with NoPrevious the
	// record has no previous snapshot at all.
	Previous   []Contact
	NoPrevious bool
	Current    []Contact
}

// JSON renders the event as Amazon Connect writes it to Kinesis, with
// fields hush does not read, as the real stream has them.
func (e Event) JSON() []byte {
	typ := e.Type
	if typ == "" {
		typ = "STATE_CHANGE"
	}
	rec := map[string]any{
		"AWSAccountId":         "123456789012",
		"AgentARN":             e.Agent.ARN,
		"EventId":              e.ID,
		"EventTimestamp":       e.At.UTC().Format("2006-01-02T15:04:05.000Z"),
		"EventType":            typ,
		"InstanceARN":          InstanceARN,
		"Version":              "2019-05-25",
		"CurrentAgentSnapshot": e.snapshot(e.Current),
	}
	if !e.NoPrevious {
		rec["PreviousAgentSnapshot"] = e.snapshot(e.Previous)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		panic(err) // maps of strings always encode
	}
	return b
}

func (e Event) snapshot(cs []Contact) map[string]any {
	contacts := make([]map[string]any, 0, len(cs))
	for _, c := range cs {
		ch := c.Channel
		if ch == "" {
			ch = "VOICE"
		}
		var initial any
		if c.InitialID != "" {
			initial = c.InitialID
		}
		at := e.At.UTC().Format("2006-01-02T15:04:05.000Z")
		contacts = append(contacts, map[string]any{
			"Channel":                   ch,
			"ContactId":                 c.ID,
			"InitialContactId":          initial,
			"InitiationMethod":          "INBOUND",
			"State":                     c.State,
			"StateStartTimestamp":       at,
			"ConnectedToAgentTimestamp": at,
			"QueueTimestamp":            at,
			"Queue":                     map[string]any{"ARN": InstanceARN + "/queue/q-in", "Name": "BasicQueue"},
		})
	}
	return map[string]any{
		"AgentStatus": map[string]any{"Name": "Available", "Type": "ROUTABLE"},
		"Configuration": map[string]any{
			"Username":  e.Agent.Username,
			"FirstName": e.Agent.FirstName,
			"LastName":  e.Agent.LastName,
		},
		"Contacts": contacts,
	}
}
