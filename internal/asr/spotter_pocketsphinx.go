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
	int32 prob;
} hush_seg;

// hush_segs copies the keyphrase detections of the utterance with their
// frames, leaving out those that end before frame from.
static int hush_segs(ps_decoder_t *ps, int from, hush_seg *out, int max) {
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
		if (out[n].ef < from) {
			continue;
		}
		int32 ascr, lscr, lback;
		out[n].prob = ps_seg_prob(s, &ascr, &lscr, &lback);
		strncpy(out[n].word, ps_seg_word(s), sizeof out[n].word - 1);
		out[n].word[sizeof out[n].word - 1] = 0;
		n++;
	}
	return n;
}
*/
import "C"

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"

	"github.com/hush-cc/hush/internal/detect"
)

// SpokenDigits reports whether this build can spot spoken digits.
const SpokenDigits = true

// SpokenDigitsNote says, for help texts and logs, what this build does
// with digits read aloud.
const SpokenDigitsNote = "this build can spot digits read aloud on the caller's stream (pocketsphinx)"

// spotConfig tunes a spotter.
type spotConfig struct {
	// exponent sets the keyphrase detection thresholds: 10^-(exponent ×
	// phones) for a word of so many phones.
	exponent int
}

func defaultSpotConfig() spotConfig { return spotConfig{exponent: 4} }

// digitWords are the words spotted, with the pronunciations to use.
var digitWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// psSpotter is a DigitSpotter on its own pocketsphinx decoder, which
// spots each digit word as a keyphrase against a phone loop: only digit
// words are in the search, so it is small and fast, and a detection is
// final as soon as it is made.
//
// Each of the voice gate's utterances is one of the decoder's, on a fresh
// decoder: the keyphrase search carries its frame count over from one
// utterance to the next, so only a decoder's first utterance has frame
// numbers that are times.
type psSpotter struct {
	cfg      spotConfig
	args     []string
	dir      string // the keyphrase search's files
	err      error  // the last failure to load a decoder
	ps       *C.ps_decoder_t
	gate     *voiceGate
	up       upsampler
	ops      []gateOp
	pcm16    []int16
	buf      *C.int16
	bufLen   int
	segs     *C.hush_seg
	inUtt    bool
	fed      int64          // 16 kHz samples fed in the utterance
	runs     []fedRun       // where the fed audio lies on the timeline, oldest first
	reported []detect.Digit // the utterance's reports, to drop repeated detections
	pending  []candidate
	noise    *rand.Rand
}

// fedRun is a stretch of contiguous audio fed to the decoder.
type fedRun struct {
	at  int64 // 16 kHz samples fed before it in the utterance
	pos int64 // its timeline position
}

const (
	maxSegs = 256
	// frameLen is a decoder frame, in 16 kHz samples.
	frameLen = 160
	// holdFrames is how long a detection waits for a better one.
	holdFrames = 10
	// noiseAmp is the peak of the noise added to the audio.
	noiseAmp = 80
)

// NewDigitSpotter returns a spotter for one caller stream, recognizing
// with model m; it holds its own decoder.
func NewDigitSpotter(m Model) (DigitSpotter, error) {
	return newSpotter(m, defaultSpotConfig())
}

func newSpotter(m Model, cfg spotConfig) (*psSpotter, error) {
	s := &psSpotter{cfg: cfg, gate: newVoiceGate(), noise: rand.New(rand.NewPCG(1, 2))}
	dir, err := os.MkdirTemp("", "hush-spot-")
	if err != nil {
		return nil, fmt.Errorf("asr: spotter: %w", err)
	}
	s.dir = dir
	dict, kws := filepath.Join(dir, "digits.dict"), filepath.Join(dir, "digits.kws")
	phones, err := writeDigitDict(m.Dict, dict)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	var b strings.Builder
	for _, w := range digitWords {
		// A longer word scores lower against the phone loop: its
		// threshold is scaled by its number of phones.
		fmt.Fprintf(&b, "%s /1e-%d/\n", w, cfg.exponent*phones[w])
	}
	if err := os.WriteFile(kws, []byte(b.String()), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("asr: spotter: %w", err)
	}
	// The front end must keep quiet frames, so that frame numbers are
	// times: the gate has already left out the long silences.
	s.args = []string{"-hmm", m.HMM, "-logfn", "/dev/null", "-remove_silence", "no", "-dict", dict, "-kws", kws}
	if err := s.load(); err != nil {
		s.Close()
		return nil, err
	}
	s.segs = (*C.hush_seg)(C.malloc(C.size_t(maxSegs) * C.size_t(unsafe.Sizeof(C.hush_seg{}))))
	return s, nil
}

// load gives the spotter a decoder.
func (s *psSpotter) load() error {
	argv := make([]*C.char, len(s.args))
	for i, a := range s.args {
		argv[i] = C.CString(a)
		defer C.free(unsafe.Pointer(argv[i]))
	}
	s.ps = C.hush_ps_new_argv(C.int(len(argv)), &argv[0])
	if s.ps == nil {
		s.err = errors.New("asr: pocketsphinx could not load the digit spotter's model")
		return s.err
	}
	return nil
}

