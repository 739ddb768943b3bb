package media

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"

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
//
// A served socket is taken out of the runtime's poller (the worker keeps
// a duplicate of its descriptor and the net.UDPConn is closed): the
// runtime would otherwise be woken by every packet for a socket nobody
// waits on through it.
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

// batchSocket is a socket served by a receiver.
type batchSocket struct {
	mu     sync.RWMutex // held to read fd: closing it waits for a read in progress
	fd     int          // the duplicate the worker reads; -1 once closed
	handle func(b []byte, from netip.AddrPort, at time.Time)
	stamps bool
}

// add serves l: handle gets each datagram as Listener.Serve would pass
// it, until l is closed. l's net.UDPConn is closed once the worker holds
// the socket.
func (rs *receivers) add(l *Listener, handle func(b []byte, from netip.AddrPort, at time.Time)) error {
	stamps := enableTimestamps(l.conn)
	fd, err := dupSocket(l)
	if err != nil {
		return err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	slot := rs.next % len(rs.workers)
	rs.next++
	w := rs.workers[slot]
	if w == nil {
		if w, err = startReceiver(); err != nil {
			unix.Close(fd)
			return err
		}
		rs.workers[slot] = w
	}
	s := &batchSocket{fd: fd, handle: handle, stamps: stamps}
	w.mu.Lock()
	w.token++
	tok := w.token
	w.socks[tok] = s
	w.mu.Unlock()
	if err := unix.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: tok}); err != nil {
		w.mu.Lock()
		delete(w.socks, tok)
		w.mu.Unlock()
		unix.Close(fd)
		return fmt.Errorf("media: watch rtp socket: %w", err)
	}
	l.conn.Close()
	l.detach = func() {
		rs.mu.Lock()
		defer rs.mu.Unlock()
		w.mu.Lock()
		delete(w.socks, tok)
		empty := len(w.socks) == 0
		w.mu.Unlock()
		s.close(w.epfd)
		if empty && rs.workers[slot] == w {
			rs.workers[slot] = nil
			w.ep.Close()
		}
		close(l.done)
	}
	return nil
}

// dupSocket returns a duplicate of l's socket descriptor.
func dupSocket(l *Listener) (int, error) {
	sc, err := l.conn.SyscallConn()
	if err != nil {
		return -1, fmt.Errorf("media: rtp socket: %w", err)
	}
	fd := -1
	var derr error
	err = sc.Control(func(f uintptr) { fd, derr = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0) })
	if err = errors.Join(err, derr); err != nil {
		return -1, fmt.Errorf("media: rtp socket: %w", err)
	}
	return fd, nil
}

// close stops watching the socket and closes it, once no read is in
// progress.
func (s *batchSocket) close(epfd int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fd < 0 {
		return
	}
	unix.EpollCtl(epfd, unix.EPOLL_CTL_DEL, s.fd, nil)
	unix.Close(s.fd)
	s.fd = -1
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
	b := newBatch()
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
				s.drain(b)
			}
		}
		if n < len(events) {
			time.Sleep(receivePace - time.Since(start))
		}
	}
}

// mmsghdr is struct mmsghdr of recvmmsg(2).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// batch is a worker's recvmmsg buffers.
type batch struct {
	hs    [receiveBatch]mmsghdr
	iov   [receiveBatch]unix.Iovec
	names [receiveBatch]unix.RawSockaddrInet6 // room for either family
	bufs  [receiveBatch][2048]byte
	oob   [receiveBatch][64]byte
}

func newBatch() *batch {
	b := new(batch)
	for i := range b.hs {
		b.iov[i].Base = &b.bufs[i][0]
		b.iov[i].SetLen(len(b.bufs[i]))
		h := &b.hs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&b.names[i]))
		h.Iov = &b.iov[i]
		h.SetIovlen(1)
		h.Control = &b.oob[i][0]
	}
	return b
}

// drain reads what is queued on the socket and hands it on.
func (s *batchSocket) drain(b *batch) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.fd < 0 {
		return
	}
	for {
		for i := range b.hs {
			h := &b.hs[i].hdr
			h.Namelen = unix.SizeofSockaddrInet6
			h.SetControllen(len(b.oob[i]))
			h.Flags = 0
		}
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&b.hs[0])),
			uintptr(len(b.hs)), unix.MSG_DONTWAIT, 0, 0)
		if errno != 0 {
			return // nothing more queued (EAGAIN), or the socket failed
		}
		for i := range int(n) {
			h := &b.hs[i]
			var at time.Time
			if s.stamps {
				at = receivedAt(b.oob[i][:h.hdr.Controllen])
			}
			s.handle(b.bufs[i][:h.n], sourceOf(&b.names[i]), at)
		}
		if int(n) < len(b.hs) {
			return
		}
	}
}

// sourceOf returns the address a datagram came from.
func sourceOf(sa *unix.RawSockaddrInet6) netip.AddrPort {
	port := func(p *uint16) uint16 {
		b := (*[2]byte)(unsafe.Pointer(p))
		return uint16(b[0])<<8 | uint16(b[1])
	}
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), port(&sa4.Port))
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), port(&sa.Port))
	}
	return netip.AddrPort{}
}
