//go:build pocketsphinx

package asr

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var updateAdaptation = flag.Bool("update-adaptation", false, "rewrite spotmllr.txt from Debian's pocketsphinx test recordings")

// testData is where Debian's pocketsphinx-testdata puts its recordings.
const testData = "/usr/share/pocketsphinx/test/data"

// adaptUtterance is a recording and what is said in it.
type adaptUtterance struct {
	id, wav, words string
}

// adaptUtterances are the recordings of pocketsphinx-testdata that come
// with their transcripts: real speech by people, none of it from the
// corpus the spotter is scored on.
func adaptUtterances(t *testing.T) []adaptUtterance {
	line := regexp.MustCompile(`^<s>(.*)</s>\s*\((.*)\)$`)
	var out []adaptUtterance
	for _, file := range []string{"cards/cards.transcription", "librivox/transcription"} {
		dir := filepath.Join(testData, filepath.Dir(file))
		f, err := os.Open(filepath.Join(testData, file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			m := line.FindStringSubmatch(strings.TrimSpace(sc.Text()))
			if m == nil {
				continue
			}
			out = append(out, adaptUtterance{id: m[2], wav: filepath.Join(dir, m[2]+".wav"), words: strings.Join(strings.Fields(m[1]), " ")})
		}
		f.Close()
	}
	if len(out) != 10 {
		t.Fatalf("found %d transcribed recordings in %s, want 10", len(out), testData)
	}
	return out
}

// The spotter's channel adaptation (spotmllr.txt) is the MLLR transform
// that sphinxtrain estimates for Debian's en-us model from Debian's own
// transcribed test recordings, brought to the telephone line (band-limited
// to 3.4 kHz, resampled to 8 kHz, peaks at -10 dBFS) and widened as the
// spotter widens the line's audio. -update-adaptation rewrites it.
func TestSpotAdaptation(t *testing.T) {
	dir := t.TempDir()
	got := estimateAdaptation(t, dir, DefaultModel())
	if *updateAdaptation {
		if err := os.WriteFile("spotmllr.txt", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, wantErr := parseNumbers(spotMLLR)
	have, haveErr := parseNumbers(string(got))
	if wantErr != nil || haveErr != nil || len(want) != len(have) {
		t.Fatalf("spotmllr.txt (%v) and the estimate (%v) differ in form", wantErr, haveErr)
	}
	for i := range want {
		if math.Abs(want[i]-have[i]) > 1e-3 {
			t.Fatalf("spotmllr.txt is not the estimate (number %d: %g, estimated %g): go test -tags pocketsphinx -run TestSpotAdaptation ./internal/asr -update-adaptation", i, want[i], have[i])
		}
	}
}

// parseNumbers reads a whitespace-separated list of numbers.
func parseNumbers(text string) ([]float64, error) {
	var out []float64
	for _, f := range strings.Fields(text) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// estimateAdaptation runs sphinxtrain's MLLR estimation for model m in
// dir and returns the transform.
func estimateAdaptation(t *testing.T, dir string, m Model) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run := func(name string, args ...string) string {
		out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return string(out)
	}
	for _, d := range []string{"line", "wide", "mfc", "accum", "model"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var ids, trans strings.Builder
	for _, u := range adaptUtterances(t) {
		line := filepath.Join(dir, "line", u.id+".raw")
		run("sox", "-R", u.wav, "-t", "raw", "-e", "signed", "-b", "16", "-c", "1", "-r", "8000", line, "sinc", "-3400", "gain", "-n", "-10")
		writePCM(t, filepath.Join(dir, "wide", u.id+".raw"), widenFile(t, line))
		fmt.Fprintf(&ids, "%s\n", u.id)
		fmt.Fprintf(&trans, "<s> %s </s> (%s)\n", u.words, u.id)
	}
	for name, text := range map[string]string{"fileids": ids.String(), "transcription": trans.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// bw reads the model's mixture weights in sphinxtrain's format and
	// its model definition as text; the rest it reads as pocketsphinx does.
	model := filepath.Join(dir, "model")
	for _, f := range []string{"means", "variances", "transition_matrices", "noisedict"} {
		if err := os.Symlink(filepath.Join(m.HMM, f), filepath.Join(model, f)); err != nil {
			t.Fatal(err)
		}
	}
	run("pocketsphinx_mdef_convert", "-text", filepath.Join(m.HMM, "mdef"), filepath.Join(model, "mdef"))
	writeMixtureWeights(t, filepath.Join(m.HMM, "sendump"), filepath.Join(model, "mixture_weights"))
	params, err := spotFeatParams(m.HMM)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "feat.params"), params, 0o644); err != nil {
		t.Fatal(err)
	}
	run("sphinx_fe", "-argfile", filepath.Join(dir, "feat.params"), "-c", filepath.Join(dir, "fileids"),
		"-di", filepath.Join(dir, "wide"), "-do", filepath.Join(dir, "mfc"), "-ei", "raw", "-eo", "mfc", "-raw", "yes", "-input_endian", "little")
	out := run("/usr/lib/sphinxtrain/bw", "-hmmdir", model, "-moddeffn", filepath.Join(model, "mdef"), "-ts2cbfn", ".ptm.",
		"-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38", "-cmn", "current", "-agc", "none",
		"-dictfn", m.Dict, "-fdictfn", filepath.Join(model, "noisedict"), "-ctlfn", filepath.Join(dir, "fileids"),
		"-lsnfn", filepath.Join(dir, "transcription"), "-cepdir", filepath.Join(dir, "mfc"), "-accumdir", filepath.Join(dir, "accum"))
	if strings.Contains(out, "ignored") {
		t.Fatalf("bw could not align every recording:\n%s", out)
	}
	mllr := filepath.Join(dir, "mllr_matrix")
	run("/usr/lib/sphinxtrain/mllr_solve", "-meanfn", filepath.Join(m.HMM, "means"), "-varfn", filepath.Join(m.HMM, "variances"),
		"-outmllrfn", mllr, "-accumdir", filepath.Join(dir, "accum"))
	b, err := os.ReadFile(mllr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// widenFile widens the 8 kHz audio of a raw file as the spotter does.
func widenFile(t *testing.T, path string) []int16 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(b)/2)
	if err := binary.Read(bytes.NewReader(b), binary.LittleEndian, pcm); err != nil {
		t.Fatal(err)
	}
	w := newWidener()
	out := w.push(nil, pcm)
	return w.push(out, make([]int16, 4))
}

func writePCM(t *testing.T, path string, pcm []int16) {
	var b bytes.Buffer
	if err := binary.Write(&b, binary.LittleEndian, pcm); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeMixtureWeights writes the mixture weights of a pocketsphinx
// sendump (8-bit quantized negative logarithms, feature by density by
// senone) as sphinxtrain's mixture_weights (32-bit floats, senone by
// feature by density, each senone's weights summing to one).
func writeMixtureWeights(t *testing.T, sendump, out string) {
	b, err := os.ReadFile(sendump)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	feats, off := 0, 0
	for {
		n := int(int32(le.Uint32(b[off:])))
		off += 4
		if n == 0 {
			break
		}
		s := string(bytes.TrimRight(b[off:off+n], "\x00"))
		if v, ok := strings.CutPrefix(s, "feature_count "); ok {
			feats, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(s, "cluster_count "); ok && v != "0" {
			t.Fatalf("%s: clustered mixture weights", sendump)
		}
		off += n
	}
	dens, sens := int(le.Uint32(b[off:])), int(le.Uint32(b[off+4:]))
	off += 8
	if feats == 0 || len(b)-off != feats*dens*sens {
		t.Fatalf("%s: %d features, %d densities, %d senones in %d bytes", sendump, feats, dens, sens, len(b)-off)
	}
	// pocketsphinx keeps -log(w) in base 1.0001, shifted right 10 bits.
	unit := 1024 * math.Log(1.0001)
	w := make([]float64, sens*feats*dens)
	for f := range feats {
		for d := range dens {
			row := b[off+(f*dens+d)*sens:]
			for s := range sens {
				w[(s*feats+f)*dens+d] = math.Exp(-float64(row[s]) * unit)
			}
		}
	}
	var o bytes.Buffer
	o.WriteString("s3\nversion 1.0\nendhdr\n")
	for _, v := range []uint32{0x11223344, uint32(sens), uint32(feats), uint32(dens), uint32(len(w))} {
		binary.Write(&o, le, v)
	}
	norm := make([]float32, len(w))
	for i := 0; i < len(w); i += dens {
		var sum float64
		for _, v := range w[i : i+dens] {
			sum += v
		}
		for j, v := range w[i : i+dens] {
			norm[i+j] = float32(v / sum)
		}
	}
	binary.Write(&o, le, norm)
	if err := os.WriteFile(out, o.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
