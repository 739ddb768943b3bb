//go:build pocketsphinx

package asr

import (
	"flag"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

var updateVocabulary = flag.Bool("update-vocabulary", false, "rewrite spotvocab.txt from the installed en-us model")

// spotVocabSize is how many common words the spotter's grammar holds.
const spotVocabSize = 1000

// The embedded vocabulary is the installed model's commonest words, as
// commonWords picks them.
func TestSpotVocabulary(t *testing.T) {
	m := DefaultModel()
	want, err := commonWords(m.LM, m.Dict, spotVocabSize)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(want, "\n") + "\n"
	if *updateVocabulary {
		if err := os.WriteFile("spotvocab.txt", []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if spotVocabulary != text {
		t.Fatal("spotvocab.txt is not the model's commonest words: go test -tags pocketsphinx -run TestSpotVocabulary ./internal/asr -update-vocabulary")
	}
	vocab, err := parseVocabulary(spotVocabulary)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vocab {
		if _, ok := digitValue(v.word); ok {
			t.Errorf("digit word %q among the talk words", v.word)
		}
	}
}

// The grammar's transitions out of each state are probabilities that sum
// to one, every digit word can start and continue a sequence, and the
// dictionary holds every word the grammar names.
func TestSpotGrammarIsAProbabilityModel(t *testing.T) {
	dir := t.TempDir()
	fsg, dict, err := defaultGrammar().write(dir, DefaultModel().Dict)
	if err != nil {
		t.Fatal(err)
	}
	g, err := os.ReadFile(fsg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := os.ReadFile(dict)
	if err != nil {
		t.Fatal(err)
	}
	inDict := map[string]bool{}
	for line := range strings.Lines(string(d)) {
		w, _, _ := strings.Cut(line, " ")
		if i := strings.IndexByte(w, '('); i > 0 {
			w = w[:i]
		}
		inDict[w] = true
	}
	sum := map[string]float64{}
	starts, continues := map[string]bool{}, map[string]bool{}
	for line := range strings.Lines(string(g)) {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "TRANSITION" {
			continue
		}
		p, err := strconv.ParseFloat(f[3], 64)
		if err != nil || p <= 0 {
			t.Fatalf("bad transition %q", line)
		}
		sum[f[1]] += p
		if len(f) == 5 {
			if !inDict[f[4]] {
				t.Errorf("%q is not in the dictionary", f[4])
			}
			if _, digit := digitValue(f[4]); digit {
				switch f[1] + f[2] {
				case "01":
					starts[f[4]] = true
				case "11":
					continues[f[4]] = true
				default:
					t.Errorf("digit word %q on transition %s→%s", f[4], f[1], f[2])
				}
			}
		}
	}
	for state, p := range sum {
		if math.Abs(p-1) > 1e-4 {
			t.Errorf("state %s: transitions sum to %g", state, p)
		}
	}
	for _, w := range append(digitWords, "oh") {
		if !starts[w] || !continues[w] {
			t.Errorf("digit word %q cannot start and continue a sequence", w)
		}
	}
}
