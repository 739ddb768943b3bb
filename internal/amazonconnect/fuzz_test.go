package amazonconnect

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// FuzzDecode checks that no record makes the decoder or the planner panic,
// that every failure is a *DecodeError, and that what decodes survives a
// round trip through its own encoding.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := Decode(data)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		if ev.EventID == "" || ev.AgentARN == "" || ev.EventTimestamp.IsZero() {
			t.Fatalf("accepted an event without id, agent or time: %+v", ev)
		}
		enc, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		enc2, _ := json.Marshal(again)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip changed the event:\n%s\n%s", enc, enc2)
		}
		out := Plan(ev, Memory{}, Options{})
		out = Plan(ev, out.Memory, Options{})
		if out.Ignored == "" {
			t.Fatal("the same event applied twice")
		}
	})
}
