package asr

import "math"

// Segmentation settings, in samples at 8 kHz.
const (
	rate8k = 8000
	// speechRMS is the frame energy above which a frame counts as speech:
	// about -40 dBFS, well above line noise and G.711's idle pattern.
	speechRMS = 330
	// hangover is how much quiet ends an utterance.
	hangover = rate8k * 4 / 10
	// preroll keeps the quiet just before speech, where words begin softly.
	preroll = rate8k / 10
	// minSpeech is the shortest utterance passed on; shorter bursts are
	// clicks and coughs.
	minSpeech = rate8k / 5
	// maxUtterance splits long monologues so transcripts keep flowing.
	maxUtterance = rate8k * 15
)

// segmenter cuts one channel's audio into utterances by energy. Audio
// that is not contiguous (a pause closed the gate in between) ends the
// utterance, so no utterance spans a pause. A segmenter that does not keep
// audio (for engines that need none) only times the utterances.
type segmenter struct {
	keep    bool
	next    int64 // timeline position expected next; -1 before any audio
	start   int64 // timeline position of the utterance (or preroll) start
	length  int   // samples since start
	buf     []int16
	speech  bool
	quiet   int   // samples of quiet since the last speech
	lastEnd int64 // position just after the last speech sample
}

// utterance is speech cut out of a channel.
type utterance struct {
	offset int64   // timeline position of its first sample
	n      int     // its length in samples
	pcm    []int16 // its samples, when the segmenter keeps them
}

func newSegmenter(keep bool) *segmenter { return &segmenter{keep: keep, next: -1} }

// write adds audio at timeline position offset and returns the
// utterances it completes.
func (s *segmenter) write(offset int64, pcm []int16) []utterance {
	var out []utterance
	if s.next >= 0 && offset != s.next {
		out = s.flush(out)
	}
	s.next = offset + int64(len(pcm))
	loud := rms(pcm) >= speechRMS
	if !s.speech {
		if !loud {
			s.keepPreroll(offset, pcm)
			return out
		}
		s.speech = true
		s.quiet = 0
	}
	s.add(offset, pcm)
	if loud {
		s.quiet = 0
		s.lastEnd = offset + int64(len(pcm))
	} else {
		s.quiet += len(pcm)
	}
	if s.quiet >= hangover || s.length >= maxUtterance {
		out = s.flush(out)
	}
	return out
}

func (s *segmenter) add(offset int64, pcm []int16) {
	if s.length == 0 {
		s.start = offset
	}
	s.length += len(pcm)
	if s.keep {
		s.buf = append(s.buf, pcm...)
	}
}

// keepPreroll remembers the last moments of quiet before speech.
func (s *segmenter) keepPreroll(offset int64, pcm []int16) {
	if s.length > 0 && s.start+int64(s.length) != offset {
		s.reset()
	}
	s.add(offset, pcm)
	if over := s.length - preroll; over > 0 {
		if s.keep {
			s.buf = append(s.buf[:0], s.buf[over:]...)
		}
		s.start += int64(over)
		s.length -= over
	}
}

// flush ends the current utterance, if it is long enough to keep.
func (s *segmenter) flush(out []utterance) []utterance {
	if s.speech {
		end := int(s.lastEnd - s.start)
		if end >= minSpeech && end <= s.length {
			u := utterance{offset: s.start, n: end}
			if s.keep {
				u.pcm = append([]int16(nil), s.buf[:end]...)
			}
			out = append(out, u)
		}
	}
	s.reset()
	return out
}

func (s *segmenter) reset() {
	s.buf = s.buf[:0]
	s.length = 0
	s.speech = false
	s.quiet = 0
}

func rms(pcm []int16) float64 {
	if len(pcm) == 0 {
		return 0
	}
	// Summed in integers, a cycle an addition; the sum is exact either way
	// (below 2⁵³), so the result is the same.
	var sum int64
	for _, v := range pcm {
		sum += int64(v) * int64(v)
	}
	return math.Sqrt(float64(sum) / float64(len(pcm)))
}
