package api

import (
	"errors"
	"testing"
)

// decodeStrict takes one JSON object and nothing after it but whitespace.
func TestDecodeStrictTrailingData(t *testing.T) {
	cases := []struct {
		body string
		ok   bool
	}{
		{``, true},
		{" \t\r\n", true},
		{`{"reason":"x"}`, true},
		{" {\"reason\":\"x\"} \r\n\t", true},
		{`{"reason":"x"}}`, false},
		{`{"reason":"x"}]`, false},
		{`{"reason":"x"} }`, false},
		{`{"reason":"x"}]]`, false},
		{`{"reason":"x"},`, false},
		{`{"reason":"x"}:`, false},
		{`{"reason":"x"}{}`, false},
		{`{"reason":"x"} {"reason":"y"}`, false},
		{`{"reason":"x"}null`, false},
		{`{"reason":"x"}1`, false},
		{`{"reason":"x"}"`, false},
		{`{"reason":"x"}x`, false},
		{"{\"reason\":\"x\"}\x00", false},
		{"{\"reason\":\"x\"}\u00a0", false},
		{"\u00a0", false},
	}
	for _, c := range cases {
		var v CommandRequest
		err := decodeStrict([]byte(c.body), &v)
		if c.ok {
			if err != nil {
				t.Errorf("decodeStrict(%q) = %v, want it accepted", c.body, err)
			}
			continue
		}
		var br *badRequest
		if !errors.As(err, &br) || br.status != 400 || br.code != "invalid_json" {
			t.Errorf("decodeStrict(%q) = %v, want a 400 invalid_json", c.body, err)
		}
	}
}