// writeDigitDict copies the digit words' pronunciations out of the full
// dictionary, so the decoder loads a few lines instead of 130,000, and
// returns the number of phones of each word's first pronunciation.
func writeDigitDict(full, path string) (map[string]int, error) {
	f, err := os.Open(full)
	if err != nil {
		return nil, fmt.Errorf("asr: spotter dictionary: %w", err)
	}
	defer f.Close()
	want, phones := map[string]bool{}, map[string]int{}
	for _, w := range digitWords {
		want[w] = true
	}
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		word, pron, _ := strings.Cut(sc.Text(), " ")
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i]
		}
		if want[word] {
			if phones[word] == 0 {
				phones[word] = len(strings.Fields(pron))
			}
			b.WriteString(sc.Text())
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("asr: spotter dictionary: %w", err)
	}
	if len(phones) != len(digitWords) {
		return nil, fmt.Errorf("asr: spotter dictionary %s lacks digit words", full)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return nil, fmt.Errorf("asr: spotter dictionary: %w", err)
	}
	return phones, nil
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
			if fed {
				out = s.collect(out, false)
				fed = false
			}
			out = s.endUtt(out)
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
		if s.ps == nil && s.load() != nil {
			return
		}
		if C.ps_start_utt(s.ps) < 0 {
			return
		}
		s.inUtt, s.fed = true, 0
		s.runs, s.reported, s.pending = s.runs[:0], s.reported[:0], s.pending[:0]
		s.up.reset()
	}
	s.runs = append(s.runs, fedRun{at: s.fed, pos: pos})
}

// endUtt ends the utterance, reports its last digits, and frees the
// decoder: the next utterance has a new one, whose frames count from zero.
func (s *psSpotter) endUtt(out []detect.Digit) []detect.Digit {
	if !s.inUtt {
		return out
	}
	s.inUtt = false
	if C.ps_end_utt(s.ps) >= 0 {
		out = s.collect(out, true)
	}
	C.ps_free(s.ps)
	s.ps = nil
	return out
}

func (s *psSpotter) process(pcm []int16) {
	s.pcm16 = s.up.push(s.pcm16[:0], pcm)
	if len(s.pcm16) == 0 {
		return
	}
	if len(s.pcm16) > s.bufLen {
		C.free(unsafe.Pointer(s.buf))
		s.bufLen = max(len(s.pcm16), 4096)
		s.buf = (*C.int16)(C.malloc(C.size_t(s.bufLen) * 2))
	}
	// Faint white noise under the audio (about -57 dBFS) halved the
	// false detections in the corpus's noisy calls at the same recall.
	for i, v := range s.pcm16 {
		s.pcm16[i] = clamp16(float64(v) + float64(s.noise.IntN(2*noiseAmp+1)-noiseAmp))
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

// collect takes the utterance's keyphrase detections and reports those
// that won: where detections of different words overlap, the one that
// scored best, once no better one can come (hold frames after its end,
// or at the end of the utterance).
func (s *psSpotter) collect(out []detect.Digit, final bool) []detect.Digit {
	n := int(C.hush_segs(s.ps, 0, s.segs, maxSegs))
	for _, seg := range unsafe.Slice(s.segs, maxSegs)[:n] {
		// Keyphrases come with a trailing space.
		sym, ok := digitValue(strings.TrimSpace(C.GoString(&seg.word[0])))
		if !ok {
			continue
		}
		sf, ef := int(seg.sf), int(seg.ef)
		start, ok1 := s.timeline(sf)
		end, ok2 := s.timeline(ef + 1)
		if !ok1 || !ok2 || end <= start {
			continue
		}
		c := candidate{d: detect.Digit{Symbol: sym, Start: start, End: end, Source: detect.Spoken}, ef: ef, score: int(seg.prob)}
		if s.seen(c.d) || slices.ContainsFunc(s.pending, func(p candidate) bool { return p.d == c.d }) {
			continue
		}
		s.pending = append(s.pending, c)
	}
	ripe := int(s.fed/frameLen) - holdFrames
	slices.SortFunc(s.pending, func(a, b candidate) int { return int(a.d.Start - b.d.Start) })
	for len(s.pending) > 0 {
		best := 0
		for i, p := range s.pending {
			if overlaps(s.pending[0].d, p.d) && p.score > s.pending[best].score {
				best = i
			}
		}
		w := s.pending[best]
		if !final && w.ef > ripe {
			break
		}
		s.reported = append(s.reported, w.d)
		out = append(out, w.d)
		s.pending = slices.DeleteFunc(s.pending, func(p candidate) bool { return overlaps(w.d, p.d) })
	}
	if final {
		s.pending = s.pending[:0]
	}
	return out
}

// candidate is a detection waiting for a better one to overlap it.
type candidate struct {
	d     detect.Digit
	ef    int // its last frame
	score int
}

// overlaps reports whether a and b overlap by more than half of the
// shorter of the two.
func overlaps(a, b detect.Digit) bool {
	ov := min(a.End, b.End) - max(a.Start, b.Start)
	return ov > 0 && 2*ov > min(a.End-a.Start, b.End-b.Start)
}

// seen reports whether d overlaps a digit already reported by more than
// half of the shorter of the two.
func (s *psSpotter) seen(d detect.Digit) bool {
	return slices.ContainsFunc(s.reported, func(r detect.Digit) bool { return overlaps(r, d) })
}

// Close implements DigitSpotter. It reports a decoder that failed to load
// after the first, which left utterances unheard.
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
	}
	return s.err
}

// digitValue maps a recognized word, without its pronunciation variant
// suffix, to its digit.
func digitValue(word string) (byte, bool) {
	if i := strings.IndexByte(word, '('); i > 0 {
		word = word[:i]
	}
	switch word {
	case "zero", "oh":
		return '0', true
	case "one":
		return '1', true
	case "two":
		return '2', true
	case "three":
		return '3', true
	case "four":
		return '4', true
	case "five":
		return '5', true
	case "six":
		return '6', true
	case "seven":
		return '7', true
	case "eight":
		return '8', true
	case "nine":
		return '9', true
	}
	return 0, false
}
