//go:build pocketsphinx

package asr

// Voice gate settings, in 10 ms frames of 8 kHz audio.
const (
	gateFrame = rate8k / 100
	// gatePreroll is the quiet kept before speech, where words begin softly.
	gatePreroll = 20
	// gateHangover is how much quiet ends an utterance: long enough to
	// bridge the pauses between digit groups' words, short enough that
	// the recognizer restarts between phrases.
	gateHangover = 60
	// gateMaxFrames bounds an utterance, and with it the decoder's memory.
	gateMaxFrames = 20 * 100
)

// gateOp is what the voice gate asks of the recognizer.
type gateOp struct {
	start bool  // begin an utterance whose first sample is at pos
	end   bool  // end the utterance (before audio, if both)
	pos   int64 // timeline position of pcm[0] (or of the new utterance)
	pcm   []int16
}

// voiceGate passes a stream's speech, with some quiet around it, to a
// recognizer in utterances, and skips the silence between them: a caller
// is quiet for half a call while the agent speaks.
type voiceGate struct {
	next   int64 // timeline position expected next; -1 before any audio
	frame  []int16
	fpos   int64 // timeline position of frame[0]
	pre    []int16
	prePos int64
	inUtt  bool
	quiet  int
	frames int
}

func newVoiceGate() *voiceGate { return &voiceGate{next: -1} }

// feed takes audio at pos and returns the recognizer's work, in order.
func (g *voiceGate) feed(pos int64, pcm []int16, ops []gateOp) []gateOp {
	if g.next >= 0 && pos != g.next {
		ops = g.flush(ops)
	}
	if len(g.frame) == 0 {
		g.fpos = pos
	}
	g.next = pos + int64(len(pcm))
	for len(pcm) > 0 {
		n := min(gateFrame-len(g.frame), len(pcm))
		g.frame = append(g.frame, pcm[:n]...)
		pcm = pcm[n:]
		if len(g.frame) == gateFrame {
			ops = g.step(ops)
			g.fpos += gateFrame
			g.frame = g.frame[:0]
		}
	}
	return ops
}

// step decides on one whole frame.
func (g *voiceGate) step(ops []gateOp) []gateOp {
	loud := rms(g.frame) >= speechRMS
	if !g.inUtt {
		if len(g.pre) == 0 {
			g.prePos = g.fpos
		}
		g.pre = append(g.pre, g.frame...)
		if !loud {
			if over := len(g.pre) - gatePreroll*gateFrame; over > 0 {
				g.pre = append(g.pre[:0], g.pre[over:]...)
				g.prePos += int64(over)
			}
			return ops
		}
		g.inUtt, g.quiet, g.frames = true, 0, len(g.pre)/gateFrame
		ops = append(ops, gateOp{start: true, pos: g.prePos}, gateOp{pos: g.prePos, pcm: append([]int16(nil), g.pre...)})
		g.pre = g.pre[:0]
		return ops
	}
	ops = appendAudio(ops, g.fpos, g.frame)
	g.frames++
	if loud {
		g.quiet = 0
	} else {
		g.quiet++
	}
	if g.quiet >= gateHangover || g.frames >= gateMaxFrames {
		g.inUtt = false
		g.pre = g.pre[:0]
		ops = append(ops, gateOp{end: true})
	}
	return ops
}

// appendAudio adds audio to the last op when it continues it.
func appendAudio(ops []gateOp, pos int64, pcm []int16) []gateOp {
	if n := len(ops); n > 0 && !ops[n-1].start && !ops[n-1].end && ops[n-1].pos+int64(len(ops[n-1].pcm)) == pos {
		ops[n-1].pcm = append(ops[n-1].pcm, pcm...)
		return ops
	}
	return append(ops, gateOp{pos: pos, pcm: append([]int16(nil), pcm...)})
}

// flush ends the utterance in progress, dropping a partial frame.
func (g *voiceGate) flush(ops []gateOp) []gateOp {
	if g.inUtt {
		ops = append(ops, gateOp{end: true})
	}
	g.inUtt, g.quiet, g.frames = false, 0, 0
	g.pre, g.frame = g.pre[:0], g.frame[:0]
	g.next = -1
	return ops
}
