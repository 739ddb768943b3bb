package siprec

import (
	"net/netip"
	"testing"
)

func FuzzParseSDP(f *testing.F) {
	f.Add([]byte(holdOffer))
	f.Fuzz(func(t *testing.T, b []byte) {
		offer, err := ParseOffer(b)
		if err != nil {
			if Status(err) != StatusBadRequest {
				t.Fatalf("parse error with status %d: %v", Status(err), err)
			}
			return
		}
		ports := map[int]int{}
		for _, s := range offer.Streams {
			ports[s.Index] = 30000 + 2*s.Index
		}
		answer, err := BuildAnswer(offer, AnswerOptions{Addr: netip.MustParseAddr("127.0.0.1"), Ports: ports})
		if err != nil {
			if Status(err) != StatusNotAcceptableHere {
				t.Fatalf("answer error with status %d: %v", Status(err), err)
			}
			return
		}
		back, err := ParseOffer(answer)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, answer)
		}
		if len(back.Streams) != len(offer.Streams) {
			t.Fatalf("answer has %d m= lines for %d offered", len(back.Streams), len(offer.Streams))
		}
		for i, s := range back.Streams {
			if s.Port != 0 && (s.Direction != RecvOnly && s.Direction != Inactive || !offer.Streams[i].Acceptable()) {
				t.Fatalf("answered stream %d: %+v", i, s)
			}
		}
	})
}

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte("<recording><participant id='a'><aor>sip:agent-1@x</aor><send>s</send></participant><stream id='s'><label>1</label></stream></recording>"))
	offer, err := ParseOffer([]byte("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" +
		"m=audio 5000 RTP/AVP 0\r\na=label:1\r\nm=audio 5002 RTP/AVP 0\r\na=label:2\r\n"))
	if err != nil {
		f.Fatal(err)
	}
	rule, err := NewAgentRule(`^sips?:(?P<agent>[^@]*agent[^@]*)@`)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMetadata(b)
		if err != nil {
			if Status(err) != StatusBadRequest {
				t.Fatalf("error with status %d: %v", Status(err), err)
			}
			return
		}
		a := rule.Assign(m, offer)
		if a.CallerStream == a.AgentStream || a.CallerStream < 0 || a.AgentStream < 0 ||
			a.CallerStream > 1 || a.AgentStream > 1 {
			t.Fatalf("two streams assigned as %d (caller), %d (agent)", a.CallerStream, a.AgentStream)
		}
		if (a.Agent == nil) != (a.AgentID == "") {
			t.Fatalf("agent %+v with agentId %q", a.Agent, a.AgentID)
		}
	})
}

func FuzzSplitBody(f *testing.F) {
	f.Add("multipart/mixed;boundary=b", []byte("--b\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b--\r\n"))
	f.Fuzz(func(t *testing.T, contentType string, b []byte) {
		body, err := SplitBody(contentType, b)
		if err != nil {
			if s := Status(err); s != StatusBadRequest && s != StatusUnsupportedMediaType {
				t.Fatalf("error with status %d: %v", s, err)
			}
			return
		}
		if body.SDP != nil {
			if _, err := ParseOffer(body.SDP); err != nil && Status(err) != StatusBadRequest {
				t.Fatal(err)
			}
		}
		if body.Metadata != nil {
			if _, err := ParseMetadata(body.Metadata); err != nil && Status(err) != StatusBadRequest {
				t.Fatal(err)
			}
		}
	})
}
