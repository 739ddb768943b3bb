package siprec_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/hush-cc/hush/internal/testwait"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

// rig is a recording server with a real engine and SQLite store.
type rig struct {
	t     *testing.T
	srv   *siprec.Server
	eng   *engine.Engine
	store *sqlite.Store
	rec   *media.Recorder
	ports *media.Ports
	ctl   *gatedControl
	addr  string
}

// gatedControl is the engine-backed Control the server assembly uses,
// with a gate that can hold Begin back (to cancel an INVITE in flight).
type gatedControl struct {
	eng     *engine.Engine
	store   *sqlite.Store
	mu      sync.Mutex
	hold    chan struct{} // closed to let a held Begin go on
	entered chan struct{} // receives when Begin is held
}

func (c *gatedControl) Begin(ctx context.Context, s siprec.SessionInfo) error {
	c.mu.Lock()
	hold, entered := c.hold, c.entered
	c.mu.Unlock()
	if hold != nil {
		entered <- struct{}{}
		<-hold
	}
	_, err := c.eng.Create(ctx, conversation.Spec{ID: s.ConversationID, AgentID: s.AgentID, Platform: siprec.Platform,
		Attributes: s.Attributes, Recording: conversation.InProgress, Transcription: conversation.NotStarted, At: s.Start}, "siprec")
	return err
}

func (c *gatedControl) Source(ctx context.Context, id, source string, sending bool, at time.Time) error {
	kind := conversation.KindSourcePause
	if sending {
		kind = conversation.KindSourceResume
	}
	_, err := c.eng.Apply(ctx, id, conversation.Input{Kind: kind, SourceID: source, At: at, Actor: "siprec"})
	return err
}

func (c *gatedControl) Exists(ctx context.Context, id string) (bool, error) {
	_, err := c.store.Conversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (c *gatedControl) End(ctx context.Context, id string, at time.Time, reason conversation.EndReason) error {
	_, err := c.eng.Apply(ctx, id, conversation.Input{Kind: conversation.KindEnd, At: at, Actor: "siprec", EndReason: reason})
	return err
}

func newRig(t *testing.T) *rig {
	t.Helper()
	return newRigWith(t, 47000, 47999, nil)
}

// newRigWith makes a rig whose RTP ports are lo-hi and whose server
// configuration configure (if set) changes.
func newRigWith(t *testing.T, lo, hi int, configure func(*siprec.Config)) *rig {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	ports, err := media.NewPorts(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	rec, err := media.NewRecorder(media.Config{Dir: filepath.Join(dir, "recordings"), Ports: ports, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{siprec.Platform: rec}, Logger: log})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	rule, err := siprec.NewAgentRule(`^sip:agent-(?P<agent>[^@]+)@`)
	if err != nil {
		t.Fatal(err)
	}
	ctl := &gatedControl{eng: eng, store: st}
	cfg := siprec.Config{Listen: "127.0.0.1:0", Recorder: rec, Control: ctl, Rule: rule, Logger: log}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := siprec.Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(sctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		eng.Close(5 * time.Second)
		_ = rec.Close(context.Background())
		st.Close()
	})
	return &rig{t: t, srv: srv, eng: eng, store: st, rec: rec, ports: ports, ctl: ctl, addr: srv.Addr().String()}
}

// peer is a SIP client over UDP that writes requests by hand, so it can
// write broken ones.
type peer struct {
	t    *testing.T
	conn *net.UDPConn
	to   string
}

func (r *rig) peer() *peer {
	raddr, err := net.ResolveUDPAddr("udp", r.addr)
	if err != nil {
		r.t.Fatal(err)
	}
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { conn.Close() })
	return &peer{t: r.t, conn: conn, to: r.addr}
}

// request is a SIP request to write.
type request struct {
	method, callID, toTag string
	fromTag               string // "sbc-1" when empty
	cseq                  int
	headers               []string // "Name: value"
	contentType           string
	body                  string
	branch                string
	plain                 bool // a Contact without the +sip.src feature tag
}

