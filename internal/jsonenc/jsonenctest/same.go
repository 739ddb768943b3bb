package jsonenctest

import (
	"bytes"
	"encoding/json"
)

// TB is what SameAsMarshal reports to: a *testing.T or a *rapid.T.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// SameAsMarshal fails t unless an encoder's answer for v (got, gotErr) is
// json.Marshal's: the same bytes, or an error where it fails.
func SameAsMarshal(t TB, v any, got []byte, gotErr error) {
	t.Helper()
	want, err := json.Marshal(v)
	if (gotErr == nil) != (err == nil) {
		t.Fatalf("encoder error %v, json.Marshal error %v", gotErr, err)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("encoder wrote\n%s\njson.Marshal\n%s", got, want)
	}
}
