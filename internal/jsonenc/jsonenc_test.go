package jsonenc

import (
	"bytes"
	"encoding/json"
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
		want, err := json.Marshal(append([]any{}, vals...))
		got, gotErr := e.Bytes()
		if (gotErr == nil) != (err == nil) {
			t.Fatalf("encoder error %v, json.Marshal error %v", gotErr, err)
		}
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("encoder wrote\n%s\njson.Marshal\n%s", got, want)
		}
	})
}
