package media

import "github.com/pion/rtp"

// resyncThreshold is how far a new packet's timestamp may stray from its
// arrival time before the stream is re-anchored to the wall clock. Sources
// restart timestamps after a hold or a re-INVITE; jitter stays far below.
const resyncThreshold = int64(SampleRate) // one second

// maxPayload bounds the samples one packet may carry (a whole UDP datagram
// of G.711).
const maxPayload = 1500

// StreamStats counts what one stream received.
type StreamStats struct {
	Packets    int64 `json:"packets"`    // packets accepted
	Duplicates int64 `json:"duplicates"` // dropped as already seen
	Late       int64 `json:"late"`       // arrived after their audio was committed
	Early      int64 `json:"early"`      // too far ahead of the commit point to hold
	Ignored    int64 `json:"ignored"`    // no audio: telephone events, unknown payload types
	Lost       int64 `json:"lost"`       // sequence numbers that never arrived
	Resyncs    int64 `json:"resyncs"`    // re-anchored to the wall clock
	SSRCs      int64 `json:"ssrcs"`      // synchronization sources the accepted peer used
	// Foreign counts packets dropped because they came from another
	// address than the stream's negotiated (or latched) source.
	Foreign int64 `json:"foreign"`
	// Unauthenticated counts packets dropped because they failed SRTP
	// authentication or replay checks, or were not SRTP where it was
	// negotiated.
	Unauthenticated int64 `json:"unauthenticated"`
}

// ssrcState follows one synchronization source of a stream: its sequence
// numbers and where its timestamps sit on the timeline.
type ssrcState struct {
	ssrc     uint32
	seq      seqTracker
	anchored bool
	anchor   int64 // timeline position of extended timestamp 0
	refTS    int64 // extended timestamp of the newest packet
	used     uint64
}

// stream turns the RTP packets of one source into samples at positions on
// the conversation timeline: the arrival of the first packet plus the
// timestamp delta at 8 kHz.
//
// Only the accepted peer's packets reach a stream (see Listener), so an
// SSRC change is that peer re-anchoring its media: the new SSRC gets its
// own sequence and anchor, and the previous one is remembered, so its
// stragglers, or its return, still land where they belong.
type stream struct {
	payloads PayloadMap
	srcs     [2]*ssrcState
	uses     uint64
	lostGone int64 // lost packets of sources forgotten
	stats    StreamStats
}

func newStream(payloads PayloadMap) *stream {
	if payloads == nil {
		payloads = DefaultPayloads()
	}
	return &stream{payloads: payloads}
}

// receive returns the G.711 payload of p, its law and the timeline
// position of its first sample; ok is false when the packet adds no
// audio. arrival is the timeline position at which p arrived.
func (s *stream) receive(p *rtp.Packet, arrival int64) (pos int64, payload []byte, law Codec, ok bool) {
	src := s.source(p.SSRC)
	_, newest, v := src.seq.accept(p.SequenceNumber)
	switch v {
	case seqDuplicate:
		s.stats.Duplicates++
		return 0, nil, CodecNone, false
	case seqTooLate, seqProbation:
		s.stats.Late++
		return 0, nil, CodecNone, false
	}
	s.stats.Packets++
	ts := src.extend(p.Timestamp, newest)
	law = s.payloads[p.PayloadType]
	payload = p.Payload[:min(len(p.Payload), maxPayload)]
	if law == CodecEvent && len(payload) > 0 {
		// An event's timestamp is its start, behind its arrival by as
		// long as the key is held: it resynchronizes nothing.
		s.stats.Ignored++
		return src.anchor + ts, payload, law, true
	}
	if newest && src.resync(ts, arrival) {
		s.stats.Resyncs++
	}
	if law == CodecNone || len(payload) == 0 {
		s.stats.Ignored++
		return 0, nil, CodecNone, false
	}
	return src.anchor + ts, payload, law, true
}

// source returns the state of ssrc, starting one for a new SSRC in place
// of the one used least recently.
func (s *stream) source(ssrc uint32) *ssrcState {
	s.uses++
	oldest := 0
	for i, st := range s.srcs {
		if st != nil && st.ssrc == ssrc {
			st.used = s.uses
			return st
		}
		if st == nil || s.srcs[oldest] != nil && st.used < s.srcs[oldest].used {
			oldest = i
		}
	}
	if gone := s.srcs[oldest]; gone != nil {
		s.lostGone += gone.seq.lost()
	}
	st := &ssrcState{ssrc: ssrc, used: s.uses}
	s.srcs[oldest] = st
	s.stats.SSRCs++
	return st
}

// extend unwraps a 32-bit timestamp around the newest one seen.
func (st *ssrcState) extend(ts uint32, newest bool) int64 {
	if !st.anchored {
		st.refTS = int64(ts)
		return st.refTS
	}
	ext := st.refTS + int64(int32(ts-uint32(st.refTS)))
	if newest {
		st.refTS = ext
	}
	return ext
}

// resync anchors the source at its first packet and again whenever the
// newest packet's timestamp strays too far from its arrival. It reports
// whether an anchored source was moved.
func (st *ssrcState) resync(ts, arrival int64) bool {
	if !st.anchored {
		st.anchor, st.anchored = arrival-ts, true
		return false
	}
	drift := st.anchor + ts - arrival
	if drift > resyncThreshold || drift < -resyncThreshold {
		st.anchor = arrival - ts
		return true
	}
	return false
}

// snapshot returns the stream's counters.
func (s *stream) snapshot() StreamStats {
	st := s.stats
	st.Lost = s.lostGone
	for _, src := range s.srcs {
		if src != nil {
			st.Lost += src.seq.lost()
		}
	}
	return st
}
