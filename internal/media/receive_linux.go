package media

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// receiveBatch is how many datagrams one recvmmsg takes from a socket.
const receiveBatch = 8

// receivePace is the shortest time between two rounds of a worker: a
// worker that has read every ready socket waits out the rest of it, so the
// next round finds a few packets queued on each socket (one every 20 ms)
// and takes them in one recvmmsg, where reading each as it came would
// cost a wake-up and a system call a packet. Packets keep the kernel's
// receive time, so the wait moves no audio; it stays well within the
// digit detectors' jitter margin and the commit delay.
const receivePace = 60 * time.Millisecond

// receivers serves the RTP sockets of a recorder's calls with a few
// goroutines instead of one a socket: each socket is watched by one
// worker's epoll set, and a worker woken for it takes what is queued
// there with recvmmsg, each datagram with its source and kernel receive
// time. A worker waits in the runtime's poller (its epoll descriptor is
// itself pollable), so no thread is held while the calls are quiet, and
// it exits when it has no socket left.
type receivers struct {
	mu      sync.Mutex
	workers []*receiver // nil until a socket needs it
	next    int
}

func newReceivers() *receivers {
	return &receivers{workers: make([]*receiver, min(runtime.GOMAXPROCS(0), 4))}
}

// receiver is one worker: an epoll set of sockets and the goroutine that
// reads them.
type receiver struct {
	ep   *os.File
	epfd int // ep's descriptor; used under receivers.mu, which closes ep
	raw  syscall.RawConn

	mu    sync.Mutex
	socks map[int32]*batchSocket // by the token epoll returns
	token int32
}

// batchSocket is a listener served by a receiver.
type batchSocket struct {
	l      *Listener
	pc     *ipv4.PacketConn
	handle func(b []byte, from netip.AddrPort, at time.Time)
	stamps bool
}

// add serves l: handle gets each datagram as Listener.Serve would pass
// it, until l is closed.
func (rs *receivers) add(l *Listener, handle func(b []byte, from netip.AddrPort, at time.Time)) error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	slot := rs.next % len(rs.workers)
	rs.next++
	w := rs.workers[slot]
	if w == nil {
		var err error
		if w, err = startReceiver(); err != nil {
			return err
		}
		rs.workers[slot] = w
	}
	s := &batchSocket{l: l, pc: ipv4.NewPacketConn(l.conn), handle: handle, stamps: enableTimestamps(l.conn)}
	w.mu.Lock()
	w.token++
	tok := w.token
	w.socks[tok] = s
	w.mu.Unlock()
	if err := w.ctl(l, unix.EPOLL_CTL_ADD, tok); err != nil {
		w.mu.Lock()
		delete(w.socks, tok)
		w.mu.Unlock()
		return err
	}
	l.detach = func() {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		w.ctl(l, unix.EPOLL_CTL_DEL, tok)
		w.mu.Lock()
		delete(w.socks, tok)
		empty := len(w.socks) == 0
		w.mu.Unlock()
		if empty && rs.workers[slot] == w {
			rs.workers[slot] = nil
			w.ep.Close()
		}
		close(l.done)
	}
	return nil
}

// ctl adds l's socket to the worker's set, or removes it. It runs while
// the socket is held open, so the descriptor is l's and no other's.
func (w *receiver) ctl(l *Listener, op int, tok int32) error {
	sc, err := l.conn.SyscallConn()
	if err != nil {
		return fmt.Errorf("media: rtp socket: %w", err)
	}
	var cerr error
	err = sc.Control(func(fd uintptr) {
		cerr = unix.EpollCtl(w.epfd, op, int(fd), &unix.EpollEvent{Events: unix.EPOLLIN, Fd: tok})
	})
	if err = errors.Join(err, cerr); err != nil {
		return fmt.Errorf("media: watch rtp socket: %w", err)
	}
	return nil
}

func startReceiver() (*receiver, error) {
	fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("media: epoll: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("media: epoll: %w", err)
	}
	ep := os.NewFile(uintptr(fd), "rtp-epoll")
	raw, err := ep.SyscallConn()
	if err != nil {
		ep.Close()
		return nil, fmt.Errorf("media: epoll: %w", err)
	}
	w := &receiver{ep: ep, epfd: fd, raw: raw, socks: map[int32]*batchSocket{}}
	go w.run()
	return w, nil
}

// run waits for sockets with datagrams queued and reads them, until the
// epoll descriptor is closed.
func (w *receiver) run() {
	events := make([]unix.EpollEvent, 256)
	ms := make([]ipv4.Message, receiveBatch)
	for i := range ms {
		ms[i].Buffers = [][]byte{make([]byte, 2048)}
		ms[i].OOB = make([]byte, 128)
	}
	for {
		start := time.Now()
		var n int
		var werr error
		err := w.raw.Read(func(fd uintptr) bool {
			n, werr = unix.EpollWait(int(fd), events, 0)
			return n > 0 || werr != nil
		})
		if err != nil {
			return // closed: no socket left
		}
		if werr != nil && werr != unix.EINTR {
			return
		}
		for _, ev := range events[:n] {
			w.mu.Lock()
			s := w.socks[ev.Fd]
			w.mu.Unlock()
			if s != nil {
				s.drain(ms)
			}
		}
		if n < len(events) {
			time.Sleep(receivePace - time.Since(start))
		}
	}
}

// drain reads what is queued on the socket and hands it on.
func (s *batchSocket) drain(ms []ipv4.Message) {
	for {
		n, err := s.pc.ReadBatch(ms, unix.MSG_DONTWAIT)
		for i := range n {
			m := &ms[i]
			var from netip.AddrPort
			if a, ok := m.Addr.(*net.UDPAddr); ok {
				from = a.AddrPort()
			}
			var at time.Time
			if s.stamps {
				at = receivedAt(m.OOB[:m.NN])
			}
			s.handle(m.Buffers[0][:m.N], from, at)
		}
		if err != nil || n < len(ms) {
			return
		}
	}
}