func (p *peer) send(rq request) string {
	p.t.Helper()
	if rq.branch == "" {
		rq.branch = fmt.Sprintf("z9hG4bK-%d", time.Now().UnixNano())
	}
	local := p.conn.LocalAddr().String()
	to := "<sip:srs@" + p.to + ">"
	if rq.toTag != "" {
		to += ";tag=" + rq.toTag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s sip:srs@%s SIP/2.0\r\n", rq.method, p.to)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=%s;rport\r\n", local, rq.branch)
	if rq.fromTag == "" {
		rq.fromTag = "sbc-1"
	}
	fmt.Fprintf(&b, "From: <sip:sbc@%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\n", local, rq.fromTag, to, rq.callID)
	feature := ";+sip.src"
	if rq.plain {
		feature = ""
	}
	fmt.Fprintf(&b, "CSeq: %d %s\r\nMax-Forwards: 70\r\nContact: <sip:sbc@%s>%s\r\n", rq.cseq, rq.method, local, feature)
	for _, h := range rq.headers {
		b.WriteString(h + "\r\n")
	}
	if rq.contentType != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", rq.contentType)
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(rq.body), rq.body)
	if _, err := p.conn.Write([]byte(b.String())); err != nil {
		p.t.Fatal(err)
	}
	return rq.branch
}

// response is what the recorder answered.
type response struct {
	status  int
	headers map[string]string
	body    string
}

// final reads responses until a final one for method arrives.
func (p *peer) final(method string) response {
	p.t.Helper()
	return p.finalFor("", method)
}

// finalFor reads responses until a final one for method in the call
// callID (any call when empty) arrives; others are dropped.
func (p *peer) finalFor(callID, method string) response {
	p.t.Helper()
	for {
		r := p.read()
		if r.status >= 200 && strings.HasSuffix(r.headers["cseq"], method) && (callID == "" || r.headers["call-id"] == callID) {
			return r
		}
	}
}

func (p *peer) read() response {
	p.t.Helper()
	buf := make([]byte, 65536)
	if err := p.conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		p.t.Fatal(err)
	}
	n, err := p.conn.Read(buf)
	if err != nil {
		p.t.Fatalf("no answer from the recorder: %v", err)
	}
	return parseResponse(p.t, buf[:n])
}

