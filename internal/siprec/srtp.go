package siprec

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/hush-cc/hush/internal/media"
)

// SRTPPolicy says which media transports the recorder takes.
type SRTPPolicy string

// SRTP policies. The empty policy is SRTPOptional.
const (
	// SRTPOff takes plain RTP (RTP/AVP) only.
	SRTPOff SRTPPolicy = "off"
	// SRTPOptional takes SDES-SRTP (RTP/SAVP with a=crypto) and plain RTP.
	SRTPOptional SRTPPolicy = "optional"
	// SRTPRequired takes SDES-SRTP only: an offer of plain RTP alone is
	// answered 488.
	SRTPRequired SRTPPolicy = "required"
)

// ParseSRTPPolicy parses --srtp.
func ParseSRTPPolicy(s string) (SRTPPolicy, error) {
	switch p := SRTPPolicy(s); p {
	case SRTPOff, SRTPOptional, SRTPRequired:
		return p, nil
	case "":
		return SRTPOptional, nil
	}
	return "", fmt.Errorf("srtp policy %q: want off, optional or required", s)
}

// Crypto is one a=crypto line of an offer (RFC 4568) that the recorder
// can use: a supported suite with a single inline key. Its String names
// the suite only: keys are never logged.
type Crypto struct {
	Tag int
	Key media.SRTPKey
}

// String names the tag and suite, never the key.
func (c Crypto) String() string { return strconv.Itoa(c.Tag) + " " + c.Key.Suite }

// GoString names the tag and suite, never the key.
func (c Crypto) GoString() string { return "siprec.Crypto{" + c.String() + "}" }

// parseCrypto parses the value of an a=crypto attribute:
// "<tag> <suite> inline:<key||salt>[|lifetime][|MKI:len] [params]". ok is
// false for a line the recorder cannot use (another suite, several keys,
// an MKI, session parameters), which the offerer may have meant as one
// choice among others; a line that breaks the grammar is an error.
func parseCrypto(v string) (c Crypto, ok bool, err error) {
	fields := strings.Fields(v)
	if len(fields) < 3 {
		return Crypto{}, false, malformed("a=crypto needs a tag, a suite and key parameters")
	}
	tag, err := strconv.Atoi(fields[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return Crypto{}, false, malformed("a=crypto tag %q", clip(fields[0], 16))
	}
	suite := fields[1]
	if suite != media.SuiteAES128SHA1_80 && suite != media.SuiteAES128SHA1_32 {
		return Crypto{}, false, nil
	}
	if len(fields) > 3 || strings.Contains(fields[2], ";") {
		return Crypto{}, false, nil
	}
	method, info, found := strings.Cut(fields[2], ":")
	if !found || !strings.EqualFold(method, "inline") {
		return Crypto{}, false, malformed("a=crypto key method is not inline")
	}
	parts := strings.Split(info, "|")
	if len(parts) > 2 || len(parts) == 2 && strings.Contains(parts[1], ":") {
		return Crypto{}, false, nil // an MKI: one key per stream only
	}
	key, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(parts[0])
	}
	if err != nil || len(key) != media.SRTPKeyLen {
		return Crypto{}, false, malformed("a=crypto key is not %d bytes of base64", media.SRTPKeyLen)
	}
	return Crypto{Tag: tag, Key: media.SRTPKey{Suite: suite, Key: key}}, true, nil
}

// answerCrypto returns the a=crypto value answering c: the same tag and
// suite with a fresh key of the recorder's own. The recorder sends no
// media, but RFC 4568 has the answer carry a key all the same.
func answerCrypto(c Crypto) (string, error) {
	key := make([]byte, media.SRTPKeyLen)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("siprec: srtp key: %w", err)
	}
	return fmt.Sprintf("%d %s inline:%s", c.Tag, c.Key.Suite, base64.StdEncoding.EncodeToString(key)), nil
}

// parseOffer parses an offer and applies the recorder's SRTP policy to
// its streams.
func (s *Server) parseOffer(b []byte) (Offer, error) {
	o, err := ParseOffer(b)
	if err != nil {
		return Offer{}, err
	}
	for i := range o.Streams {
		o.Streams[i].policy = s.cfg.SRTP
	}
	return o, nil
}

// peer says whose RTP the stream's listener takes, from the offer: the
// address and port it named (or, latching, the first source), its SRTP
// key, and whether it should be sending.
func (st Stream) peer(latch bool) media.Peer {
	p := media.Peer{Addr: st.source(), Latch: latch, Sending: st.Sending()}
	if st.Proto == ProtoSAVP && st.Crypto != nil {
		p.SRTP = &st.Crypto.Key
	}
	return p
}
