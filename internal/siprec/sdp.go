package siprec

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Direction is an SDP media direction (RFC 3264).
type Direction string

// Directions.
const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

// Codec is one payload format offered on a stream.
type Codec struct {
	PT       uint8
	Name     string // as in the rtpmap, e.g. PCMU, telephone-event
	Rate     int
	Channels int
	Fmtp     string
}

// Codec names the recorder accepts.
const (
	CodecPCMU           = "PCMU"
	CodecPCMA           = "PCMA"
	CodecTelephoneEvent = "telephone-event"
)

// audio reports whether the recorder decodes c.
func (c Codec) audio() bool {
	return c.Rate == 8000 && c.Channels <= 1 &&
		(strings.EqualFold(c.Name, CodecPCMU) || strings.EqualFold(c.Name, CodecPCMA))
}

// event reports whether c is RFC 4733 telephone-event at 8 kHz.
func (c Codec) event() bool {
	return c.Rate == 8000 && strings.EqualFold(c.Name, CodecTelephoneEvent)
}

// Stream is one m= line of an offer.
type Stream struct {
	Index     int    // position among the offer's m= lines
	Media     string // audio, video, ...
	Port      int
	Proto     string // RTP/AVP, ...
	Formats   []string
	Label     string // a=label, which the metadata refers to
	Host      string // connection address, media level else session level
	Addr      netip.Addr
	Direction Direction
	Codecs    []Codec // in offer order; empty for non-RTP media
	// Crypto is the first a=crypto line of an RTP/SAVP stream the recorder
	// can use; nil when there is none.
	Crypto *Crypto
	// policy is the recorder's SRTP policy, which parseOffer applies.
	policy SRTPPolicy
}

// Media transports.
const (
	ProtoAVP  = "RTP/AVP"
	ProtoSAVP = "RTP/SAVP"
)

// Acceptable reports whether the recorder can receive s: audio with a
// G.711 codec at 8 kHz, over plain RTP or SDES-SRTP as the SRTP policy
// allows.
func (s Stream) Acceptable() bool {
	if s.Media != "audio" || s.Port == 0 || !s.transportAllowed() {
		return false
	}
	for _, c := range s.Codecs {
		if c.audio() {
			return true
		}
	}
	return false
}

// transportAllowed reports whether the SRTP policy takes s's transport.
func (s Stream) transportAllowed() bool {
	switch s.Proto {
	case ProtoAVP:
		return s.policy != SRTPRequired
	case ProtoSAVP:
		return s.policy != SRTPOff && s.Crypto != nil
	}
	return false
}

// source returns the address and port the offer named for s.
func (s Stream) source() netip.AddrPort {
	if !s.Addr.IsValid() {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(s.Addr.Unmap(), uint16(s.Port))
}

// Accepted returns the codecs of s the recorder takes, in offer order: the
// G.711 ones and telephone-event.
func (s Stream) Accepted() []Codec {
	var out []Codec
	for _, c := range s.Codecs {
		if c.audio() || c.event() {
			out = append(out, c)
		}
	}
	return out
}

// Sending reports whether the client is sending media on s. A stream set to
// inactive or recvonly, or put on hold the RFC 2543 way with c=0.0.0.0, is
// not: for the recorder its source has stopped.
func (s Stream) Sending() bool {
	if s.Port == 0 || s.Addr.IsValid() && s.Addr.IsUnspecified() {
		return false
	}
	return s.Direction == SendOnly || s.Direction == SendRecv
}

// Offer is a parsed SDP offer.
type Offer struct {
	Origin  sdp.Origin
	Streams []Stream
}

// Acceptable returns the streams the recorder can receive, or a 488 error
// when there are none.
func (o Offer) Acceptable() ([]Stream, error) {
	var out []Stream
	for _, s := range o.Streams {
		if s.Acceptable() {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		for _, s := range o.Streams {
			if s.Media == "audio" && s.Proto == ProtoAVP && s.policy == SRTPRequired {
				return nil, notAcceptable("plain RTP offered; this recorder requires SRTP (RTP/SAVP with a=crypto)")
			}
		}
		return nil, notAcceptable("no G.711 audio stream on RTP/AVP or RTP/SAVP the recorder takes")
	}
	return out, nil
}

// ParseOffer parses an SDP offer. Malformed SDP is a 400 error.
func ParseOffer(b []byte) (o Offer, err error) {
	if len(b) > MaxBodySize {
		return Offer{}, malformed("sdp of %d bytes", len(b))
	}
	// pion/sdp needs the last line terminated, and a multipart part loses
	// its final CRLF to the boundary that follows it.
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(bytes.Clone(b), '\r', '\n')
	}
	var sd sdp.SessionDescription
	if err := unmarshalSDP(&sd, b); err != nil {
		return Offer{}, malformed("sdp: %v", err)
	}
	o.Origin = sd.Origin
	for i, md := range sd.MediaDescriptions {
		s, err := parseStream(i, md, &sd)
		if err != nil {
			return Offer{}, err
		}
		o.Streams = append(o.Streams, s)
	}
	return o, nil
}

// unmarshalSDP runs the third-party parser, turning a panic on hostile
// input into an error: a peer must never crash the recorder.
func unmarshalSDP(sd *sdp.SessionDescription, b []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unparsable: %v", r)
		}
	}()
	return sd.Unmarshal(b)
}

