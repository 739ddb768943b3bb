package api

import (
	"errors"
	"testing"
)

// The decoders either return a valid request or a client error; they never
// panic and never return another kind of error.
func checkDecoded(t *testing.T, err error) {
	t.Helper()
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
		checkDecoded(t, err)
		if err == nil && (c.RetroactiveMs < 0 || len(c.Reason) > maxNote) {
			t.Fatalf("accepted out-of-range command %+v", c)
		}
	})
}

func FuzzDecodeCreateConversation(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := decodeCreateConversation(body)
		checkDecoded(t, err)
		if err == nil && !idPattern.MatchString(c.ID) {
			t.Fatalf("accepted invalid id %q", c.ID)
		}
	})
}

func FuzzDecodePlatformEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		_, err := decodePlatformEvent(body)
		checkDecoded(t, err)
	})
}

func FuzzDecodeSecureSession(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := decodeSecureSession(body)
		checkDecoded(t, err)
		if err == nil && (s.TTLSeconds < 0 || s.TTLSeconds > 86400) {
			t.Fatalf("accepted ttl %d", s.TTLSeconds)
		}
	})
}
