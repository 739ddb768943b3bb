package engine

import (
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/jsonenc"
)

// appendJSON appends what json.Marshal(d) returns, byte for byte (the audit
// hash covers these bytes, and readers parse them as JSON), without
// reflection: every command encodes one detail. It fails where
// json.Marshal fails.
func (d *detail) appendJSON(b []byte) ([]byte, error) {
	e := jsonenc.NewBuffer(b)
	e.Open()
	e.OmitString("transactionId", d.TransactionID)
	e.OmitString("eventId", d.EventID)
	e.OmitZeroTime("effectiveAt", d.EffectiveAt)
	e.OmitString("sessionId", d.SessionID)
	e.OmitString("agentId", d.AgentID)
	e.OmitString("consent", string(d.Consent))
	if d.Result != nil {
		e.Key("result")
		e.Marshal(d.Result)
	}
	e.Key("recording")
	d.Recording.appendJSON(e)
	e.Key("transcription")
	d.Transcription.appendJSON(e)
	e.OmitEmptyArray("drives", len(d.Drives), func(i int) {
		dr := &d.Drives[i]
		e.Open()
		e.StringMember("transactionId", dr.TransactionID)
		e.StringMember("capability", string(dr.Capability))
		e.StringMember("target", string(dr.Target))
		e.TimeMember("at", dr.At)
		e.Close()
	})
	e.OmitEmptyArray("confirmed", len(d.Confirmed), func(i int) {
		c := &d.Confirmed[i]
		e.Open()
		e.StringMember("transactionId", c.TransactionID)
		e.StringMember("capability", string(c.Capability))
		e.StringMember("state", string(c.State))
		e.StringMember("by", c.By)
		e.OmitString("error", c.Error)
		e.Close()
	})
	e.Close()
	return e.Bytes()
}

func (s stateDetail) appendJSON(e *jsonenc.Buffer) {
	e.Open()
	e.StringMember("state", string(s.State))
	e.StringMember("desired", string(s.Desired))
	e.OmitEmptyArray("reasons", len(s.Reasons), func(i int) { e.String(s.Reasons[i]) })
	e.Close()
}

// appendOperationCompleted appends what json.Marshal(op) returns: every
// command that completes an operation publishes one.
func appendOperationCompleted(b []byte, op conversation.OperationCompleted) ([]byte, error) {
	e := jsonenc.NewBuffer(b)
	e.Open()
	e.StringMember("conversationId", op.ConversationID)
	e.StringMember("liveWorkItemId", op.LiveWorkItemID)
	e.StringMember("transactionId", op.TransactionID)
	e.StringMember("capability", string(op.Capability))
	e.StringMember("operation", string(op.Operation))
	e.StringMember("result", op.Result)
	e.StringMember("currentState", string(op.CurrentState))
	e.StringMember("desiredState", string(op.DesiredState))
	e.StringMember("reason", op.Reason)
	e.StringMember("error", op.Error)
	e.Close()
	return e.Bytes()
}
