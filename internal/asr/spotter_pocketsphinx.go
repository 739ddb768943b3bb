//go:build pocketsphinx

package asr

/*
#cgo pkg-config: pocketsphinx
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>

static ps_decoder_t *hush_ps_new_argv(int argc, char **argv) {
	cmd_ln_t *config = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
	if (config == NULL) {
		return NULL;
	}
	ps_decoder_t *ps = ps_init(config);
	cmd_ln_free_r(config);
	return ps;
}

typedef struct {
	char word[24];
	int sf, ef;
} hush_seg;

// hush_segs copies the words of the utterance's best hypothesis so far,
// with their frames.
static int hush_segs(ps_decoder_t *ps, hush_seg *out, int max) {
	int32 score;
	int n = 0;
	if (ps_get_hyp(ps, &score) == NULL) {
		return 0;
	}
	for (ps_seg_t *s = ps_seg_iter(ps); s != NULL; s = ps_seg_next(s)) {
		if (n == max) {
			ps_seg_free(s);
			break;
		}
		ps_seg_frames(s, &out[n].sf, &out[n].ef);
		strncpy(out[n].word, ps_seg_word(s), sizeof out[n].word - 1);
		out[n].word[sizeof out[n].word - 1] = 0;
		n++;
	}
	return n;
}
*/
import "C"

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"github.com/hush-cc/hush/internal/detect"
)

// SpokenDigits reports whether this build can spot spoken digits.
const SpokenDigits = true

// SpokenDigitsNote says, for help texts and logs, what this build does
// with digits read aloud.
const SpokenDigitsNote = "this build can spot digits read aloud on the caller's stream (pocketsphinx)"

const (
	maxSegs = 256
	// frameLen is a decoder frame, in 16 kHz samples.
	frameLen = 160
	// stableFrames is how far behind the newest audio a word of the best
	// hypothesis must end to be taken before the utterance ends: the
	// hypothesis still changes near its end.
	stableFrames = 30
	// minSequence is how many digit words in a row, with no other word
	// between them, the spotter reports: ordinary talk decodes to single
	// digit words ("one of them", "two thousand and one") far more often
	// than to strings of them.
	minSequence = 3
)

// spotMLLR adapts Debian's en-us model, made from 16 kHz speech, to the
// telephone line's audio as the spotter widens it: an MLLR transform of
// its means that sphinxtrain estimated from Debian's own transcribed test
// recordings brought to the line (TestSpotAdaptation). Other models get
// none: it is a transform of this model's means.
//
//go:embed spotmllr.txt
var spotMLLR string

// adapted reports whether the spotter adapts model m to the line: spotMLLR
// is a transform of Debian's model.
func adapted(m Model) bool { return filepath.Clean(m.HMM) == filepath.Clean(DefaultModel().HMM) }

// psSpotter is a DigitSpotter on its own pocketsphinx decoder, which
// decodes the caller's speech with a grammar in which digit words compete
// with the commonest words of English (spotGrammar), so that ordinary
// talk decodes to ordinary words; it reports the digit words of the best
// hypothesis that stand in sequences.
//
// The decoder serves every utterance of the stream: each starts a new
// stream of the decoder, so that its frames count from the utterance's
// start, while the cepstral mean it has learned of the caller's channel
// carries over.
type psSpotter struct {
	dir      string // the grammar's files
	err      error  // a failure to start an utterance
	ps       *C.ps_decoder_t
	gate     *voiceGate
	wide     *widener
	ops      []gateOp
	pcm16    []int16
	buf      *C.int16
	bufLen   int
	segs     *C.hush_seg
	inUtt    bool
	fed      int64          // 16 kHz samples fed in the utterance
	runs     []fedRun       // where the fed audio lies on the timeline, oldest first
	reported []detect.Digit // the utterance's reports, to drop repeated ones
}

// fedRun is a stretch of contiguous audio fed to the decoder.
type fedRun struct {
	at  int64 // 16 kHz samples fed before it in the utterance
	pos int64 // its timeline position
}