func parseResponse(t *testing.T, b []byte) response {
	t.Helper()
	br := bufio.NewReader(strings.NewReader(string(b)))
	line, _ := br.ReadString('\n')
	f := strings.Fields(line)
	if len(f) < 2 || f[0] != "SIP/2.0" {
		t.Fatalf("not a SIP response: %q", line)
	}
	status, _ := strconv.Atoi(f[1])
	r := response{status: status, headers: map[string]string{}}
	for {
		l, err := br.ReadString('\n')
		l = strings.TrimRight(l, "\r\n")
		if l == "" || err != nil {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		r.headers[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	rest, _ := io.ReadAll(br)
	r.body = string(rest)
	return r
}

func (r response) toTag() string {
	_, tag, _ := strings.Cut(r.headers["to"], "tag=")
	tag, _, _ = strings.Cut(tag, ";")
	return tag
}

// offer returns an SDP offer for two PCMU streams with the given direction.
func offer(dir string) string {
	return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 9000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=label:1\r\na=" + dir + "\r\n" +
		"m=audio 9002 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=label:2\r\na=" + dir + "\r\n"
}

const metadata = `<?xml version="1.0" encoding="UTF-8"?>
<recording xmlns='urn:ietf:params:xml:ns:recording:1'>
<datamode>complete</datamode>
<session session_id="s1"/>
<participant participant_id="p1"><nameID aor="sip:+15550100@carrier.example"/><send>st1</send></participant>
<participant participant_id="p2"><nameID aor="sip:agent-kim@pbx.example"/><send>st2</send></participant>
<stream stream_id="st1" session_id="s1"><label>1</label></stream>
<stream stream_id="st2" session_id="s1"><label>2</label></stream>
</recording>`

func multipart(sdp, meta string) (string, string) {
	body := "--b1\r\nContent-Type: application/sdp\r\n\r\n" + sdp + "\r\n--b1\r\nContent-Type: application/rs-metadata+xml\r\n\r\n" + meta + "\r\n--b1--\r\n"
	return "multipart/mixed;boundary=b1", body
}

func invite(callID string) request {
	ct, body := multipart(offer("sendonly"), metadata)
	return request{method: "INVITE", callID: callID, cseq: 1, headers: []string{"Require: siprec"}, contentType: ct, body: body}
}

// waitPortsFree waits until every RTP port is given back: the call's
// release runs when the engine's stop drive reaches the recorder.
func (r *rig) waitPortsFree() {
	r.t.Helper()
	testwait.Eventually(r.t, func() (bool, error) {
		n := r.ports.InUse()
		return n == 0, fmt.Errorf("%d in use", n)
	}, "every RTP port to be free")
}

func TestMalformedRequestsAreRefusedWithoutLeaks(t *testing.T) {
	r := newRig(t)
	p := r.peer()
	ctMulti, goodBody := multipart(offer("sendonly"), metadata)
	_, badMetaBody := multipart(offer("sendonly"), "<recording><participant>")
	_, badSDPBody := multipart("v=0\r\nm=audio notaport RTP/AVP 0\r\n", metadata)
	_, videoOnly := multipart("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=video 9000 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n", metadata)
	_, g729 := multipart("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n", metadata)
	cases := []struct {
		name string
		rq   request
		want int
	}{
		{"not a recording session", request{method: "INVITE", plain: true, contentType: "application/sdp", body: offer("sendonly")}, 488},
		{"unknown required extension", request{method: "INVITE", headers: []string{"Require: siprec, foo"}, contentType: ctMulti, body: goodBody}, 420},
		{"session interval too small", request{method: "INVITE", headers: []string{"Require: siprec", "Session-Expires: 30"}, contentType: ctMulti, body: goodBody}, 422},
		{"garbled session interval", request{method: "INVITE", headers: []string{"Require: siprec", "Session-Expires: soon"}, contentType: ctMulti, body: goodBody}, 400},
		{"body of an unknown type", request{method: "INVITE", headers: []string{"Require: siprec"}, contentType: "text/plain", body: "hello"}, 415},
		{"multipart without boundary", request{method: "INVITE", headers: []string{"Require: siprec"}, contentType: "multipart/mixed", body: goodBody}, 400},
		{"broken SDP", request{method: "INVITE", headers: []string{"Require: siprec"}, contentType: ctMulti, body: badSDPBody}, 400},
		{"broken metadata", request{method: "INVITE", headers: []string{"Require: siprec"}, contentType: ctMulti, body: badMetaBody}, 400},
		{"no audio stream", request{method: "INVITE", headers: []string{"Require: siprec"}, contentType: ctMulti, body: videoOnly}, 488},
		{"no G.711", request{method: "INVITE", headers: []string{"Require: siprec"}, contentType: ctMulti, body: g729}, 488},
		{"no offer", request{method: "INVITE", headers: []string{"Require: siprec"}}, 488},
		{"re-INVITE of no session", request{method: "INVITE", toTag: "nope", headers: []string{"Require: siprec"}, contentType: ctMulti, body: goodBody}, 481},
		{"BYE of no session", request{method: "BYE", toTag: "nope"}, 481},
		{"UPDATE of no session", request{method: "UPDATE", toTag: "nope"}, 481},
		{"OPTIONS", request{method: "OPTIONS"}, 200},
		{"unknown method", request{method: "PUBLISH"}, 405},
	}
	for i, c := range cases {
		c.rq.callID = fmt.Sprintf("bad-%d@test", i)
		c.rq.cseq = 1
		p.send(c.rq)
		if got := p.final(c.rq.method); got.status != c.want {
			t.Errorf("%s: status %d (%s), want %d", c.name, got.status, got.headers["warning"], c.want)
		}
	}
	// Bytes that are not SIP get no answer and break nothing.
	if _, err := p.conn.Write([]byte("\x00\xffINVITE garbage\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	// A request without To is answered 400 (or dropped), never a crash.
	noTo := "INVITE sip:srs@" + r.addr + " SIP/2.0\r\nVia: SIP/2.0/UDP " + p.conn.LocalAddr().String() +
		";branch=z9hG4bK-noto\r\nFrom: <sip:a@b>;tag=1\r\nCall-ID: noto@test\r\nCSeq: 1 INVITE\r\nRequire: siprec\r\nContent-Length: 0\r\n\r\n"
	if _, err := p.conn.Write([]byte(noTo)); err != nil {
		t.Fatal(err)
	}
	p.send(request{method: "OPTIONS", callID: "after-noto@test", cseq: 1})
	if got := p.finalFor("after-noto@test", "OPTIONS"); got.status != 200 {
		t.Fatalf("OPTIONS after a broken request: %d", got.status)
	}
	if n := r.ports.InUse(); n != 0 {
		t.Fatalf("%d RTP ports in use after refusals", n)
	}
	if n := r.srv.Active(); n != 0 {
		t.Fatalf("%d sessions up after refusals", n)
	}
	entries, _ := os.ReadDir(filepath.Join(r.recDir()))
	if len(entries) != 0 {
		t.Fatalf("refused INVITEs left files: %v", entries)
	}
	// The server still records a good call.
	p.send(invite("good@test"))
	if got := p.finalFor("good@test", "INVITE"); got.status != 200 {
		t.Fatalf("good INVITE after refusals: %d", got.status)
	}
}

func (r *rig) recDir() string {
	wav, _ := r.rec.Paths("x")
	return filepath.Dir(wav)
}

func TestSessionLifecycle(t *testing.T) {
	r := newRig(t)
	p := r.peer()
	const cid = "life-1@test"
	inv := invite(cid)
	inv.headers = append(inv.headers, "Session-Expires: 1800", "Supported: timer")
	p.send(inv)
	ok := p.final("INVITE")
	if ok.status != 200 || !strings.Contains(ok.body, "a=recvonly") || strings.Count(ok.body, "m=audio ") != 2 ||
		!strings.Contains(ok.headers["session-expires"], "1800") {
		t.Fatalf("answer %d %v\n%s", ok.status, ok.headers, ok.body)
	}
	tag := ok.toTag()
	p.send(request{method: "ACK", callID: cid, toTag: tag, cseq: 1})
	if n := r.ports.InUse(); n != 2 {
		t.Fatalf("%d RTP ports in use, want 2", n)
	}
	c, err := r.store.Conversation(context.Background(), cid)
	if err != nil || c.AgentID != "kim" || c.Platform != siprec.Platform || c.Recording.State != conversation.InProgress ||
		c.Attributes["caller"] != "sip:+15550100@carrier.example" {
		t.Fatalf("conversation = %+v, %v", c, err)
	}

	// Hold: both streams inactive. Each is a source pause reason.
	p.send(request{method: "INVITE", callID: cid, toTag: tag, cseq: 2, contentType: "application/sdp", body: offer("inactive")})
	if got := p.final("INVITE"); got.status != 200 || !strings.Contains(got.body, "a=inactive") {
		t.Fatalf("hold re-INVITE: %d\n%s", got.status, got.body)
	}
	p.send(request{method: "ACK", callID: cid, toTag: tag, cseq: 2})
	c = r.waitConversation(cid, func(c conversation.Conversation) bool {
		return c.Recording.Holds(conversation.Source, "1") && c.Recording.Holds(conversation.Source, "2") && c.Recording.State == conversation.Paused
	})

	// Back to sendonly over UPDATE, with a session refresh and no metadata.
	p.send(request{method: "UPDATE", callID: cid, toTag: tag, cseq: 3, headers: []string{"Session-Expires: 1800"}, contentType: "application/sdp", body: offer("sendonly")})
	if got := p.final("UPDATE"); got.status != 200 || !strings.Contains(got.body, "a=recvonly") {
		t.Fatalf("UPDATE: %d\n%s", got.status, got.body)
	}
	r.waitConversation(cid, func(c conversation.Conversation) bool {
		return len(c.Recording.Reasons) == 0 && c.Recording.State == conversation.InProgress
	})

	// An offerless re-INVITE (a refresh) gets the recorder's SDP.
	p.send(request{method: "INVITE", callID: cid, toTag: tag, cseq: 4})
	if got := p.final("INVITE"); got.status != 200 || !strings.Contains(got.body, "m=audio") {
		t.Fatalf("offerless re-INVITE: %d\n%s", got.status, got.body)
	}
	// A broken offer in a re-INVITE is refused and the session goes on.
	p.send(request{method: "INVITE", callID: cid, toTag: tag, cseq: 5, contentType: "application/sdp", body: "v=0\r\nm=audio x\r\n"})
	if got := p.final("INVITE"); got.status != 400 {
		t.Fatalf("broken re-INVITE: %d", got.status)
	}
	// A refresh below the recorder's minimum is refused with its Min-SE
	// (RFC 4028), and the session goes on.
	p.send(request{method: "UPDATE", callID: cid, toTag: tag, cseq: 5, headers: []string{"Session-Expires: 30"}})
	if got := p.final("UPDATE"); got.status != 422 || got.headers["min-se"] != "90" {
		t.Fatalf("UPDATE with a short interval: %d, Min-SE %q; want 422, 90", got.status, got.headers["min-se"])
	}
	p.send(request{method: "INFO", callID: cid, toTag: tag, cseq: 6})
	if got := p.final("INFO"); got.status != 200 {
		t.Fatalf("INFO in session: %d", got.status)
	}

	p.send(request{method: "BYE", callID: cid, toTag: tag, cseq: 7})
	if got := p.final("BYE"); got.status != 200 {
		t.Fatalf("BYE: %d", got.status)
	}
	r.waitPortsFree()
	c = r.waitConversation(cid, func(c conversation.Conversation) bool {
		return c.CallState == conversation.Ended && c.Recording.State == conversation.Stopped
	})
	_, segs := r.rec.Paths(cid)
	m, err := media.ReadSegmentMap(segs)
	if err != nil || !m.Complete {
		t.Fatalf("segment map %+v, %v", m, err)
	}
	p.send(request{method: "BYE", callID: cid, toTag: tag, cseq: 8})
	if got := p.final("BYE"); got.status != 481 {
		t.Fatalf("second BYE: %d", got.status)
	}
}

func (r *rig) waitConversation(id string, ok func(conversation.Conversation) bool) conversation.Conversation {
	r.t.Helper()
	var c conversation.Conversation
	testwait.Eventually(r.t, func() (bool, error) {
		var err error
		if c, err = r.store.Conversation(context.Background(), id); err != nil {
			return false, err
		}
		return ok(c), fmt.Errorf("%+v", c)
	}, "conversation %s", id)
	return c
}

func TestCancelBeforeAnswer(t *testing.T) {
	r := newRig(t)
	r.ctl.mu.Lock()
	r.ctl.hold, r.ctl.entered = make(chan struct{}), make(chan struct{}, 1)
	hold, entered := r.ctl.hold, r.ctl.entered
	r.ctl.mu.Unlock()
	p := r.peer()
	const cid = "cancel-1@test"
	inv := invite(cid)
	branch := p.send(inv)
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the INVITE never reached the conversation")
	}
	// CANCEL carries the INVITE's branch and CSeq number (RFC 3261 9.1).
	p.send(request{method: "CANCEL", callID: cid, cseq: 1, branch: branch})
	if got := p.final("CANCEL"); got.status != 200 {
		t.Fatalf("CANCEL: %d", got.status)
	}
	close(hold)
	if got := p.final("INVITE"); got.status != 487 {
		t.Fatalf("cancelled INVITE: %d, want 487", got.status)
	}
	r.waitPortsFree()
	if n := r.srv.Active(); n != 0 {
		t.Fatalf("%d sessions up after CANCEL", n)
	}
	// The conversation was created before the CANCEL was seen: it ended.
	r.waitConversation(cid, func(c conversation.Conversation) bool { return !c.Active() })
}
