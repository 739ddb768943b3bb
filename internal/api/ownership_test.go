package api

import (
	"fmt"
	"testing"
)

// A stream's ownership cache stays bounded however many conversations it
// sees, and keeps the newest answer.
func TestOwnershipIsBounded(t *testing.T) {
	o := ownership{}
	for i := range 3 * maxOwnership {
		o.remember(fmt.Sprint("c", i), i%7 == 0)
		if len(o) > maxOwnership {
			t.Fatalf("after %d conversations the cache holds %d answers, want at most %d", i+1, len(o), maxOwnership)
		}
	}
	last := fmt.Sprint("c", 3*maxOwnership-1)
	if owned, ok := o[last]; !ok || owned != ((3*maxOwnership-1)%7 == 0) {
		t.Fatalf("newest answer for %s = %v, %v", last, owned, ok)
	}
}
