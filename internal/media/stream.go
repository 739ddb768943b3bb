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
}

// stream turns the RTP packets of one source into samples at positions on
// the conversation timeline: the arrival of the first packet plus the
// timestamp delta at 8 kHz.
type stream struct {
	payloads PayloadMap
	ssrc     uint32
	oldSSRC  uint32
	hasSSRC  bool
	hasOld   bool
	seq      seqTracker
	anchored bool
	anchor   int64 // timeline position of extended timestamp 0
	refTS    int64 // extended timestamp of the newest packet
	stats    StreamStats
	scratch  [maxPayload]int16
}

func newStream(payloads PayloadMap) *stream {
	if payloads == nil {
		payloads = DefaultPayloads()
	}
	return &stream{payloads: payloads}
}

// receive returns the decoded samples of p and the timeline position of the
// first one; ok is false when the packet adds no audio. arrival is the
// timeline position at which p arrived. The samples are valid until the
// next call.
func (s *stream) receive(p *rtp.Packet, arrival int64) (pos int64, pcm []int16, ok bool) {
	if !s.source(p.SSRC) {
		s.stats.Late++
		return 0, nil, false
	}
	_, newest, v := s.seq.accept(p.SequenceNumber)
	switch v {
	case seqDuplicate:
		s.stats.Duplicates++
		return 0, nil, false
	case seqTooLate, seqProbation:
		s.stats.Late++
		return 0, nil, false
	}
	s.stats.Packets++
	ts := s.extend(p.Timestamp, newest)
	if newest {
		s.resync(ts, arrival)
	}
	n := Decode(s.payloads[p.PayloadType], p.Payload, s.scratch[:])
	if n == 0 {
		s.stats.Ignored++
		return 0, nil, false
	}
	return s.anchor + ts, s.scratch[:n], true
}

// source follows SSRC changes: a new source starts a new sequence and a new
// anchor; stragglers of the previous source are dropped.
func (s *stream) source(ssrc uint32) bool {
	switch {
	case !s.hasSSRC:
		s.ssrc, s.hasSSRC = ssrc, true
	case ssrc == s.ssrc:
	case s.hasOld && ssrc == s.oldSSRC:
		return false
	default:
		s.oldSSRC, s.hasOld = s.ssrc, true
		s.ssrc = ssrc
		s.seq.reset()
		s.anchored = false
	}
	return true
}

// extend unwraps a 32-bit timestamp around the newest one seen.
func (s *stream) extend(ts uint32, newest bool) int64 {
	if !s.anchored {
		s.refTS = int64(ts)
		return s.refTS
	}
	ext := s.refTS + int64(int32(ts-uint32(s.refTS)))
	if newest {
		s.refTS = ext
	}
	return ext
}

// resync anchors the stream at its first packet and again whenever the
// newest packet's timestamp strays too far from its arrival.
func (s *stream) resync(ts, arrival int64) {
	if !s.anchored {
		s.anchor, s.anchored = arrival-ts, true
		return
	}
	drift := s.anchor + ts - arrival
	if drift > resyncThreshold || drift < -resyncThreshold {
		s.anchor = arrival - ts
		s.stats.Resyncs++
	}
}

// snapshot returns the stream's counters.
func (s *stream) snapshot() StreamStats {
	st := s.stats
	st.Lost = s.seq.lost()
	return st
}
