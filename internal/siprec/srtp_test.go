package siprec

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/hush-cc/hush/internal/media"
)

var testKey = base64.StdEncoding.EncodeToString([]byte("0123456789abcdefghijklmnopqrst"))

func savpOffer(proto string, crypto ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "v=0\r\no=src 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n")
	fmt.Fprintf(&b, "m=audio 40000 %s 0\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n", proto)
	for _, c := range crypto {
		fmt.Fprintf(&b, "a=crypto:%s\r\n", c)
	}
	return b.String()
}

func TestParseCrypto(t *testing.T) {
	cases := []struct {
		in       string
		ok, fail bool
		suite    string
	}{
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey, ok: true, suite: media.SuiteAES128SHA1_80},
		{in: "7 AES_CM_128_HMAC_SHA1_32 inline:" + testKey + "|2^31", ok: true, suite: media.SuiteAES128SHA1_32},
		{in: "1 AES_256_CM_HMAC_SHA1_80 inline:" + testKey},               // another suite: skipped
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^20|1:4"}, // an MKI: skipped
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + " KDR=1"},    // session parameters: skipped
		{in: "1 AES_CM_128_HMAC_SHA1_80", fail: true},
		{in: "x AES_CM_128_HMAC_SHA1_80 inline:" + testKey, fail: true},
		{in: "1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", fail: true},
		{in: "1 AES_CM_128_HMAC_SHA1_80 uri:" + testKey, fail: true},
	}
	for _, c := range cases {
		got, ok, err := parseCrypto(c.in)
		if (err != nil) != c.fail || ok != c.ok || ok && got.Key.Suite != c.suite {
			t.Errorf("parseCrypto(%q) = %v, %v, %v", c.in, got, ok, err)
		}
	}
}

// An SRTP offer is answered RTP/SAVP with a crypto line of the same tag
// and suite and a key of the recorder's own; the offer's key is the one
// the listener decrypts with.
func TestSRTPAnswer(t *testing.T) {
	s := &Server{cfg: Config{SRTP: SRTPRequired}}
	o, err := s.parseOffer([]byte(savpOffer(ProtoSAVP, "3 AES_256_CM_HMAC_SHA1_80 inline:"+testKey, "4 AES_CM_128_HMAC_SHA1_32 inline:"+testKey)))
	if err != nil {
		t.Fatal(err)
	}
	st := o.Streams[0]
	if !st.Acceptable() || st.Crypto == nil || st.Crypto.Tag != 4 {
		t.Fatalf("stream %+v", st)
	}
	p := st.peer(false)
	if p.Addr != netip.MustParseAddrPort("192.0.2.10:40000") || p.SRTP == nil || !bytes.Equal(p.SRTP.Key, []byte("0123456789abcdefghijklmnopqrst")) || !p.Sending {
		t.Fatalf("peer %+v", p)
	}
	answer, err := BuildAnswer(o, AnswerOptions{Addr: netip.MustParseAddr("127.0.0.1"), Ports: map[int]int{0: 30000}})
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseOffer(answer)
	if err != nil {
		t.Fatal(err)
	}
	a := back.Streams[0]
	if a.Proto != ProtoSAVP || a.Crypto == nil || a.Crypto.Tag != 4 || a.Crypto.Key.Suite != media.SuiteAES128SHA1_32 ||
		bytes.Equal(a.Crypto.Key.Key, p.SRTP.Key) {
		t.Fatalf("answer stream %+v\n%s", a, answer)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", st, st, st), testKey) || strings.Contains(fmt.Sprint(p), "0123456789") {
		t.Fatal("a key is printed")
	}
}

func TestSRTPPolicy(t *testing.T) {
	plain, savp := savpOffer(ProtoAVP), savpOffer(ProtoSAVP, "1 AES_CM_128_HMAC_SHA1_80 inline:"+testKey)
	cases := []struct {
		policy SRTPPolicy
		offer  string
		ok     bool
	}{
		{SRTPOff, plain, true}, {SRTPOff, savp, false},
		{SRTPOptional, plain, true}, {SRTPOptional, savp, true},
		{SRTPRequired, plain, false}, {SRTPRequired, savp, true},
		{SRTPRequired, savpOffer(ProtoSAVP), false}, // no usable key
	}
	for _, c := range cases {
		s := &Server{cfg: Config{SRTP: c.policy}}
		o, err := s.parseOffer([]byte(c.offer))
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.Acceptable()
		if (err == nil) != c.ok || err != nil && Status(err) != StatusNotAcceptableHere {
			t.Errorf("policy %s, offer %s: %v", c.policy, o.Streams[0].Proto, err)
		}
	}
	if _, err := ParseSRTPPolicy("sometimes"); err == nil {
		t.Fatal("bad policy accepted")
	}
}

func FuzzParseCrypto(f *testing.F) {
	f.Add("1 AES_CM_128_HMAC_SHA1_80 inline:" + testKey + "|2^20")
	f.Fuzz(func(t *testing.T, v string) {
		c, ok, err := parseCrypto(v)
		if err != nil && Status(err) != StatusBadRequest {
			t.Fatalf("error with status %d: %v", Status(err), err)
		}
		if ok && (len(c.Key.Key) != media.SRTPKeyLen || strings.Contains(c.String(), base64.StdEncoding.EncodeToString(c.Key.Key))) {
			t.Fatalf("crypto %v", c)
		}
	})
}
