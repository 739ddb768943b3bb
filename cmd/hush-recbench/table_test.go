package main

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is a number")
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 {
		t.Error("median sorted its argument")
	}
}

// The table shows each recorder's median with the runs beside it, and
// the ratio of the medians where a ratio means something.
func TestTableShowsMediansAndRatios(t *testing.T) {
	rep := func(target string, cpu, kib, p99 float64) *runReport {
		return &runReport{Target: target, Calls: 500, PauseLatency: target + " latency", Established: 500, CompleteWAVs: 500,
			CPUPerCallPct: cpu, Cores: cpu * 5, RSSPerCallKiB: kib, PauseP99Ms: p99, LoadAvgStart: 1, LoadAvgEnd: 2.5}
	}
	results := []result{
		{Target: targetHush, Calls: 500, Run: 1, Report: rep(targetHush, 0.10, 200, 40)},
		{Target: targetLoreste, Calls: 500, Run: 1, Report: rep(targetLoreste, 0.30, 230, 5)},
		{Target: targetHush, Calls: 500, Run: 2, Report: rep(targetHush, 0.14, 180, 60)},
		{Target: targetLoreste, Calls: 500, Run: 2, Err: "hush-callload: exit status 1"},
		{Target: targetHush, Calls: 500, Run: 3, Report: rep(targetHush, 0.12, 190, 50)},
		{Target: targetLoreste, Calls: 500, Run: 3, Report: rep(targetLoreste, 0.30, 250, 7)},
	}
	var out bytes.Buffer
	printTable(&out, results, []int{500, 1000})
	s := out.String()
	for _, want := range []string{
		"500 calls (median of 3 hush and 2 loreste/siprec runs",
		"| CPU per call (% of a core) | **0.120** [0.100, 0.140, 0.120] | **0.300** [0.300, 0.300] | 0.40× |",
		"| memory per call (KiB) | **190** [200, 180, 190] | **240** [230, 250] | 0.79× |",
		"| pause latency p99 (ms) | **50.0** [40.0, 60.0, 50.0] | **6.0** [5.0, 7.0] | – |",
		"| complete WAV files | **500** [500, 500, 500] | **500** [500, 500] | – |",
		"| load average, start → end | 1.0 → 2.5, 1.0 → 2.5, 1.0 → 2.5 |",
		"Pause latency: hush, hush latency; loreste/siprec, loreste latency.",
		"1000 calls (median of 0 hush and 0 loreste/siprec runs",
		"| CPU per call (% of a core) | no run | no run | – |",
		"loreste, 500 calls, run 2: hush-callload: exit status 1",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("table lacks %q:\n%s", want, s)
		}
	}
}

func TestOptions(t *testing.T) {
	o, err := parseOptions([]string{"--calls", "100, 200", "--runs", "1", "--work", "/tmp/w"}, io.Discard)
	if err != nil || len(o.calls) != 2 || o.calls[1] != 200 || o.runs != 1 || o.loreste.commit != defaultLoresteCommit {
		t.Fatalf("options %+v, %v", o, err)
	}
	for _, args := range [][]string{
		{"--calls", "0"},
		{"--calls", "500,x"},
		{"--runs", "0"},
		{"--rtp-ports", "20000"},
		{"--rtp-ports", "30000-20000"},
		{"--calls", "1500", "--rtp-ports", "20000-21000"}, // 6000 ports needed
	} {
		if _, err := parseOptions(args, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
