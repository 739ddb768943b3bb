//go:build pocketsphinx

package asr

/*
#cgo pkg-config: pocketsphinx
#include <stdlib.h>
#include <pocketsphinx.h>
#include <sphinxbase/ngram_model.h>
#include <sphinxbase/logmath.h>

// hush_lm_open reads a language model, returning its vocabulary size.
static ngram_model_t *hush_lm_open(const char *path, logmath_t **lmath, int *n) {
	*lmath = logmath_init(1.0001, 0, 0);
	ngram_model_t *lm = ngram_model_read(NULL, path, NGRAM_AUTO, *lmath);
	if (lm == NULL) {
		logmath_free(*lmath);
		return NULL;
	}
	*n = ngram_model_get_counts(lm)[0];
	return lm;
}

// hush_lm_unigram returns word wid of lm and its log10 probability.
static const char *hush_lm_unigram(ngram_model_t *lm, logmath_t *lmath, int wid, double *log10p) {
	int32 hist[1], used;
	*log10p = logmath_log_to_log10(lmath, ngram_ng_prob(lm, wid, hist, 0, &used));
	return ngram_word(lm, wid);
}
*/
import "C"

import (
	"bufio"
	_ "embed"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// digitWords are the words of the digits 0-9; "oh" is read as zero too.
var digitWords = []string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// spotVocabulary is the talk side of the spotter's grammar: the commonest
// words of the en-us language model (by unigram probability, then
// alphabetically), leaving out digit words and words the dictionary
// lacks, one "word log10(probability)" a line. TestSpotVocabulary checks
// it against the installed model and rewrites it with -update-vocabulary.
//
//go:embed spotvocab.txt
var spotVocabulary string

// spotGrammar is a finite-state grammar with two states. In the talk
// state, each common word loops back with its unigram probability, and a
// digit word leads to the digits state; there, digit words loop, and an
// empty transition leads back to talk. The decoder thus weighs a stretch
// of speech as ordinary words against a string of digits, where a
// keyword spotter weighs each digit word alone against any sound.
type spotGrammar struct {
	// in is the probability of leaving talk for a digit word; stay of
	// another digit word after one.
	in, stay float64
}

// defaultGrammar makes digits cheap to enter and to continue: the
// acoustic model hears telephone digits poorly, and the spotter's
// sequence rule (minSequence) keeps single digits in talk from counting.
func defaultGrammar() spotGrammar { return spotGrammar{in: 0.9, stay: 0.95} }

// adaptedGrammar is for Debian's model adapted to the line (spotMLLR),
// which hears digits better: digits cheap to enter still, but less so.
// On calls of the corpus not used to choose it, it let through about half
// the card audio that defaultGrammar did, pausing less than half as much
// ordinary talk (docs/BENCHMARKS.md).
func adaptedGrammar() spotGrammar { return spotGrammar{in: 0.8, stay: 0.95} }

// vocabWord is a word and its unigram probability.
type vocabWord struct {
	word string
	p    float64
}

// parseVocabulary reads spotVocabulary's format.
func parseVocabulary(text string) ([]vocabWord, error) {
	var out []vocabWord
	for line := range strings.Lines(text) {
		w, lp, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		l, err := strconv.ParseFloat(lp, 64)
		if err != nil {
			return nil, fmt.Errorf("asr: spotter vocabulary: %w", err)
		}
		out = append(out, vocabWord{w, math.Pow(10, l)})
	}
	return out, nil
}

// write writes the grammar and a dictionary of its words, whose
// pronunciations it takes from the full dictionary, into dir.
func (g spotGrammar) write(dir, fullDict string) (fsg, dict string, err error) {
	vocab, err := parseVocabulary(spotVocabulary)
	if err != nil {
		return "", "", err
	}
	digits := append(slices.Clone(digitWords), "oh")
	want := map[string]bool{}
	for _, w := range digits {
		want[w] = true
	}
	for _, v := range vocab {
		want[v.word] = true
	}
	prons, have, err := pronunciations(fullDict, want)
	if err != nil {
		return "", "", err
	}
	dict = filepath.Join(dir, "spot.dict")
	if err := os.WriteFile(dict, []byte(prons), 0o600); err != nil {
		return "", "", fmt.Errorf("asr: spotter dictionary: %w", err)
	}
	for _, w := range digits {
		if !have[w] {
			return "", "", fmt.Errorf("asr: spotter dictionary %s lacks %q", fullDict, w)
		}
	}
	var sum float64
	for _, v := range vocab {
		if have[v.word] {
			sum += v.p
		}
	}
	var b strings.Builder
	b.WriteString("FSG_BEGIN spot\nNUM_STATES 2\nSTART_STATE 0\nFINAL_STATE 0\n")
	for _, v := range vocab {
		if have[v.word] {
			fmt.Fprintf(&b, "TRANSITION 0 0 %g %s\n", (1-g.in)*v.p/sum, v.word)
		}
	}
	for _, w := range digits {
		fmt.Fprintf(&b, "TRANSITION 0 1 %g %s\n", g.in/float64(len(digits)), w)
		fmt.Fprintf(&b, "TRANSITION 1 1 %g %s\n", g.stay/float64(len(digits)), w)
	}
	fmt.Fprintf(&b, "TRANSITION 1 0 %g\nFSG_END\n", 1-g.stay)
	fsg = filepath.Join(dir, "spot.fsg")
	if err := os.WriteFile(fsg, []byte(b.String()), 0o600); err != nil {
		return "", "", fmt.Errorf("asr: spotter grammar: %w", err)
	}
	return fsg, dict, nil
}

// pronunciations returns the entries of the words in want of the full
// dictionary, so the decoder loads a thousand lines instead of 130,000,
// and the words it found.
func pronunciations(full string, want map[string]bool) (string, map[string]bool, error) {
	f, err := os.Open(full)
	if err != nil {
		return "", nil, fmt.Errorf("asr: spotter dictionary: %w", err)
	}
	defer f.Close()
	have := map[string]bool{}
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		word, _, _ := strings.Cut(sc.Text(), " ")
		if i := strings.IndexByte(word, '('); i > 0 {
			word = word[:i]
		}
		if want[word] {
			have[word] = true
			b.WriteString(sc.Text())
			b.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, fmt.Errorf("asr: spotter dictionary: %w", err)
	}
	return b.String(), have, nil
}

// commonWords returns the n commonest words of the language model at lm
// that the dictionary at dict holds, leaving out digit words and the
// model's sentence marks, by unigram probability and then alphabetically.
func commonWords(lm, dict string, n int) ([]string, error) {
	path := C.CString(lm)
	defer C.free(unsafe.Pointer(path))
	var lmath *C.logmath_t
	var size C.int
	model := C.hush_lm_open(path, &lmath, &size)
	if model == nil {
		return nil, fmt.Errorf("asr: cannot read language model %s", lm)
	}
	defer C.logmath_free(lmath)
	defer C.ngram_model_free(model)
	type scored struct {
		word string
		lp   float64
	}
	var all []scored
	for wid := range int(size) {
		var lp C.double
		w := C.GoString(C.hush_lm_unigram(model, lmath, C.int(wid), &lp))
		if _, digit := digitValue(w); digit || strings.HasPrefix(w, "<") {
			continue
		}
		all = append(all, scored{w, float64(lp)})
	}
	words := map[string]bool{}
	for _, s := range all {
		words[s.word] = true
	}
	_, have, err := pronunciations(dict, words)
	if err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(s scored) bool { return !have[s.word] })
	slices.SortFunc(all, func(a, b scored) int {
		if a.lp != b.lp {
			if a.lp > b.lp {
				return -1
			}
			return 1
		}
		return strings.Compare(a.word, b.word)
	})
	var out []string
	for _, s := range all[:min(n, len(all))] {
		out = append(out, fmt.Sprintf("%s %.6f", s.word, s.lp))
	}
	return out, nil
}
