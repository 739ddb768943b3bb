package webhook

import (
	"errors"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

func TestVerifyAcceptsFreshRejectsReplayedAndForged(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"seq":1}`)
	h := Sign("s3cret-s3cret-s3cret", now, body)
	if !strings.HasPrefix(h, "t=1800000000,v1=") {
		t.Fatalf("header %q", h)
	}
	if err := Verify("s3cret-s3cret-s3cret", h, body, now.Add(4*time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := Verify("s3cret-s3cret-s3cret", h, body, now.Add(6*time.Minute), 5*time.Minute); !errors.Is(err, ErrStale) {
		t.Fatalf("replayed after 6 min: %v", err)
	}
	// Moving the time forward to pass the window breaks the MAC.
	forged := strings.Replace(h, "t=1800000000", "t=1800000360", 1)
	if err := Verify("s3cret-s3cret-s3cret", forged, body, now.Add(6*time.Minute), 5*time.Minute); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("re-dated delivery: %v", err)
	}
	for _, bad := range []string{"", "v1=abc", "t=x,v1=abc", "t=1800000000"} {
		if err := Verify("s3cret-s3cret-s3cret", bad, body, now, time.Minute); !errors.Is(err, ErrBadSignature) {
			t.Errorf("header %q: %v", bad, err)
		}
	}
}

// Any change to the body or the secret is caught.
func TestVerifyCatchesAnyChange(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		body := rapid.SliceOf(rapid.Byte()).Draw(t, "body")
		secret := rapid.StringN(16, 40, -1).Draw(t, "secret")
		now := time.Unix(rapid.Int64Range(0, 4e9).Draw(t, "t"), 0)
		h := Sign(secret, now, body)
		if err := Verify(secret, h, body, now, time.Minute); err != nil {
			t.Fatal(err)
		}
		other := append(append([]byte{}, body...), rapid.Byte().Draw(t, "extra"))
		if Verify(secret, h, other, now, time.Minute) == nil {
			t.Fatal("changed body verified")
		}
		if Verify(secret+"x", h, body, now, time.Minute) == nil {
			t.Fatal("other secret verified")
		}
	})
}
