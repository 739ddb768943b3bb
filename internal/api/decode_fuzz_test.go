package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// The decoders either return a valid request or a client error; they never
// panic and never return another kind of error. What they accept is blank or
// exactly one JSON value, with nothing after it.
func checkDecoded(t *testing.T, body []byte, err error) {
	t.Helper()
	if err == nil && len(bytes.Trim(body, jsonSpace)) != 0 && !json.Valid(body) {
		t.Fatalf("accepted %q, which is not one JSON value", body)
	}
	var br *badRequest
	if err != nil && !errors.As(err, &br) {
		t.Fatalf("decoder returned %T %v, want a *badRequest", err, err)
	}
	if br != nil && (br.status < 400 || br.status > 499 || br.code == "") {
		t.Fatalf("client error %+v has no 4xx status or code", br)
	}
}

func FuzzDecodeCommand(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := decodeCommand(body)
		checkDecoded(t, body, err)
		if err == nil && (c.RetroactiveMs < 0 || len(c.Reason) > maxNote) {
			t.Fatalf("accepted out-of-range command %+v", c)
		}
	})
}

func FuzzDecodeCreateConversation(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := decodeCreateConversation(body)
		checkDecoded(t, body, err)
		if err == nil && !idPattern.MatchString(c.ID) {
			t.Fatalf("accepted invalid id %q", c.ID)
		}
	})
}

func FuzzDecodePlatformEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodePlatformEvent(body)
		checkDecoded(t, body, err)
	})
}

func FuzzDecodeSecureSession(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := decodeSecureSession(body)
		checkDecoded(t, body, err)
		if err == nil && (s.TTLSeconds < 0 || s.TTLSeconds > 86400) {
			t.Fatalf("accepted ttl %d", s.TTLSeconds)
		}
	})
}
