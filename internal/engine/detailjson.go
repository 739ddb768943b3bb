package engine

import (
	"encoding/json"
	"time"
)

// appendJSON appends what json.Marshal(d) returns, byte for byte (the audit
// hash covers these bytes, and readers parse them as JSON), without
// reflection: every command encodes one detail. A string that needs
// escaping, a time json.Marshal refuses and the rare Result are left to
// encoding/json itself. ok is false when json.Marshal(d) would fail.
func (d *detail) appendJSON(b []byte) (_ []byte, ok bool) {
	f := fields{b: b, ok: true}
	f.b = append(f.b, '{')
	f.str("transactionId", d.TransactionID, true)
	f.str("eventId", d.EventID, true)
	if !d.EffectiveAt.IsZero() {
		f.time("effectiveAt", d.EffectiveAt)
	}
	f.str("sessionId", d.SessionID, true)
	f.str("agentId", d.AgentID, true)
	f.str("consent", string(d.Consent), true)
	if d.Result != nil {
		f.key("result")
		f.marshal(d.Result)
	}
	f.state("recording", d.Recording)
	f.state("transcription", d.Transcription)
	if len(d.Drives) > 0 {
		f.key("drives")
		f.b = append(f.b, '[')
		for i, dr := range d.Drives {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.b = append(f.b, '{')
			f.str("transactionId", dr.TransactionID, false)
			f.str("capability", string(dr.Capability), false)
			f.str("target", string(dr.Target), false)
			f.time("at", dr.At)
			f.b = append(f.b, '}')
		}
		f.b = append(f.b, ']')
	}
	if len(d.Confirmed) > 0 {
		f.key("confirmed")
		f.b = append(f.b, '[')
		for i, c := range d.Confirmed {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.b = append(f.b, '{')
			f.str("transactionId", c.TransactionID, false)
			f.str("capability", string(c.Capability), false)
			f.str("state", string(c.State), false)
			f.str("by", c.By, false)
			f.str("error", c.Error, true)
			f.b = append(f.b, '}')
		}
		f.b = append(f.b, ']')
	}
	f.b = append(f.b, '}')
	return f.b, f.ok
}

// fields appends JSON objects; ok turns false on a value JSON cannot hold.
type fields struct {
	b  []byte
	ok bool
}

// key starts a member, after a comma unless it is its object's first.
func (f *fields) key(k string) {
	if f.b[len(f.b)-1] != '{' {
		f.b = append(f.b, ',')
	}
	f.b = append(f.b, '"')
	f.b = append(f.b, k...)
	f.b = append(f.b, '"', ':')
}

func (f *fields) str(k, v string, omitEmpty bool) {
	if omitEmpty && v == "" {
		return
	}
	f.key(k)
	f.string(v)
}

func (f *fields) state(k string, s stateDetail) {
	f.key(k)
	f.b = append(f.b, '{')
	f.str("state", string(s.State), false)
	f.str("desired", string(s.Desired), false)
	if len(s.Reasons) > 0 {
		f.key("reasons")
		f.b = append(f.b, '[')
		for i, r := range s.Reasons {
			if i > 0 {
				f.b = append(f.b, ',')
			}
			f.string(r)
		}
		f.b = append(f.b, ']')
	}
	f.b = append(f.b, '}')
}

// string appends s quoted; only printable ASCII that JSON and its HTML-safe
// escaping leave alone is copied directly.
func (f *fields) string(s string) {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			f.marshal(s)
			return
		}
	}
	f.b = append(f.b, '"')
	f.b = append(f.b, s...)
	f.b = append(f.b, '"')
}

func (f *fields) time(k string, t time.Time) {
	f.key(k)
	f.b = append(f.b, '"')
	var err error
	if f.b, err = t.AppendText(f.b); err != nil {
		f.ok = false
	}
	f.b = append(f.b, '"')
}

func (f *fields) marshal(v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		f.ok = false
		return
	}
	f.b = append(f.b, raw...)
}
