package siprec_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
)

// noConversation fails if conversation id exists.
func (r *rig) noConversation(id string) {
	r.t.Helper()
	if _, err := r.store.Conversation(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
		r.t.Fatalf("conversation %s: %v, want none", id, err)
	}
}

// files lists the recording directory.
func (r *rig) files() []string {
	r.t.Helper()
	entries, err := os.ReadDir(r.recDir())
	if err != nil && !os.IsNotExist(err) {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestAllowListRefusesOtherSources(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := siprec.NewMetrics(reg)
	r := newRigWith(t, 46100, 46199, func(c *siprec.Config) {
		c.Allow = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
		c.Metrics = m
	})
	p := r.peer()
	p.send(invite("outsider@test"))
	got := p.final("INVITE")
	if got.status != 403 || strings.Contains(got.headers["warning"], "127.0.0.1") {
		t.Fatalf("INVITE from an unlisted source: %d %q, want 403 naming nothing", got.status, got.headers["warning"])
	}
	r.noConversation("outsider@test")
	if f := r.files(); len(f) != 0 {
		t.Fatalf("a refused INVITE left files: %v", f)
	}
	if n := r.ports.InUse(); n != 0 {
		t.Fatalf("%d RTP ports in use", n)
	}
	if v := counterValue(t, m.Refused.WithLabelValues("forbidden-source")); v != 1 {
		t.Fatalf("forbidden-source refusals counted %v, want 1", v)
	}

	// The same INVITE from a listed source is recorded.
	r2 := newRigWith(t, 46200, 46299, func(c *siprec.Config) {
		c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	p2 := r2.peer()
	p2.send(invite("insider@test"))
	if got := p2.final("INVITE"); got.status != 200 {
		t.Fatalf("INVITE from a listed source: %d", got.status)
	}
}

// secondSocket is another client socket on the same host: another
// transport peer.
func (r *rig) secondSocket() *peer {
	return r.peer()
}

func TestSpoofedInDialogRequestsChangeNothing(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := siprec.NewMetrics(reg)
	r := newRigWith(t, 46300, 46399, func(c *siprec.Config) { c.Metrics = m })
	p := r.peer()
	const cid = "spoof-1@test"
	p.send(invite(cid))
	ok := p.final("INVITE")
	if ok.status != 200 {
		t.Fatalf("INVITE: %d", ok.status)
	}
	tag := ok.toTag()
	p.send(request{method: "ACK", callID: cid, toTag: tag, cseq: 1})
	before := r.waitConversation(cid, func(c conversation.Conversation) bool { return c.Recording.State == conversation.InProgress })

	// A BYE with the dialog's To-tag but another From-tag, from the peer's
	// own socket: 481.
	p.send(request{method: "BYE", callID: cid, toTag: tag, fromTag: "forged", cseq: 2})
	if got := p.final("BYE"); got.status != 481 {
		t.Fatalf("BYE with a foreign From-tag: %d, want 481", got.status)
	}
	// A hold re-INVITE and a BYE with the right tags from another socket: 403.
	other := r.secondSocket()
	other.send(request{method: "INVITE", callID: cid, toTag: tag, cseq: 3, contentType: "application/sdp", body: offer("inactive")})
	if got := other.final("INVITE"); got.status != 403 {
		t.Fatalf("re-INVITE from another socket: %d, want 403", got.status)
	}
	other.send(request{method: "UPDATE", callID: cid, toTag: tag, cseq: 4, contentType: "application/sdp", body: offer("inactive")})
	if got := other.final("UPDATE"); got.status != 403 {
		t.Fatalf("UPDATE from another socket: %d, want 403", got.status)
	}
	other.send(request{method: "BYE", callID: cid, toTag: tag, cseq: 5})
	if got := other.final("BYE"); got.status != 403 {
		t.Fatalf("BYE from another socket: %d, want 403", got.status)
	}

	// Nothing changed: the conversation is as it was, the session is up.
	// An INFO from the peer, answered after the requests above were
	// handled, shows the dialog still stands.
	p.send(request{method: "INFO", callID: cid, toTag: tag, cseq: 6})
	if got := p.final("INFO"); got.status != 200 {
		t.Fatalf("INFO from the peer: %d", got.status)
	}
	after, err := r.store.Conversation(context.Background(), cid)
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != before.Version || after.CallState != conversation.Connected || after.Recording.State != conversation.InProgress || len(after.Recording.Reasons) != 0 {
		t.Fatalf("spoofed requests changed the conversation: before %+v, after %+v", before, after)
	}
	if n := r.srv.Active(); n != 1 {
		t.Fatalf("%d sessions up, want 1", n)
	}
	if v := counterValue(t, m.Rejected.WithLabelValues("403")); v != 3 {
		t.Fatalf("403s counted %v, want 3", v)
	}
	if v := counterValue(t, m.Rejected.WithLabelValues("481")); v != 1 {
		t.Fatalf("481s counted %v, want 1", v)
	}

	// The genuine BYE ends it.
	p.send(request{method: "BYE", callID: cid, toTag: tag, cseq: 7})
	if got := p.final("BYE"); got.status != 200 {
		t.Fatalf("genuine BYE: %d", got.status)
	}
	r.waitConversation(cid, func(c conversation.Conversation) bool { return c.CallState == conversation.Ended })
}

func TestUnACKedInviteFreesItsPorts(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := siprec.NewMetrics(reg)
	r := newRigWith(t, 46400, 46499, func(c *siprec.Config) {
		c.T1 = 20 * time.Millisecond // the ACK wait is 64*T1 = 1.28 s
		c.Metrics = m
	})
	// One call that is ACKed, then several that never are.
	p := r.peer()
	p.send(invite("acked@test"))
	ok := p.final("INVITE")
	if ok.status != 200 {
		t.Fatalf("INVITE: %d", ok.status)
	}
	p.send(request{method: "ACK", callID: "acked@test", toTag: ok.toTag(), cseq: 1})
	const n = 5
	for i := range n {
		q := r.peer()
		id := "unacked-" + string(rune('a'+i)) + "@test"
		q.send(invite(id))
		if got := q.finalFor(id, "INVITE"); got.status != 200 {
			t.Fatalf("INVITE %s: %d", id, got.status)
		}
	}
	if got := r.ports.InUse(); got != 2*(n+1) {
		t.Fatalf("%d RTP ports in use, want %d", got, 2*(n+1))
	}
	// The un-ACKed sessions end and give their ports back; the ACKed one
	// keeps its two.
	deadline := time.Now().Add(15 * time.Second)
	for r.ports.InUse() != 2 || r.srv.Active() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d ports in use, %d sessions up; want 2 and 1", r.ports.InUse(), r.srv.Active())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range n {
		id := "unacked-" + string(rune('a'+i)) + "@test"
		c := r.waitConversation(id, func(c conversation.Conversation) bool {
			return c.CallState == conversation.Ended && c.Recording.State == conversation.Stopped
		})
		if c.EndReason != siprec.EndACKTimeout {
			t.Fatalf("%s ended with reason %q, want %s", id, c.EndReason, siprec.EndACKTimeout)
		}
		events, err := r.store.EventsAfter(context.Background(), 0, id, 100)
		if err != nil {
			t.Fatal(err)
		}
		ended := false
		for _, e := range events {
			ended = ended || (e.Type == conversation.EventEnded && strings.Contains(string(e.Data), `"endReason":"ack-timeout"`))
		}
		if !ended {
			t.Fatalf("no %s event with the end reason for %s", conversation.EventEnded, id)
		}
		entries, err := r.store.AuditEntries(context.Background(), store.AuditQuery{ConversationID: id})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || (e.Action == "event.end" && e.Reason == string(siprec.EndACKTimeout))
		}
		if !found {
			t.Fatalf("no event.end with reason %s in the audit of %s: %+v", siprec.EndACKTimeout, id, entries)
		}
	}
	c, err := r.store.Conversation(context.Background(), "acked@test")
	if err != nil || c.CallState != conversation.Connected {
		t.Fatalf("the ACKed call: %+v, %v", c, err)
	}
	if v := counterValue(t, m.ACKTimeouts); v != n {
		t.Fatalf("ACK timeouts counted %v, want %d", v, n)
	}
}

func TestNoPortsAnswers503WithRetryAfter(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := siprec.NewMetrics(reg)
	// Two ports: one two-stream call.
	r := newRigWith(t, 46500, 46503, func(c *siprec.Config) {
		c.Metrics = m
		c.RetryAfter = 7 * time.Second
	})
	p := r.peer()
	p.send(invite("first@test"))
	if got := p.final("INVITE"); got.status != 200 {
		t.Fatalf("first INVITE: %d", got.status)
	}
	before := r.files()
	p.send(invite("second@test"))
	got := p.finalFor("second@test", "INVITE")
	if got.status != 503 || got.headers["retry-after"] != "7" {
		t.Fatalf("INVITE with no port left: %d, Retry-After %q; want 503, 7", got.status, got.headers["retry-after"])
	}
	if w := got.headers["warning"]; strings.Contains(w, "second") || strings.Contains(w, "media") || strings.Contains(w, "/") {
		t.Fatalf("Warning %q tells more than that hush is busy", w)
	}
	r.noConversation("second@test")
	if after := r.files(); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Fatalf("files %v after the refusal, %v before", after, before)
	}
	if v := counterValue(t, m.Refused.WithLabelValues("no-rtp-ports")); v != 1 {
		t.Fatalf("no-rtp-ports refusals counted %v, want 1", v)
	}
}

func TestDuplicateCallIDLeavesNothing(t *testing.T) {
	r := newRigWith(t, 46600, 46699, nil)
	p := r.peer()
	const cid = "dup-1@test"
	p.send(invite(cid))
	ok := p.final("INVITE")
	if ok.status != 200 {
		t.Fatalf("INVITE: %d", ok.status)
	}
	p.send(request{method: "ACK", callID: cid, toTag: ok.toTag(), cseq: 1})
	p.send(request{method: "BYE", callID: cid, toTag: ok.toTag(), cseq: 2})
	if got := p.final("BYE"); got.status != 200 {
		t.Fatalf("BYE: %d", got.status)
	}
	r.waitConversation(cid, func(c conversation.Conversation) bool { return c.Recording.State == conversation.Stopped })
	r.waitPortsFree()
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, f := range r.files() {
			b, err := os.ReadFile(filepath.Join(r.recDir(), f))
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(b)
		}
		return out
	}
	before := snapshot()
	audit, err := r.store.AuditEntries(context.Background(), store.AuditQuery{ConversationID: cid})
	if err != nil {
		t.Fatal(err)
	}

	// A new INVITE with the same Call-ID, from a new socket.
	q := r.peer()
	q.send(invite(cid))
	got := q.final("INVITE")
	if got.status != 403 {
		t.Fatalf("INVITE naming an existing conversation: %d, want 403", got.status)
	}
	if w := got.headers["warning"]; strings.Contains(w, "dup-1") || strings.Contains(w, "/") || strings.Contains(w, ".wav") {
		t.Fatalf("Warning %q names a call or a path", w)
	}
	after := snapshot()
	if len(after) != len(before) {
		t.Fatalf("files %v after, %v before", keys(after), keys(before))
	}
	for f, b := range before {
		if after[f] != b {
			t.Fatalf("the refusal changed %s", f)
		}
	}
	audit2, err := r.store.AuditEntries(context.Background(), store.AuditQuery{ConversationID: cid})
	if err != nil || len(audit2) != len(audit) {
		t.Fatalf("the refusal wrote audit entries: %d before, %d after (%v)", len(audit), len(audit2), err)
	}
	if n := r.ports.InUse(); n != 0 {
		t.Fatalf("%d RTP ports in use", n)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// lenientInvite is an INVITE in the style of SRCs that mark it only by
// its metadata part: no Require: siprec, no +sip.src, sendrecv streams.
func lenientInvite(callID string) request {
	body := "--b1\r\nContent-Type: application/sdp\r\nContent-Disposition: session;handling=required\r\n\r\n" + offer("sendrecv") +
		"\r\n--b1\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n" + metadata + "\r\n--b1--\r\n"
	return request{method: "INVITE", callID: callID, cseq: 1, plain: true, contentType: "multipart/mixed;boundary=b1", body: body}
}

func TestLenientRecordingSessionDetection(t *testing.T) {
	r := newRigWith(t, 46700, 46799, nil)
	p := r.peer()
	p.send(lenientInvite("lenient-1@test"))
	got := p.final("INVITE")
	if got.status != 200 || strings.Count(got.body, "a=recvonly") != 2 || strings.Contains(got.body, "sendrecv") {
		t.Fatalf("lenient INVITE: %d\n%s", got.status, got.body)
	}
	r.waitConversation("lenient-1@test", func(c conversation.Conversation) bool { return c.Recording.State == conversation.InProgress })
	// Metadata without a Content-Disposition marks it as well.
	ct, body := multipart(offer("sendrecv"), metadata)
	p.send(request{method: "INVITE", callID: "lenient-2@test", cseq: 1, plain: true, contentType: ct, body: body})
	if got := p.finalFor("lenient-2@test", "INVITE"); got.status != 200 || strings.Count(got.body, "a=recvonly") != 2 {
		t.Fatalf("lenient INVITE without dispositions: %d\n%s", got.status, got.body)
	}

	strict := newRigWith(t, 46800, 46899, func(c *siprec.Config) { c.Strict = true })
	q := strict.peer()
	q.send(lenientInvite("strict-1@test"))
	if got := q.final("INVITE"); got.status != 488 {
		t.Fatalf("the same INVITE under Strict: %d, want 488", got.status)
	}
	strict.noConversation("strict-1@test")
	if f := strict.files(); len(f) != 0 {
		t.Fatalf("a refused INVITE left files: %v", f)
	}
}

func TestSIPStackLogIsBounded(t *testing.T) {
	var buf lockedBuffer
	r := newRigWith(t, 46900, 46999, func(c *siprec.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	conn, err := net.Dial("udp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// 300 datagrams of 30 KB that look like SIP but do not parse.
	junk := "INVITE sip:x SIP/2.0\r\nVia: broken\r\nCSeq: nope\r\n" + strings.Repeat("SECRET-PAYLOAD ", 2000) + "\r\n\r\n"
	for range 300 {
		if _, err := conn.Write([]byte(junk)); err != nil {
			t.Fatal(err)
		}
	}
	// An answered OPTIONS shows the server read past the junk.
	p := r.peer()
	p.send(request{method: "OPTIONS", callID: "after-junk@test", cseq: 1})
	if got := p.finalFor("after-junk@test", "OPTIONS"); got.status != 200 {
		t.Fatalf("OPTIONS after junk: %d", got.status)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	parseErrors := 0
	for _, l := range lines {
		// The text handler adds the time, level and quoting around the
		// bounded message and attributes.
		if len(l) > 1024 {
			t.Fatalf("a log line of %d bytes: %.200s…", len(l), l)
		}
		if strings.Contains(l, "SECRET-PAYLOAD") {
			parseErrors++
		}
	}
	if parseErrors == 0 || parseErrors > 100 {
		t.Fatalf("%d log lines about the junk, want some and at most the rate limit's burst", parseErrors)
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// counterValue reads a counter.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// With an allow list, an SBC cluster may send in-dialog requests from
// another listed node.
func TestListedSourceMayActInADialog(t *testing.T) {
	r := newRigWith(t, 46050, 46099, func(c *siprec.Config) {
		c.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	p := r.peer()
	const cid = "cluster-1@test"
	p.send(invite(cid))
	ok := p.final("INVITE")
	if ok.status != 200 {
		t.Fatalf("INVITE: %d", ok.status)
	}
	p.send(request{method: "ACK", callID: cid, toTag: ok.toTag(), cseq: 1})
	other := r.secondSocket()
	other.send(request{method: "BYE", callID: cid, toTag: ok.toTag(), fromTag: "forged", cseq: 2})
	if got := other.final("BYE"); got.status != 481 {
		t.Fatalf("BYE from a listed node with a foreign From-tag: %d, want 481", got.status)
	}
	other.send(request{method: "BYE", callID: cid, toTag: ok.toTag(), cseq: 3})
	if got := other.final("BYE"); got.status != 200 {
		t.Fatalf("BYE from another listed node: %d, want 200", got.status)
	}
	r.waitConversation(cid, func(c conversation.Conversation) bool {
		return c.CallState == conversation.Ended && c.EndReason == siprec.EndBye
	})
}
