package siprec

import (
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
)

func readBody(t *testing.T, name, boundary string) Body {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	body, err := SplitBody("multipart/mixed;boundary="+boundary, b)
	if err != nil {
		t.Fatal(err)
	}
	if body.SDP == nil || body.Metadata == nil {
		t.Fatalf("%s: parts missing: %+v", name, body)
	}
	return body
}

func TestCubeInvite(t *testing.T) {
	body := readBody(t, "cube-invite.body", "uniqueBoundary")
	if strings.HasSuffix(string(body.SDP), "\n") {
		t.Fatal("the SDP part should end without a line ending, as multipart leaves it")
	}
	offer, err := ParseOffer(body.SDP)
	if err != nil {
		t.Fatal(err)
	}
	if len(offer.Streams) != 2 {
		t.Fatalf("streams = %+v", offer.Streams)
	}
	s := offer.Streams[1]
	if s.Label != "2" || s.Port != 16436 || s.Addr != netip.MustParseAddr("10.10.10.1") ||
		s.Direction != SendOnly || !s.Sending() || !s.Acceptable() {
		t.Fatalf("stream = %+v", s)
	}
	if got := codecNames(s.Accepted()); !slices.Equal(got, []string{"PCMU", "telephone-event"}) {
		t.Fatalf("accepted codecs = %v (CN must be left out)", got)
	}

	meta, err := ParseMetadata(body.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if meta.DataMode != "complete" || len(meta.Sessions) != 1 ||
		meta.Sessions[0].SIPSessionIDs[0] != "9f3c0aa0b1f25d3e8a9b0c1d2e3f4a5b;remote=0000000000000000000000000000000" {
		t.Fatalf("metadata = %+v", meta)
	}
	if len(meta.Participants) != 2 || meta.Participants[1].Name != "Dana Agent" ||
		meta.Participants[1].AORs[0] != "sip:2001@cucm.example.com" ||
		!slices.Equal(meta.Participants[1].Send, []string{"B3A5D7E01C5D11EFA1A1B8C1D2E3F4A5"}) {
		t.Fatalf("participants = %+v", meta.Participants)
	}

	rule, err := NewAgentRule(`^sip:(2\d{3})@cucm\.example\.com$`)
	if err != nil {
		t.Fatal(err)
	}
	a := rule.Assign(meta, offer)
	if a.AgentID != "2001" || a.AgentStream != 1 || a.CallerStream != 0 ||
		a.Caller == nil || a.Caller.AORs[0] != "sip:+14085550123@10.10.10.1" {
		t.Fatalf("assignment = %+v", a)
	}
}

func TestOracleInvite(t *testing.T) {
	body := readBody(t, "oracle-invite.body", "unique-boundary-1")
	offer, err := ParseOffer(body.SDP)
	if err != nil {
		t.Fatal(err)
	}
	if len(offer.Streams) != 3 || offer.Streams[2].Media != "video" || offer.Streams[2].Acceptable() {
		t.Fatalf("streams = %+v", offer.Streams)
	}
	if got := codecNames(offer.Streams[0].Accepted()); !slices.Equal(got, []string{"PCMA", "PCMU", "telephone-event"}) {
		t.Fatalf("accepted = %v", got)
	}
	if offer.Streams[0].Addr != netip.MustParseAddr("192.0.2.50") {
		t.Fatalf("session-level address not inherited: %+v", offer.Streams[0])
	}
	meta, err := ParseMetadata(body.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta.Streams) != 2 || meta.Streams[0].SessionID != "p8Uu9ik8TiRHX6RQA+RNLQ==" ||
		meta.Participants[0].Name != "Robin Ortega" {
		t.Fatalf("metadata = %+v", meta)
	}
	rule, err := NewAgentRule(`^sip:agent-(?P<agent>\d+)@`)
	if err != nil {
		t.Fatal(err)
	}
	// Here the agent sends the stream labelled 1: it goes right.
	a := rule.Assign(meta, offer)
	if a.AgentID != "0042" || a.AgentStream != 0 || a.CallerStream != 1 || a.Caller.Name != "+442071838750" {
		t.Fatalf("assignment = %+v", a)
	}

	answer, err := BuildAnswer(offer, AnswerOptions{
		Addr: netip.MustParseAddr("127.0.0.1"), Ports: map[int]int{0: 30000, 1: 30002}, SessionID: 42, Version: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "v=0\r\n" +
		"o=hush 42 1 IN IP4 127.0.0.1\r\n" +
		"s=hush\r\n" +
		"c=IN IP4 127.0.0.1\r\n" +
		"t=0 0\r\n" +
		"m=audio 30000 RTP/AVP 8 0 101\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-15\r\n" +
		"a=label:1\r\n" +
		"a=recvonly\r\n" +
		"m=audio 30002 RTP/AVP 8 0 101\r\n" +
		"a=rtpmap:8 PCMA/8000\r\n" +
		"a=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-15\r\n" +
		"a=label:2\r\n" +
		"a=recvonly\r\n" +
		"m=video 0 RTP/AVP 96\r\n"
	if string(answer) != want {
		t.Fatalf("answer:\n%s\nwant:\n%s", answer, want)
	}
	back, err := ParseOffer(answer)
	if err != nil || len(back.Streams) != 3 || back.Streams[0].Direction != RecvOnly {
		t.Fatalf("answer does not parse back: %+v, %v", back, err)
	}
}

func codecNames(cs []Codec) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

const holdOffer = "v=0\n" +
	"o=- 1 2 IN IP4 198.51.100.7\n" +
	"s=-\n" +
	"t=0 0\n" +
	"m=audio 4000 RTP/AVP 18 0\n" +
	"c=IN IP4 0.0.0.0\n" +
	"a=sendonly\n" +
	"a=label:a\n" +
	"m=audio 4002 RTP/AVP 8\n" +
	"c=IN IP4 198.51.100.7\n" +
	"a=inactive\n" +
	"a=label:b\n" +
	"m=audio 4004 RTP/AVP 18\n" +
	"c=IN IP4 198.51.100.7\n" +
	"a=label:c"

func TestHoldAndInactiveStreams(t *testing.T) {
	offer, err := ParseOffer([]byte(holdOffer))
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := offer.Streams[0], offer.Streams[1], offer.Streams[2]
	if a.Sending() || !a.Acceptable() || a.Direction != SendOnly {
		t.Fatalf("c=0.0.0.0 stream: %+v", a)
	}
	if b.Sending() || b.Direction != Inactive {
		t.Fatalf("inactive stream: %+v", b)
	}
	if c.Acceptable() || c.Direction != SendRecv {
		t.Fatalf("G.729-only stream: %+v", c)
	}
	answer, err := BuildAnswer(offer, AnswerOptions{Addr: netip.MustParseAddr("::1"), Ports: map[int]int{0: 30010, 1: 30012, 2: 30014}})
	if err != nil {
		t.Fatal(err)
	}
	got := string(answer)
	for _, want := range []string{
		"c=IN IP6 ::1\r\n",
		"m=audio 30010 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=label:a\r\na=recvonly\r\n",
		"m=audio 30012 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=label:b\r\na=inactive\r\n",
		"m=audio 0 RTP/AVP 18\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Fatalf("answer lacks %q:\n%s", want, got)
		}
	}
}

func TestNoAcceptableMedia(t *testing.T) {
	offer, err := ParseOffer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 5000 RTP/SAVP 0\r\nm=audio 5002 RTP/AVP 18 101\r\na=rtpmap:101 telephone-event/8000\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := offer.Acceptable(); Status(err) != StatusNotAcceptableHere {
		t.Fatalf("Acceptable: %v", err)
	}
	_, err = BuildAnswer(offer, AnswerOptions{Addr: netip.MustParseAddr("127.0.0.1"), Ports: map[int]int{0: 30000, 1: 30002}})
	if Status(err) != StatusNotAcceptableHere {
		t.Fatalf("BuildAnswer: %v", err)
	}
}

func TestErrorStatuses(t *testing.T) {
	cases := []struct {
		name   string
		err    func() error
		status int
	}{
		{"text/plain body", func() error { _, err := SplitBody("text/plain", []byte("hi")); return err }, 415},
		{"multipart without SDP", func() error {
			_, err := SplitBody("multipart/mixed; boundary=x", []byte("--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x--\r\n"))
			return err
		}, 415},
		{"bad content type", func() error { _, err := SplitBody("multipart/mixed; boundary", []byte("x")); return err }, 400},
		{"no boundary", func() error { _, err := SplitBody("multipart/mixed", []byte("x")); return err }, 400},
		{"truncated multipart", func() error {
			_, err := SplitBody("multipart/mixed; boundary=x", []byte("--x\r\nContent-Type: application/sdp\r\n\r\nv=0"))
			return err
		}, 400},
		{"two SDP parts", func() error {
			_, err := SplitBody("multipart/mixed; boundary=x", []byte("--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--x--\r\n"))
			return err
		}, 400},
		{"garbage SDP", func() error { _, err := ParseOffer([]byte("hello")); return err }, 400},
		{"bad payload type", func() error {
			_, err := ParseOffer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP abc\r\n"))
			return err
		}, 400},
		{"bad rtpmap", func() error {
			_, err := ParseOffer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n"))
			return err
		}, 400},
		{"no connection address", func() error {
			_, err := ParseOffer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"))
			return err
		}, 400},
		{"metadata not XML", func() error { _, err := ParseMetadata([]byte("{}")); return err }, 400},
		{"metadata of another root", func() error { _, err := ParseMetadata([]byte("<html/>")); return err }, 400},
		{"metadata in EBCDIC", func() error {
			_, err := ParseMetadata([]byte(`<?xml version="1.0" encoding="EBCDIC"?><recording/>`))
			return err
		}, 400},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || Status(err) != c.status {
			t.Errorf("%s: %v (status %d), want status %d", c.name, err, Status(err), c.status)
		}
	}
}

func TestSplitBodyLoneParts(t *testing.T) {
	b, err := SplitBody("application/SDP", []byte("v=0\r\n"))
	if err != nil || string(b.SDP) != "v=0\r\n" || b.Metadata != nil {
		t.Fatalf("lone SDP: %+v, %v", b, err)
	}
	b, err = SplitBody("", nil)
	if err != nil || b.SDP != nil || b.Metadata != nil {
		t.Fatalf("no body: %+v, %v", b, err)
	}
	// Bare LF line endings, as some PBXes send, and a draft-era metadata type.
	body := "--b\nContent-Type: application/sdp\n\nv=0\n--b\nContent-Type: application/rs-metadata\n\n<recording/>\n--b--\n"
	b, err = SplitBody(`multipart/mixed;boundary="b"`, []byte(body))
	if err != nil || string(b.SDP) != "v=0" || string(b.Metadata) != "<recording/>" {
		t.Fatalf("LF body: %q %q, %v", b.SDP, b.Metadata, err)
	}
}

func TestMetadataVariants(t *testing.T) {
	// An old-draft style with <aor> elements, no namespace, and Latin-1.
	doc := "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n" +
		"<recording><participant id=\"p1\"><aor>sip:agent-7@pbx</aor><name>Jos\xe9</name>" +
		"<send>s1</send></participant>" +
		"<participant id=\"p2\"><aor>tel:+15551234</aor><send>s2</send></participant>" +
		"<stream id=\"s1\" session=\"x\"><label>10</label></stream>" +
		"<stream id=\"s2\" session=\"x\"><label>11</label></stream></recording>"
	m, err := ParseMetadata([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if m.Participants[0].Name != "José" || m.Participants[0].AORs[0] != "sip:agent-7@pbx" {
		t.Fatalf("participants = %+v", m.Participants)
	}
	offer, err := ParseOffer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 5000 RTP/AVP 0\r\na=label:11\r\nm=audio 5002 RTP/AVP 0\r\na=label:10\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	rule, err := NewAgentRule(`^sip:agent-`)
	if err != nil {
		t.Fatal(err)
	}
	a := rule.Assign(m, offer)
	if a.AgentID != "agent-7" || a.AgentStream != 1 || a.CallerStream != 0 {
		t.Fatalf("assignment = %+v", a)
	}
	// No participant matches: the offer's order decides, with no agentId.
	nobody, _ := NewAgentRule(`^sip:nobody@`)
	a = nobody.Assign(m, offer)
	if a.AgentID != "" || a.Agent != nil || a.CallerStream != 0 || a.AgentStream != 1 {
		t.Fatalf("fallback assignment = %+v", a)
	}
	// Metadata without stream associations: the agent is known, the
	// streams go by order.
	a = rule.Assign(Metadata{Participants: []Participant{{ID: "p", AORs: []string{"sip:agent-9@x"}}}}, offer)
	if a.AgentID != "agent-9" || a.CallerStream != 0 || a.AgentStream != 1 {
		t.Fatalf("assignment without associations = %+v", a)
	}
	if _, err := NewAgentRule("("); err == nil {
		t.Fatal("bad pattern accepted")
	}
}
