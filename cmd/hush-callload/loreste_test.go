package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hush-cc/hush/internal/media"
)

// The counters are read from what a real Prometheus registry serves,
// beside metrics whose names start alike.
func TestCounterByLabelReadsAPrometheusExposition(t *testing.T) {
	reg := prometheus.NewRegistry()
	dropped := prometheus.NewCounterVec(prometheus.CounterOpts{Name: droppedMetric, Help: "dropped"}, []string{"codec", "reason"})
	alike := prometheus.NewCounterVec(prometheus.CounterOpts{Name: droppedMetric + "_by_stream", Help: "alike"}, []string{"reason"})
	reg.MustRegister(dropped, alike)
	dropped.WithLabelValues("PCMU", "recording_paused").Add(50)
	dropped.WithLabelValues("PCMA", "recording_paused").Add(2)
	dropped.WithLabelValues("PCMU", "plc_concealed").Add(3)
	alike.WithLabelValues("recording_paused").Add(1000)
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	got, err := counterByLabel(res.Body, droppedMetric, "reason")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["recording_paused"] != 52 || got["plc_concealed"] != 3 {
		t.Fatalf("counters %v", got)
	}
}

func TestLabelValue(t *testing.T) {
	for _, c := range []struct{ labels, want string }{
		{`reason="plc_concealed"`, "plc_concealed"},
		{`codec="PCMU",reason="recording_paused"`, "recording_paused"},
		{`codec="reason",other="x"`, ""},
		{`reason="unterminated`, ""},
		{``, ""},
	} {
		if got := labelValue(c.labels, "reason"); got != c.want {
			t.Errorf("labelValue(%s) = %q, want %q", c.labels, got, c.want)
		}
	}
}

// The files of a run's calls never share a name, as loreste/siprec names
// them: a call's combined file and each of its streams'.
func TestLoresteFileNamesOfARunAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for n := 1; n <= 2000; n++ {
		id := callID("load-1764460000", n)
		for _, name := range []string{id, id + "_" + legs[0], id + "_" + legs[1]} {
			f := loresteFileName(name)
			if other, ok := seen[f]; ok {
				t.Fatalf("%s and %s are both written to %s", other, name, f)
			}
			seen[f] = name
		}
	}
	if got := loresteFileName("a_b@c.d/../" + strings.Repeat("x", 80)); got != "abcd"+strings.Repeat("x", 60)+".wav" {
		t.Errorf("file name %q", got)
	}
}

// A WAV file is complete when its header's sizes agree with the file's.
func TestReadWAVFileSaysWhetherTheHeaderIsFinished(t *testing.T) {
	path := filepath.Join(t.TempDir(), "call.wav")
	w, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	samples := make([]int16, media.FrameSamples)
	for range 50 {
		if err := w.WriteStereo(samples, samples); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := readWAVFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Complete || f.frames() != 50*media.FrameSamples || f.SampleRate != media.SampleRate {
		t.Fatalf("finished file: %+v, %d frames", f, f.frames())
	}
	// Samples written after the header's last update.
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.Write(make([]byte, 640)); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	if f, err := readWAVFile(path); err != nil || f.Complete {
		t.Fatalf("file longer than its header: %+v, %v", f, err)
	}
	if err := os.WriteFile(path, []byte("RIFF"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readWAVFile(path); err == nil {
		t.Fatal("a 4-byte file read as WAV")
	}
}

// Blocks of silence (as a recorder writes for missing packets) are not
// counted as packets written; blocks of audio are.
func TestAudioBlocksSkipSilence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leg.wav")
	w, err := media.CreateWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	tone := make([]int16, media.FrameSamples)
	for i := range tone {
		tone[i] = int16(1000 + i)
	}
	for i := range 10 {
		if i == 4 {
			if err := w.WriteSilence(3 * media.FrameSamples); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.WriteStereo(tone, tone); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := readWAVFile(path)
	if err != nil || !f.Complete || f.frames() != 13*media.FrameSamples {
		t.Fatalf("file %+v, %v", f, err)
	}
	n, err := audioBlocks(path, f)
	if err != nil || n != 10 {
		t.Fatalf("audio blocks %d, %v; want 10", n, err)
	}
}
