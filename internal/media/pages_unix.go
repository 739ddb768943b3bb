//go:build unix

package media

import (
	"syscall"
	"unsafe"
)

// mapPages maps n pages of anonymous memory outside the Go heap, or
// returns nil if the kernel refuses. Pages hold no pointers, so the
// collector need not see them; the mapping is never unmapped, since the
// pool keeps every page it made.
func mapPages(n int) []page {
	size := n * int(unsafe.Sizeof(page{}))
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return unsafe.Slice((*page)(unsafe.Pointer(&b[0])), n)
}