func parseStream(i int, md *sdp.MediaDescription, sd *sdp.SessionDescription) (Stream, error) {
	s := Stream{
		Index:   i,
		Media:   md.MediaName.Media,
		Port:    md.MediaName.Port.Value,
		Proto:   strings.Join(md.MediaName.Protos, "/"),
		Formats: md.MediaName.Formats,
	}
	if s.Port < 0 || s.Port > 65535 {
		return Stream{}, malformed("m=%s port %d", s.Media, s.Port)
	}
	s.Label, _ = md.Attribute("label")
	s.Host, s.Addr = connection(md.ConnectionInformation, sd.ConnectionInformation)
	if s.Host == "" && s.Port != 0 {
		return Stream{}, malformed("m=%s line %d has no connection address", s.Media, i+1)
	}
	s.Direction = direction(md.Attributes, sd.Attributes)
	if strings.HasPrefix(s.Proto, "RTP/") {
		codecs, err := codecs(md)
		if err != nil {
			return Stream{}, err
		}
		s.Codecs = codecs
	}
	if s.Proto == ProtoSAVP {
		for _, a := range md.Attributes {
			if a.Key != "crypto" {
				continue
			}
			c, ok, err := parseCrypto(a.Value)
			if err != nil {
				return Stream{}, err
			}
			if ok {
				s.Crypto = &c
				break
			}
		}
	}
	return s, nil
}

func connection(media, session *sdp.ConnectionInformation) (string, netip.Addr) {
	c := media
	if c == nil || c.Address == nil {
		c = session
	}
	if c == nil || c.Address == nil {
		return "", netip.Addr{}
	}
	host := c.Address.Address
	addr, _ := netip.ParseAddr(host)
	return host, addr
}

func direction(media, session []sdp.Attribute) Direction {
	for _, attrs := range [][]sdp.Attribute{media, session} {
		for _, a := range attrs {
			switch d := Direction(a.Key); d {
			case SendRecv, SendOnly, RecvOnly, Inactive:
				return d
			}
		}
	}
	return SendRecv
}

// staticCodecs are the RTP/AVP static payload types (RFC 3551) an offer may
// use without an rtpmap.
var staticCodecs = map[uint8]Codec{
	0:  {PT: 0, Name: CodecPCMU, Rate: 8000},
	3:  {PT: 3, Name: "GSM", Rate: 8000},
	4:  {PT: 4, Name: "G723", Rate: 8000},
	8:  {PT: 8, Name: CodecPCMA, Rate: 8000},
	9:  {PT: 9, Name: "G722", Rate: 8000},
	13: {PT: 13, Name: "CN", Rate: 8000},
	18: {PT: 18, Name: "G729", Rate: 8000},
}

func codecs(md *sdp.MediaDescription) ([]Codec, error) {
	maps, fmtps := map[uint8]Codec{}, map[uint8]string{}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap":
			c, err := parseRTPMap(a.Value)
			if err != nil {
				return nil, err
			}
			maps[c.PT] = c
		case "fmtp":
			pt, rest, _ := strings.Cut(a.Value, " ")
			if n, err := strconv.ParseUint(pt, 10, 7); err == nil {
				fmtps[uint8(n)] = strings.TrimSpace(rest)
			}
		}
	}
	var out []Codec
	for _, f := range md.MediaName.Formats {
		n, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			return nil, malformed("m=%s payload type %q", md.MediaName.Media, f)
		}
		pt := uint8(n)
		c, ok := maps[pt]
		if !ok {
			c, ok = staticCodecs[pt]
		}
		if !ok {
			c = Codec{PT: pt}
		}
		c.Fmtp = fmtps[pt]
		out = append(out, c)
	}
	return out, nil
}

// parseRTPMap parses "<pt> <name>/<rate>[/<channels>]".
func parseRTPMap(v string) (Codec, error) {
	pt, enc, ok := strings.Cut(strings.TrimSpace(v), " ")
	n, err := strconv.ParseUint(pt, 10, 7)
	if !ok || err != nil {
		return Codec{}, malformed("rtpmap %q", v)
	}
	parts := strings.Split(strings.TrimSpace(enc), "/")
	c := Codec{PT: uint8(n), Name: parts[0]}
	if len(parts) < 2 || len(parts) > 3 || c.Name == "" {
		return Codec{}, malformed("rtpmap %q", v)
	}
	if c.Rate, err = strconv.Atoi(parts[1]); err != nil || c.Rate <= 0 {
		return Codec{}, malformed("rtpmap %q: clock rate", v)
	}
	if len(parts) == 3 {
		if c.Channels, err = strconv.Atoi(parts[2]); err != nil || c.Channels <= 0 {
			return Codec{}, malformed("rtpmap %q: channels", v)
		}
	}
	return c, nil
}
