package media

import (
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// rusageThread is Linux's RUSAGE_THREAD: the calling thread's usage.
const rusageThread = 1

// BenchmarkReceive reports the process CPU a received RTP packet costs,
// less the sender's thread, with 200 sockets each sent a packet every 20 ms (as a
// call's stream is): read by the batch receivers, and read by a goroutine
// a socket (Listener.Serve). The difference between the two is what the
// receive path saves.
func BenchmarkReceive(b *testing.B) {
	for _, mode := range []string{"batch", "goroutine-per-socket"} {
		b.Run(mode, func(b *testing.B) { benchReceive(b, mode == "batch") })
	}
}

func benchReceive(b *testing.B, batch bool) {
	const sockets = 200
	ports := testPorts(b, 2*sockets) // room for ports others hold
	rs := newReceivers()
	var got atomic.Int64
	handle := func(_ []byte, _ netip.AddrPort, at time.Time) {
		if at.IsZero() {
			b.Error("no receive time")
		}
		got.Add(1)
	}
	var dst []netip.AddrPort
	for range sockets {
		l, err := ports.Listen(loopback)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { l.Close() })
		dst = append(dst, l.Addr())
		if batch {
			if err := rs.add(l, handle); err != nil {
				b.Fatal(err)
			}
			continue
		}
		go l.Serve(handle)
	}
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	pkt := loud(1, 0, 0)
	raw, err := pkt.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	var before, after syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	// The sender runs on a thread of its own, whose CPU (on loopback it
	// includes the kernel's delivery into the sockets) is taken out.
	sender := make(chan time.Duration)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var t0, t1 syscall.Rusage
		syscall.Getrusage(rusageThread, &t0)
		tick := time.NewTicker(FrameDuration)
		defer tick.Stop()
		for sent := 0; sent < b.N; {
			<-tick.C
			for _, a := range dst[:min(sockets, b.N-sent)] {
				if _, err := conn.WriteToUDPAddrPort(raw, a); err != nil {
					b.Error(err)
				}
				sent++
			}
		}
		syscall.Getrusage(rusageThread, &t1)
		sender <- time.Duration(t1.Utime.Nano() + t1.Stime.Nano() - t0.Utime.Nano() - t0.Stime.Nano())
	}()
	sent := <-sender
	deadline := time.Now().Add(5 * time.Second)
	for got.Load() < int64(b.N) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	if n := got.Load(); n < int64(b.N) {
		b.Fatalf("%d of %d packets received", n, b.N)
	}
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64((cpu-sent).Nanoseconds())/1000/float64(b.N), "cpu-µs/packet")
	b.ReportMetric(float64(sent.Nanoseconds())/1000/float64(b.N), "sender-µs/packet")
}
