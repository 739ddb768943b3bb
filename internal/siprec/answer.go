package siprec

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/pion/sdp/v3"
)

// AnswerOptions are the recorder's side of an answer.
type AnswerOptions struct {
	// Addr is where the recorder receives RTP (c= and o= lines).
	Addr netip.Addr
	// Ports maps an offered stream's Index to the local RTP port receiving
	// it. A stream without a port is refused (port 0 in the answer).
	Ports map[int]int
	// SessionID and Version fill the o= line; a new answer within the same
	// dialog keeps the SessionID and increments the Version.
	SessionID, Version uint64
}

// BuildAnswer answers offer o: one m= line per offered line, in order
// (RFC 3264). Each accepted stream lists only the codecs the recorder takes
// and is recvonly, or inactive where the offer made it inactive or
// recvonly, since the answer may not add a direction the offer lacks.
// Without any accepted stream the answer is a 488 error.
func BuildAnswer(o Offer, opts AnswerOptions) ([]byte, error) {
	if !opts.Addr.IsValid() {
		return nil, errors.New("siprec: answer needs the recorder's address")
	}
	addrType := "IP4"
	if opts.Addr.Is6() && !opts.Addr.Is4In6() {
		addrType = "IP6"
	}
	addr := opts.Addr.Unmap().String()
	sd := &sdp.SessionDescription{
		Origin: sdp.Origin{
			Username: "hush", SessionID: opts.SessionID, SessionVersion: opts.Version,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: addr,
		},
		SessionName: "hush",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: addr},
		},
		TimeDescriptions: []sdp.TimeDescription{{}},
	}
	accepted := 0
	for _, s := range o.Streams {
		port, ok := opts.Ports[s.Index]
		if !ok || port <= 0 || port > 65535 || !s.Acceptable() {
			sd.MediaDescriptions = append(sd.MediaDescriptions, refused(s))
			continue
		}
		md, err := accept(s, port)
		if err != nil {
			return nil, err
		}
		sd.MediaDescriptions = append(sd.MediaDescriptions, md)
		accepted++
	}
	if accepted == 0 {
		return nil, notAcceptable("no stream of the offer can be received")
	}
	b, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("siprec: marshal answer: %w", err)
	}
	return b, nil
}

func accept(s Stream, port int) (*sdp.MediaDescription, error) {
	md := &sdp.MediaDescription{
		MediaName: sdp.MediaName{Media: "audio", Port: sdp.RangedPort{Value: port}, Protos: []string{"RTP", "AVP"}},
	}
	if s.Proto == ProtoSAVP {
		md.MediaName.Protos = []string{"RTP", "SAVP"}
		c, err := answerCrypto(*s.Crypto)
		if err != nil {
			return nil, err
		}
		md.Attributes = append(md.Attributes, sdp.NewAttribute("crypto", c))
	}
	for _, c := range s.Accepted() {
		pt := strconv.Itoa(int(c.PT))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap", fmt.Sprintf("%s %s/%d", pt, c.Name, c.Rate)))
		if c.Fmtp != "" {
			md.Attributes = append(md.Attributes, sdp.NewAttribute("fmtp", pt+" "+c.Fmtp))
		}
	}
	if s.Label != "" {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("label", s.Label))
	}
	dir := RecvOnly
	if s.Direction == Inactive || s.Direction == RecvOnly {
		dir = Inactive
	}
	md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute(string(dir)))
	return md, nil
}

// refused answers a stream with port 0, keeping one of its formats as RFC
// 3264 asks.
func refused(s Stream) *sdp.MediaDescription {
	media, proto := s.Media, s.Proto
	if media == "" {
		media = "audio"
	}
	protos := []string{"RTP", "AVP"}
	if proto != "" {
		protos = []string{proto}
	}
	format := "0"
	if len(s.Formats) > 0 {
		format = s.Formats[0]
	}
	return &sdp.MediaDescription{
		MediaName: sdp.MediaName{Media: media, Port: sdp.RangedPort{Value: 0}, Protos: protos, Formats: []string{format}},
	}
}
