// Package jsonenctest draws values for the tests that hold an encoder to
// encoding/json's bytes, and compares the two.
package jsonenctest

import (
	"time"

	"pgregory.net/rapid"
)

// Times draws the times an encoder meets: zero, outside RFC 3339's years
// (json.Marshal refuses them), or any instant in any zone.
func Times() *rapid.Generator[time.Time] {
	return rapid.Custom(func(t *rapid.T) time.Time {
		switch rapid.IntRange(0, 4).Draw(t, "time") {
		case 0:
			return time.Time{}
		case 1:
			return time.Date(rapid.SampledFrom([]int{-1, 10000}).Draw(t, "year"), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		at := time.Unix(rapid.Int64Range(-1e11, 1e11).Draw(t, "s"), rapid.Int64Range(0, 1e9-1).Draw(t, "ns"))
		return at.In(time.FixedZone("z", rapid.IntRange(-50000, 50000).Draw(t, "zone")))
	})
}
