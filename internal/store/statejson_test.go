package store

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/jsonenc/jsonenctest"
)

// TestEncodeStateIsJSONMarshal checks that the hand-written encoder writes
// exactly the bytes encoding/json writes, for any conversation (rapid.Make
// fills every field, so a field added to the type and not to the encoder
// fails here), with times zero, far off or in any zone.
func TestEncodeStateIsJSONMarshal(t *testing.T) {
	tm := jsonenctest.Times()
	reasons := func(t *rapid.T, rs []conversation.Reason) {
		for i := range rs {
			rs[i].Since = tm.Draw(t, "since")
		}
	}
	caps := func(t *rapid.T, c *conversation.Cap) {
		reasons(t, c.Reasons)
		if d := c.Driving; d != nil {
			d.At, d.Since = tm.Draw(t, "at"), tm.Draw(t, "since")
			reasons(t, d.Reasons)
		}
		if f := c.Failure; f != nil {
			f.At = tm.Draw(t, "at")
		}
	}
	// Ten conversations a check: a nested field is filled in few of them.
	rapid.Check(t, func(t *rapid.T) {
		for range 10 {
			c := rapid.Make[conversation.Conversation]().Draw(t, "conversation")
			c.CreatedAt, c.UpdatedAt, c.EndedAt, c.LastInputAt = tm.Draw(t, "createdAt"), tm.Draw(t, "updatedAt"), tm.Draw(t, "endedAt"), tm.Draw(t, "lastInputAt")
			caps(t, &c.Recording)
			caps(t, &c.Transcription)
			for i := range c.Sessions {
				s := &c.Sessions[i]
				s.StartedAt, s.ExpiresAt, s.EndedAt = tm.Draw(t, "startedAt"), tm.Draw(t, "expiresAt"), tm.Draw(t, "endedAt")
			}
			got, err := encodeState(c)
			jsonenctest.SameAsMarshal(t, c, got, err)
		}
	})
}
