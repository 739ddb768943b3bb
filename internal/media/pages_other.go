//go:build !unix

package media

// mapPages has no mapping outside the heap here: the pool allocates.
func mapPages(int) []page { return nil }
