package media

import "github.com/zaf/g711"

// Codec is an audio encoding the recorder decodes.
type Codec uint8

// Codecs. CodecNone marks payloads that carry no audio to record, such as
// RFC 4733 telephone events and comfort noise.
const (
	CodecNone Codec = iota
	CodecPCMU
	CodecPCMA
	// CodecEvent is RFC 4733 telephone events: no audio, but the keys
	// the digit detectors read.
	CodecEvent
)

// Static RTP payload types of G.711 (RFC 3551).
const (
	PayloadPCMU = 0
	PayloadPCMA = 8
)

// PayloadMap maps RTP payload types to codecs. Payload types not in the map
// are accepted and ignored, which is how telephone-event packets are
// handled: they keep their place in the sequence but add no audio.
type PayloadMap map[uint8]Codec

// DefaultPayloads maps the static G.711 payload types.
func DefaultPayloads() PayloadMap {
	return PayloadMap{PayloadPCMU: CodecPCMU, PayloadPCMA: CodecPCMA}
}

// Decoding tables of the two laws, filled once from the reference decoder.
var ulaw, alaw = func() (u, a [256]int16) {
	for i := range 256 {
		u[i], a[i] = g711.DecodeUlawFrame(byte(i)), g711.DecodeAlawFrame(byte(i))
	}
	return u, a
}()

// Decode decodes a G.711 payload into dst and returns the samples written.
// It stops at the end of dst; other codecs decode to nothing.
func Decode(c Codec, payload []byte, dst []int16) int {
	n := min(len(payload), len(dst))
	var table *[256]int16
	switch c {
	case CodecPCMU:
		table = &ulaw
	case CodecPCMA:
		table = &alaw
	default:
		return 0
	}
	for i, b := range payload[:n] {
		dst[i] = table[b]
	}
	return n
}
