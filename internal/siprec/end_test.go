package siprec

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
)

// countingControl counts what the server tells it; End fails, as it does
// for a conversation that was never created.
type countingControl struct {
	mu           sync.Mutex
	begins, ends int
}

func (c *countingControl) Begin(context.Context, SessionInfo) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begins++
	return nil
}

func (c *countingControl) Source(context.Context, string, string, bool, time.Time) error { return nil }

func (c *countingControl) Exists(context.Context, string) (bool, error) { return false, nil }

func (c *countingControl) End(context.Context, string, time.Time, conversation.EndReason) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ends++
	return errors.New("no such conversation")
}

func (c *countingControl) counts() (begins, ends int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.begins, c.ends
}

// openRig is a server that is listening but not serving, so a test can
// run the steps of an INVITE itself.
func openRig(t *testing.T) (*Server, *media.Recorder, *media.Ports, *countingControl) {
	t.Helper()
	ports, err := media.NewPorts(45000, 45099)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	rec, err := media.NewRecorder(media.Config{Dir: filepath.Join(t.TempDir(), "recordings"), Ports: ports, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctl := &countingControl{}
	s, err := Listen(Config{Listen: "127.0.0.1:0", Recorder: rec, Control: ctl, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.udp.Close()
		s.tcp.Close()
		s.ua.Close()
	})
	return s, rec, ports, ctl
}

// twoStreams is an offer of two PCMU streams, each with its direction.
func twoStreams(dir0, dir1 string) string {
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 9000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + dir0 + "\r\n" +
		"m=audio 9002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + dir1 + "\r\n"
}

// parseRequest builds a request of the session callID as the server
// would parse it off the wire; extra holds header lines.
func parseRequest(t *testing.T, method, callID, toTag, sdp string, extra ...string) *sip.Request {
	t.Helper()
	to := "<sip:srs@127.0.0.1>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	raw := method + " sip:srs@127.0.0.1 SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-1\r\n" +
		"From: <sip:sbc@127.0.0.1>;tag=a\r\nTo: " + to + "\r\nCall-ID: " + callID + "\r\n" +
		"CSeq: 1 " + method + "\r\nContact: <sip:sbc@127.0.0.1:5999>;+sip.src\r\nRequire: siprec\r\n"
	for _, h := range extra {
		raw += h + "\r\n"
	}
	if sdp != "" {
		raw += "Content-Type: application/sdp\r\n"
	}
	raw += "Content-Length: " + strconv.Itoa(len(sdp)) + "\r\n\r\n" + sdp
	msg, err := sip.ParseMessage([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return msg.(*sip.Request)
}

func parseInvite(t *testing.T, callID string) *sip.Request {
	t.Helper()
	return parseRequest(t, "INVITE", callID, "", twoStreams("sendonly", "sendonly"))
}

// A session whose open failed never began: a shutdown that found it in
// the meantime must not end the conversation of that id (it may be
// another session's) nor touch a call that was never opened.
func TestShutdownLeavesAFailedOpenAlone(t *testing.T) {
	s, rec, ports, ctl := openRig(t)
	req := parseInvite(t, "taken@test")
	d, offer, err := s.admit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// The recording exists already, so the recorder refuses to open it.
	wav, _ := rec.Paths(d.id)
	if err := os.WriteFile(wav, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.open(context.Background(), req, d, offer, nil); Status(err) != StatusForbidden {
		t.Fatalf("open over an existing recording: %v, want 403", err)
	}
	s.end(context.Background(), d, "shutdown")
	if begins, ends := ctl.counts(); begins != 0 || ends != 0 {
		t.Fatalf("Control told of %d begins and %d ends, want none", begins, ends)
	}
	if ports.InUse() != 0 {
		t.Fatalf("%d ports in use", ports.InUse())
	}
}

// A shutdown that ends an admitted session before it opened leaves
// nothing to record: the open is refused and opens nothing.
func TestShutdownBeforeOpen(t *testing.T) {
	s, rec, ports, ctl := openRig(t)
	req := parseInvite(t, "early@test")
	d, offer, err := s.admit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	s.end(context.Background(), d, "shutdown")
	if _, err := s.open(context.Background(), req, d, offer, nil); Status(err) != StatusServiceUnavailable {
		t.Fatalf("open after the session ended: %v, want 503", err)
	}
	if begins, ends := ctl.counts(); begins != 0 || ends != 0 {
		t.Fatalf("Control told of %d begins and %d ends, want none", begins, ends)
	}
	wav, _ := rec.Paths(d.id)
	if _, err := os.Stat(wav); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("recording created for an ended session: %v", err)
	}
	if ports.InUse() != 0 || rec.Call(d.id) != nil {
		t.Fatalf("%d ports in use, call %v", ports.InUse(), rec.Call(d.id))
	}
}

// openSession admits and opens an INVITE, as onInvite does.
func openSession(t *testing.T, s *Server, req *sip.Request) *dialog {
	t.Helper()
	d, offer, err := s.admit(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.open(context.Background(), req, d, offer, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// A re-INVITE refused for want of an RTP port changes nothing: the stream
// it set inactive is still sending, so the same offer once a port is free
// reports the change.
func TestRefusedOfferChangesNothing(t *testing.T) {
	s, _, ports, _ := openRig(t)
	one := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 9000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n"
	d := openSession(t, s, parseRequest(t, "INVITE", "ports@test", "", one))
	var hogs []*media.Listener
	for {
		l, err := ports.Listen(netip.AddrFrom4([4]byte{127, 0, 0, 1}))
		if err != nil {
			break
		}
		hogs = append(hogs, l)
	}
	reinvite := parseRequest(t, "INVITE", "ports@test", d.localTag, twoStreams("inactive", "sendonly"))
	d.mu.Lock()
	version := d.version
	_, changes, err := s.renegotiate(d, reinvite)
	sending := d.legs[0].sending
	d.mu.Unlock()
	if Status(err) != StatusServiceUnavailable || len(changes) != 0 {
		t.Fatalf("re-INVITE without a free port: %v, changes %v; want 503 and none", err, changes)
	}
	if !sending || d.version != version {
		t.Fatalf("refused offer changed the session: sending %v, version %d (was %d)", sending, d.version, version)
	}
	for _, l := range hogs {
		l.Close()
	}
	d.mu.Lock()
	_, changes, err = s.renegotiate(d, reinvite)
	d.mu.Unlock()
	if err != nil || len(changes) != 1 || changes[0].sending || d.version != version+1 {
		t.Fatalf("same offer with a port free: %v, changes %+v, version %d", err, changes, d.version)
	}
	s.end(context.Background(), d, "test")
}

// A refused refresh keeps the session interval it had.
func TestRefusedRefreshKeepsTheInterval(t *testing.T) {
	s, _, _, _ := openRig(t)
	d := openSession(t, s, parseRequest(t, "INVITE", "timer@test", "", twoStreams("sendonly", "sendonly"), "Session-Expires: 1800"))
	bad := parseRequest(t, "INVITE", "timer@test", d.localTag, "v=0\r\nm=audio x\r\n", "Session-Expires: 900")
	d.mu.Lock()
	_, _, err := s.renegotiate(d, bad)
	interval := d.interval
	d.mu.Unlock()
	if Status(err) != StatusBadRequest || interval != 1800*time.Second {
		t.Fatalf("broken re-INVITE: %v, interval %v; want 400 and 30m0s", err, interval)
	}
	s.end(context.Background(), d, "test")
}

// A session timer that fired while a refresh re-armed it is superseded:
// it must not end the session the refresh kept alive.
func TestSupersededExpiryIsIgnored(t *testing.T) {
	s, _, _, ctl := openRig(t)
	d := openSession(t, s, parseRequest(t, "INVITE", "refresh@test", "", twoStreams("sendonly", "sendonly"), "Session-Expires: 1800"))
	d.mu.Lock()
	fired := d.timerGen
	s.armTimer(d) // the refresh
	d.mu.Unlock()
	s.expire(d, fired)
	d.mu.Lock()
	ended := d.ended
	d.mu.Unlock()
	if _, ends := ctl.counts(); ended || ends != 0 {
		t.Fatalf("a superseded expiry ended the session (ended %v, %d ends)", ended, ends)
	}
	s.end(context.Background(), d, "test")
}

// Attributes are clipped to their bound without splitting a character.
func TestAttributesClipWholeCharacters(t *testing.T) {
	name := strings.Repeat("é", maxAttrLen) // two bytes each
	req := parseInvite(t, "clip@test")
	attrs := attributes("clip@test", req, Metadata{}, Assignment{Caller: &Participant{Name: "a" + name}})
	got := attrs["callerName"]
	if len(got) > maxAttrLen || !utf8.ValidString(got) || !strings.HasPrefix(got, "aé") {
		t.Fatalf("callerName of %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
}
