package jsonenc

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/jsonenc/jsonenctest"
)

// TestArrayOfStringsAndTimesIsJSONMarshal checks strings of any bytes and
// times of any instant and zone, with the commas of an array between them,
// against encoding/json.
func TestArrayOfStringsAndTimesIsJSONMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 4).Draw(t, "n")
		var vals []any
		e := NewBuffer(nil)
		e.OpenArray()
		for range n {
			if rapid.Bool().Draw(t, "string") {
				s := string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes"))
				if rapid.Bool().Draw(t, "utf8") {
					s = rapid.String().Draw(t, "s")
				}
				vals = append(vals, s)
				e.String(s)
				continue
			}
			at := jsonenctest.Times().Draw(t, "at")
			vals = append(vals, at)
			e.Time(at)
		}
		e.CloseArray()
		got, err := e.Bytes()
		jsonenctest.SameAsMarshal(t, append([]any{}, vals...), got, err)
	})
}
