//go:build pocketsphinx

package asr_test

import (
	"context"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
)

// testdata is where Debian's pocketsphinx-testdata puts its recordings.
const testdata = "/usr/share/pocketsphinx/test/data/"

// readRaw reads 16 kHz 16-bit little-endian mono audio.
func readRaw(t *testing.T, name string) []int16 {
	t.Helper()
	b, err := os.ReadFile(testdata + name)
	if err != nil {
		t.Fatalf("%v: run `make test`, which installs pocketsphinx-testdata", err)
	}
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
	}
	return pcm
}

func openEngine(t *testing.T) asr.Engine {
	t.Helper()
	eng, err := asr.Open(asr.EnginePocketsphinx, 1)
	if err != nil {
		t.Fatalf("%v: run `make test`, which installs pocketsphinx-en-us", err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// On the 16 kHz speech the en-us model was trained for, the words are
// exact.
func TestPocketsphinxRecognizes16kHzSpeech(t *testing.T) {
	eng := openEngine(t)
	for file, want := range map[string]string{
		"goforward.raw": "go forward ten meters",
		"something.raw": "go somewhere and do something",
	} {
		res, err := eng.Recognize(context.Background(), asr.Utterance{Rate: 16000, PCM: readRaw(t, file)})
		if err != nil || res.Text != want {
			t.Errorf("%s: %q, %v; want %q", file, res.Text, err, want)
		}
	}
}

// Telephone audio (8 kHz G.711 through RTP, the recorder and the
// transcriber) comes out as transcript segments with words in them.
func TestPocketsphinxTranscribesTelephoneAudio(t *testing.T) {
	eng := openEngine(t)
	speech := downsample(readRaw(t, "goforward.raw"))
	var rec *media.Recorder
	tr, err := asr.New(asr.Config{Engine: eng, Workers: 1, Write: func(id string, tx asr.Transcript, final bool) error {
		return rec.WriteSidecar(id, asr.SidecarName, tx, final)
	}})
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: t0}
	rec, err = media.NewRecorder(media.Config{Dir: t.TempDir(), Now: clk.now, Transcriber: tr.Open})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call, err := rec.Open(ctx, "c1", media.CallOptions{Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	// Half a second of quiet, the speech, a second of quiet.
	pcm := append(append(make([]int16, 4000), speech...), make([]int16, 8000)...)
	n := len(pcm) / media.FrameSamples
	for i := range n {
		now := t0.Add(time.Duration(i) * media.FrameDuration)
		clk.set(now)
		payload := make([]byte, media.FrameSamples)
		for k := range payload {
			payload[k] = g711.EncodeUlawFrame(pcm[i*media.FrameSamples+k])
		}
		call.Push(media.Agent, &rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 9, SequenceNumber: uint16(i), Timestamp: uint32(i * media.FrameSamples)}, Payload: payload}, now)
		if err := call.Advance(ctx, now); err != nil {
			t.Fatal(err)
		}
	}
	end := t0.Add(time.Duration(n) * media.FrameDuration)
	clk.set(end)
	for _, k := range conversation.AllCapabilities() {
		if err := call.Stop(ctx, k, end); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	doc, err := asr.ReadTranscript(rec.SidecarPath("c1", asr.SidecarName))
	if err != nil {
		t.Fatal(err)
	}
	words := 0
	for _, s := range doc.Segments {
		if s.Channel != "agent" || s.StartMs < 300 || s.EndMs > int64(n*20) {
			t.Fatalf("segment %+v off the speech", s)
		}
		words += len(strings.Fields(s.Text))
	}
	if !doc.Complete || doc.Engine != asr.EnginePocketsphinx || len(doc.Segments) == 0 || words == 0 {
		t.Fatalf("transcript = %+v", doc)
	}
	t.Logf("heard over the telephone: %+v", doc.Segments)
}

// downsample halves the rate of 16 kHz audio, averaging pairs to keep
// the worst aliasing out.
func downsample(pcm []int16) []int16 {
	out := make([]int16, len(pcm)/2)
	for i := range out {
		out[i] = int16((int32(pcm[2*i]) + int32(pcm[2*i+1])) / 2)
	}
	return out
}
