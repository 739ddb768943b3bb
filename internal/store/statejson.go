package store

import (
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/jsonenc"
)

// encodeState returns what json.Marshal(c) returns, byte for byte, without
// reflection: every write encodes the conversation's state once.
func encodeState(c conversation.Conversation) ([]byte, error) {
	e := jsonenc.NewBuffer(make([]byte, 0, 1024))
	e.Open()
	e.StringMember("id", c.ID)
	e.StringMember("agentId", c.AgentID)
	e.StringMember("platform", c.Platform)
	if len(c.Attributes) > 0 {
		e.Key("attributes")
		e.Marshal(c.Attributes)
	}
	e.OmitString("node", c.Node)
	e.StringMember("callState", string(c.CallState))
	e.Key("recording")
	appendCap(e, &c.Recording)
	e.Key("transcription")
	appendCap(e, &c.Transcription)
	e.OmitEmptyArray("secureSessions", len(c.Sessions), func(i int) {
		s := &c.Sessions[i]
		e.Open()
		e.StringMember("id", s.ID)
		e.StringMember("state", string(s.State))
		e.OmitString("by", s.By)
		e.TimeMember("startedAt", s.StartedAt)
		e.TimeMember("expiresAt", s.ExpiresAt)
		e.OmitZeroTime("endedAt", s.EndedAt)
		e.OmitString("tokenHash", s.TokenHash)
		e.Close()
	})
	e.OmitString("consent", string(c.Consent))
	e.TimeMember("createdAt", c.CreatedAt)
	e.TimeMember("updatedAt", c.UpdatedAt)
	e.OmitZeroTime("endedAt", c.EndedAt)
	e.OmitString("endReason", string(c.EndReason))
	e.OmitZeroTime("lastInputAt", c.LastInputAt)
	e.OmitEmptyArray("seenEvents", len(c.SeenEvents), func(i int) { e.String(c.SeenEvents[i]) })
	e.Key("version")
	e.Int(c.Version)
	e.Close()
	return e.Bytes()
}

func appendCap(e *jsonenc.Buffer, c *conversation.Cap) {
	e.Open()
	e.StringMember("state", string(c.State))
	e.BoolMember("started", c.Started)
	e.BoolMember("stopped", c.Stopped)
	e.Key("pauseReasons")
	appendReasons(e, c.Reasons)
	if d := c.Driving; d != nil {
		e.Key("driving")
		e.Open()
		e.StringMember("transactionId", d.TransactionID)
		e.StringMember("capability", string(d.Capability))
		e.StringMember("operation", string(d.Operation))
		e.StringMember("from", string(d.From))
		e.StringMember("target", string(d.Target))
		e.TimeMember("at", d.At)
		if len(d.Reasons) > 0 {
			e.Key("reasons")
			appendReasons(e, d.Reasons)
		}
		e.TimeMember("since", d.Since)
		e.OmitString("note", d.Note)
		e.Close()
	}
	e.OmitEmptyArray("waiters", len(c.Waiters), func(i int) {
		w := &c.Waiters[i]
		e.Open()
		e.StringMember("transactionId", w.TransactionID)
		e.StringMember("operation", string(w.Operation))
		e.StringMember("want", string(w.Want))
		e.OmitString("note", w.Note)
		e.Close()
	})
	if f := c.Failure; f != nil {
		e.Key("failure")
		e.Open()
		e.StringMember("target", string(f.Target))
		e.StringMember("error", f.Error)
		e.BoolMember("final", f.Final)
		e.TimeMember("at", f.At)
		e.Close()
	}
	e.OmitEmptyArray("parts", len(c.Parts), func(i int) {
		e.Open()
		e.StringMember("name", c.Parts[i].Name)
		e.StringMember("state", string(c.Parts[i].State))
		e.Close()
	})
	e.OmitEmptyArray("partsFor", len(c.PartsFor), func(i int) { e.String(string(c.PartsFor[i])) })
	e.Close()
}

// appendReasons writes rs as an array, null when nil.
func appendReasons(e *jsonenc.Buffer, rs []conversation.Reason) {
	if rs == nil {
		e.Null()
		return
	}
	e.OpenArray()
	for _, r := range rs {
		e.Open()
		e.StringMember("kind", string(r.Kind))
		e.OmitString("id", r.ID)
		e.TimeMember("since", r.Since)
		e.OmitString("by", r.By)
		e.OmitString("byName", r.ByName)
		e.OmitString("note", r.Note)
		e.Close()
	}
	e.CloseArray()
}