// NewDigitSpotter returns a spotter for one caller stream, recognizing
// with model m; it holds its own decoder.
func NewDigitSpotter(m Model) (DigitSpotter, error) {
	if adapted(m) {
		return newSpotter(m, adaptedGrammar())
	}
	return newSpotter(m, defaultGrammar())
}

func newSpotter(m Model, g spotGrammar) (*psSpotter, error) {
	s := &psSpotter{gate: newVoiceGate(), wide: newWidener()}
	dir, err := os.MkdirTemp("", "hush-spot-")
	if err != nil {
		return nil, fmt.Errorf("asr: spotter: %w", err)
	}
	s.dir = dir
	fsg, dict, err := g.write(dir, m.Dict)
	if err != nil {
		s.Close()
		return nil, err
	}
	params, err := spotFeatParams(m.HMM)
	if err != nil {
		s.Close()
		return nil, err
	}
	err = os.WriteFile(filepath.Join(dir, "feat.params"), params, 0o600)
	adapt := adapted(m)
	if err == nil && adapt {
		err = os.WriteFile(filepath.Join(dir, "mllr"), []byte(spotMLLR), 0o600)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("asr: spotter: %w", err)
	}
	// The front end must keep quiet frames, so that frame numbers are
	// times: the gate has already left out the long silences. Beams
	// narrower than pocketsphinx's defaults halved the decoder's CPU on
	// the corpus and changed neither its leak nor, much, its false pauses;
	// narrower still, it lost most card numbers.
	args := []string{"-hmm", m.HMM, "-featparams", filepath.Join(dir, "feat.params"), "-logfn", "/dev/null", "-remove_silence", "no", "-dict", dict, "-fsg", fsg,
		"-beam", "1e-30", "-pbeam", "1e-30", "-maxhmmpf", "2000"}
	if adapt {
		args = append(args, "-mllr", filepath.Join(dir, "mllr"))
	}
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}
	s.ps = C.hush_ps_new_argv(C.int(len(argv)), &argv[0])
	if s.ps == nil {
		s.Close()
		return nil, fmt.Errorf("asr: pocketsphinx could not load the digit spotter's acoustic model %s", m.HMM)
	}
	s.segs = (*C.hush_seg)(C.malloc(C.size_t(maxSegs) * C.size_t(unsafe.Sizeof(C.hush_seg{}))))
	return s, nil
}

// Feed implements DigitSpotter.
func (s *psSpotter) Feed(pos int64, pcm []int16) []detect.Digit {
	s.ops = s.gate.feed(pos, pcm, s.ops[:0])
	return s.run(nil)
}

// Flush implements DigitSpotter.
func (s *psSpotter) Flush() []detect.Digit {
	s.ops = s.gate.flush(s.ops[:0])
	out := s.run(nil)
	return s.endUtt(out)
}

// run carries out the gate's ops and collects the digits they reveal.
func (s *psSpotter) run(out []detect.Digit) []detect.Digit {
	fed := false
	for _, op := range s.ops {
		switch {
		case op.end:
			out = s.endUtt(out)
			fed = false
		case op.start:
			s.startRun(op.pos)
		case s.inUtt:
			s.process(op.pcm)
			fed = true
		}
	}
	if fed {
		out = s.collect(out, false)
	}
	return out
}

// startRun begins a stretch of speech at pos, and an utterance if none
// is open.
func (s *psSpotter) startRun(pos int64) {
	if !s.inUtt {
		if C.ps_start_stream(s.ps) < 0 || C.ps_start_utt(s.ps) < 0 {
			s.err = errors.New("asr: the digit spotter could not start an utterance")
			return
		}
		s.inUtt, s.fed = true, 0
		s.runs, s.reported = s.runs[:0], s.reported[:0]
		s.wide.reset()
	}
	s.runs = append(s.runs, fedRun{at: s.fed, pos: pos})
}

// endUtt ends the utterance and reports its last digits.
func (s *psSpotter) endUtt(out []detect.Digit) []detect.Digit {
	if !s.inUtt {
		return out
	}
	s.inUtt = false
	if C.ps_end_utt(s.ps) >= 0 {
		out = s.collect(out, true)
	}
	return out
}

