package media

import (
	"syscall"
	"testing"
)

// BenchmarkPacketPathDigits is BenchmarkPacketPath without and with the
// keypad detectors, side by side: both streams carry a loud tone, so the
// tone detector's filters run on every look (silence skips them). The
// process's CPU time per packet is reported, which a loaded machine
// stretches less than the time per packet.
func BenchmarkPacketPathDigits(b *testing.B) {
	b.Run("off", func(b *testing.B) { packetPath(b, nil) })
	b.Run("keypad", func(b *testing.B) {
		d := DefaultDigits()
		packetPath(b, &d)
	})
}

// cpuTime is the CPU time the process has used, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
