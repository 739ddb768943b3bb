package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/conversation"
)

// TestEncodeStateIsJSONMarshal checks that the hand-written encoder writes
// exactly the bytes encoding/json writes, for any conversation (rapid.Make
// fills every field, so a field added to the type and not to the encoder
// fails here), with times zero, far off or in any zone.
func TestEncodeStateIsJSONMarshal(t *testing.T) {
	tm := rapid.Custom(func(t *rapid.T) time.Time {
		switch rapid.IntRange(0, 4).Draw(t, "time") {
		case 0:
			return time.Time{}
		case 1: // outside RFC 3339's years: json.Marshal fails
			return time.Date(rapid.SampledFrom([]int{-1, 10000}).Draw(t, "year"), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		at := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "s"), rapid.Int64Range(0, 1e9-1).Draw(t, "ns"))
		return at.In(time.FixedZone("z", rapid.IntRange(-12, 12).Draw(t, "zone")*3600))
	})
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
			want, err := json.Marshal(c)
			got, gotErr := encodeState(c)
			if (gotErr == nil) != (err == nil) {
				t.Fatalf("encoder error %v, json.Marshal error %v", gotErr, err)
			}
			if err == nil && !bytes.Equal(got, want) {
				t.Fatalf("encoder wrote\n%s\njson.Marshal\n%s", got, want)
			}
		}
	})
}
