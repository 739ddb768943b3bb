package media

import (
	"context"
	"errors"
	"fmt"
	"github.com/hush-cc/hush/internal/testwait"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"pgregory.net/rapid"
)

var loopback = netip.MustParseAddr("127.0.0.1")

// testPorts returns an allocator over a small range somewhere in the high
// ports, so parallel test runs rarely meet.
func testPorts(t testing.TB, pairs int) *Ports {
	t.Helper()
	lo := 40000 + 2*rand.IntN(9000)
	p, err := NewPorts(lo, lo+2*pairs-1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParsePortRange(t *testing.T) {
	lo, hi, err := ParsePortRange("30000-30999")
	if err != nil || lo != 30000 || hi != 30999 {
		t.Fatalf("got %d-%d, %v", lo, hi, err)
	}
	for _, s := range []string{"", "30000", "a-b", "1-x"} {
		if _, _, err := ParsePortRange(s); err == nil {
			t.Fatalf("%q parsed", s)
		}
	}
	for _, r := range [][2]int{{0, 10}, {10, 5}, {30001, 30002}, {1, 70000}} {
		if _, err := NewPorts(r[0], r[1]); err == nil {
			t.Fatalf("range %v accepted", r)
		}
	}
	p, err := NewPorts(30001, 30006)
	if err != nil || p.lo != 30002 || p.hi != 30004 || p.Size() != 2 {
		t.Fatalf("odd bounds: %+v, %v", p, err)
	}
}

func TestPortsNeverLeak(t *testing.T) {
	p := testPorts(t, 5)
	var ls []*Listener
	for {
		l, err := p.Listen(loopback)
		if errors.Is(err, ErrNoPorts) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if l.Port()%2 != 0 || l.Port() < p.lo || l.Port() > p.hi || l.Addr().Port() != uint16(l.Port()) {
			t.Fatalf("port %d outside the even ports of %d-%d", l.Port(), p.lo, p.hi)
		}
		ls = append(ls, l)
	}
	if len(ls) == 0 {
		t.Fatal("no port could be bound")
	}
	got := len(ls)
	for _, l := range ls {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		l.Close() // twice is harmless
	}
	if p.InUse() != 0 {
		t.Fatalf("%d ports in use after closing all", p.InUse())
	}
	for range got {
		l, err := p.Listen(loopback)
		if err != nil {
			t.Fatalf("port not reusable after close: %v", err)
		}
		defer l.Close()
	}
}

func TestPortsConcurrent(t *testing.T) {
	p := testPorts(t, 8)
	var mu sync.Mutex
	held := map[int]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 30 {
				l, err := p.Listen(loopback)
				if err != nil {
					continue
				}
				mu.Lock()
				if held[l.Port()] {
					t.Errorf("port %d handed out twice", l.Port())
				}
				held[l.Port()] = true
				mu.Unlock()
				runtime.Gosched()
				mu.Lock()
				delete(held, l.Port()) // before Close, which lets the port go
				mu.Unlock()
				l.Close()
			}
		})
	}
	wg.Wait()
	if p.InUse() != 0 {
		t.Fatalf("%d ports in use after every listener closed", p.InUse())
	}
}

func TestPortsModel(t *testing.T) {
	p := testPorts(t, 4)
	rapid.Check(t, func(rt *rapid.T) {
		var open []*Listener
		defer func() {
			for _, l := range open {
				l.Close()
			}
		}()
		for range rapid.IntRange(1, 30).Draw(rt, "ops") {
			if len(open) > 0 && rapid.Bool().Draw(rt, "close") {
				i := rapid.IntRange(0, len(open)-1).Draw(rt, "which")
				open[i].Close()
				open = append(open[:i], open[i+1:]...)
			} else if l, err := p.Listen(loopback); err == nil {
				for _, o := range open {
					if o.Port() == l.Port() {
						rt.Fatalf("port %d handed out twice", l.Port())
					}
				}
				open = append(open, l)
			} else if len(open) == 0 && !errors.Is(err, ErrNoPorts) {
				rt.Fatal(err)
			}
			if p.InUse() != len(open) {
				rt.Fatalf("InUse %d with %d listeners open", p.InUse(), len(open))
			}
		}
	})
	if p.InUse() != 0 {
		t.Fatalf("%d ports leaked", p.InUse())
	}
}

// TestCallListens sends RTP over real UDP sockets to both ports of a call
// and checks the recording and that the ports come back when it ends.
func TestCallListens(t *testing.T) {
	ports := testPorts(t, 4)
	clock := &fakeClock{t: t0.Add(2 * time.Second)}
	r, err := NewRecorder(Config{Dir: t.TempDir(), Ports: ports, Host: loopback, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Open(context.Background(), "c", CallOptions{Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	const packets = 40
	for ch, s := range []sender{callerTone, agentTone} {
		l, err := call.Listen(Channel(ch), nil)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(l.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Expect(Peer{Addr: conn.LocalAddr().(*net.UDPAddr).AddrPort()}); err != nil {
			t.Fatal(err)
		}
		for i := range packets {
			b, err := s.packet(i).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write(b); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
	}
	// Loopback UDP does not drop these few packets; wait until all are in.
	testwait.Eventually(t, func() (bool, error) {
		st := call.Stats()
		return st.Caller.Packets >= packets && st.Agent.Packets >= packets, fmt.Errorf("received %+v", st)
	}, "every packet")
	if ports.InUse() != 2 {
		t.Fatalf("%d ports in use, want 2", ports.InUse())
	}
	clock.Set(t0.Add(4 * time.Second))
	for _, k := range conversation.AllCapabilities() {
		if err := call.Stop(context.Background(), k, clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if ports.InUse() != 0 {
		t.Fatalf("%d ports still in use after the call ended", ports.InUse())
	}
	path, _ := r.Paths("c")
	_, left, right := readWAV(t, path)
	// Every packet arrived at 2 s on the fake clock.
	checkFrames(t, left, right, 0, 100, false)
	checkFrames(t, left, right, 100, 100+packets, true)
	checkFrames(t, left, right, 100+packets, 200, false)
}

func TestDiscardReleasesEverything(t *testing.T) {
	ports := testPorts(t, 2)
	r, err := NewRecorder(Config{Dir: t.TempDir(), Ports: ports, Host: loopback})
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Open(context.Background(), "c", CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.Listen(Caller, nil); err != nil {
		t.Fatal(err)
	}
	call.Discard()
	if ports.InUse() != 0 || r.Call("c") != nil {
		t.Fatalf("after Discard: %d ports in use, call %v", ports.InUse(), r.Call("c"))
	}
	if _, err := call.Listen(Agent, nil); err == nil {
		t.Fatal("a discarded call took a port")
	}
	if ports.InUse() != 0 {
		t.Fatal("failed Listen leaked its port")
	}
	wav, segs := r.Paths("c")
	for _, p := range []string{wav, segs} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s left behind: %v", p, err)
		}
	}
}