func (s *psSpotter) process(pcm []int16) {
	s.pcm16 = s.wide.push(s.pcm16[:0], pcm)
	if len(s.pcm16) == 0 {
		return
	}
	if len(s.pcm16) > s.bufLen {
		C.free(unsafe.Pointer(s.buf))
		s.bufLen = max(len(s.pcm16), 4096)
		s.buf = (*C.int16)(C.malloc(C.size_t(s.bufLen) * 2))
	}
	copy(unsafe.Slice((*int16)(unsafe.Pointer(s.buf)), len(s.pcm16)), s.pcm16)
	C.ps_process_raw(s.ps, s.buf, C.size_t(len(s.pcm16)), 0, 0)
	s.fed += int64(len(s.pcm16))
}

// timeline returns the timeline position of the start of frame f.
func (s *psSpotter) timeline(f int) (int64, bool) {
	at := int64(f) * frameLen
	for i := len(s.runs) - 1; i >= 0; i-- {
		if r := s.runs[i]; r.at <= at {
			return r.pos + (at-r.at)/2, true
		}
	}
	return 0, false
}

// collect reports the digit words of the utterance's best hypothesis
// that stand in sequences of minSequence or more digit words (silence and
// noise may lie between them, other words may not): before the
// utterance's end, only the words that end stableFrames behind the newest
// audio.
func (s *psSpotter) collect(out []detect.Digit, final bool) []detect.Digit {
	n := int(C.hush_segs(s.ps, s.segs, maxSegs))
	last := int(s.fed/frameLen) - stableFrames
	var seq []detect.Digit
	take := func() {
		if len(seq) >= minSequence {
			for _, d := range seq {
				if !s.seen(d) {
					s.reported = append(s.reported, d)
					out = append(out, d)
				}
			}
		}
		seq = seq[:0]
	}
	for _, seg := range unsafe.Slice(s.segs, maxSegs)[:n] {
		if !final && int(seg.ef) > last {
			break
		}
		w := C.GoString(&seg.word[0])
		sym, ok := digitValue(w)
		if !ok {
			if !isFiller(w) {
				take()
			}
			continue
		}
		start, ok1 := s.timeline(int(seg.sf))
		end, ok2 := s.timeline(int(seg.ef) + 1)
		if ok1 && ok2 && end > start {
			seq = append(seq, detect.Digit{Symbol: sym, Start: start, End: end, Source: detect.Spoken})
		}
	}
	take()
	return out
}

// isFiller reports whether a decoded word is silence or noise, not speech.
func isFiller(w string) bool {
	return strings.HasPrefix(w, "<") || strings.HasPrefix(w, "[") || w == "(NULL)"
}

// overlaps reports whether a and b overlap by more than half of the
// shorter of the two.
func overlaps(a, b detect.Digit) bool {
	ov := min(a.End, b.End) - max(a.Start, b.Start)
	return ov > 0 && 2*ov > min(a.End-a.Start, b.End-b.Start)
}

// seen reports whether d overlaps a digit already reported by more than
// half of the shorter of the two: the hypothesis moves word boundaries a
// little as it grows.
func (s *psSpotter) seen(d detect.Digit) bool {
	for _, r := range s.reported {
		if overlaps(r, d) {
			return true
		}
	}
	return false
}

// Close implements DigitSpotter. It reports an utterance that could not
// be started, which left speech unheard.
func (s *psSpotter) Close() error {
	if s.ps != nil {
		if s.inUtt {
			C.ps_end_utt(s.ps)
		}
		C.ps_free(s.ps)
	}
	C.free(unsafe.Pointer(s.buf))
	C.free(unsafe.Pointer(s.segs))
	s.ps, s.buf, s.segs = nil, nil, nil
	if s.dir != "" {
		os.RemoveAll(s.dir)
		s.dir = ""
	}
	return s.err
}

// digitValue maps a recognized word, without its pronunciation variant
// suffix, to its digit.
func digitValue(word string) (byte, bool) {
	if i := strings.IndexByte(word, '('); i > 0 {
		word = word[:i]
	}
	if word == "oh" {
		return '0', true
	}
	for i, w := range digitWords {
		if w == word {
			return byte('0' + i), true
		}
	}
	return 0, false
}
