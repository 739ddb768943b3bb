package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// runReport is the part of hush-callload's JSON report the table shows.
type runReport struct {
	Target             string  `json:"target"`
	Calls              int     `json:"calls"`
	Established        int     `json:"established"`
	PacketsSent        int64   `json:"packetsSent"`
	SentOfDuePercent   float64 `json:"sentOfDuePercent"`
	PacketsWritten     int64   `json:"packetsWritten"`
	LossPercent        float64 `json:"lossPercent"`
	UDPRcvbufErrors    int64   `json:"udpRcvbufErrors"`
	CompleteWAVs       int     `json:"completeWavs"`
	ShortWAVs          int     `json:"shortWavs"`
	CPUPerCallPct      float64 `json:"recorderCpuPerCallPercent"`
	CPUPerPacketMicros float64 `json:"recorderCpuPerPacketMicros"`
	Cores              float64 `json:"recorderCores"`
	RSSPerCallKiB      float64 `json:"recorderRssPerCallKiB"`
	LoadAvgStart       float64 `json:"loadAvgStart"`
	LoadAvgEnd         float64 `json:"loadAvgEnd"`
	Pauses             int     `json:"pauses"`
	PauseLatency       string  `json:"pauseLatency"`
	PauseP50Ms         float64 `json:"pauseLatencyP50Ms"`
	PauseP99Ms         float64 `json:"pauseLatencyP99Ms"`
	Audio              string  `json:"audio"`
}

// result is one run of one recorder at one number of calls.
type result struct {
	Target string     `json:"target"`
	Calls  int        `json:"calls"`
	Run    int        `json:"run"`
	Report *runReport `json:"-"`
	// Raw is hush-callload's whole report.
	Raw json.RawMessage `json:"report,omitempty"`
	// Err says why the run gave no report.
	Err string `json:"error,omitempty"`
}

// figure is one row of the table: a number read from each run's report.
type figure struct {
	name string
	// format prints one value.
	format string
	value  func(r *runReport) float64
	// ratio is false for figures whose ratio means nothing (a count that
	// should be equal, a loss that should be zero).
	ratio bool
}

var figures = []figure{
	{"calls established", "%.0f", func(r *runReport) float64 { return float64(r.Established) }, false},
	{"complete WAV files", "%.0f", func(r *runReport) float64 { return float64(r.CompleteWAVs - r.ShortWAVs) }, false},
	{"packets lost (%)", "%.4f", func(r *runReport) float64 { return r.LossPercent }, false},
	{"recorder CPU, all calls up (cores)", "%.2f", func(r *runReport) float64 { return r.Cores }, true},
	{"CPU per call (% of a core)", "%.3f", func(r *runReport) float64 { return r.CPUPerCallPct }, true},
	{"CPU per packet (µs)", "%.2f", func(r *runReport) float64 { return r.CPUPerPacketMicros }, true},
	{"memory per call (KiB)", "%.0f", func(r *runReport) float64 { return r.RSSPerCallKiB }, true},
	{"load tool: packets sent, % of those due", "%.1f", func(r *runReport) float64 { return r.SentOfDuePercent }, false},
	{"pause latency p50 (ms)", "%.1f", func(r *runReport) float64 { return r.PauseP50Ms }, false},
	{"pause latency p99 (ms)", "%.1f", func(r *runReport) float64 { return r.PauseP99Ms }, false},
	{"load average, start → end", "", nil, false},
}

// median returns the median of xs (the mean of the middle two for an
// even count), or NaN for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// reports returns the reports of target's runs at calls, in run order.
func reports(results []result, target string, calls int) []*runReport {
	var out []*runReport
	for _, r := range results {
		if r.Target == target && r.Calls == calls && r.Report != nil {
			out = append(out, r.Report)
		}
	}
	return out
}

// cell is a figure's median over runs, in bold, then every run's value.
func cell(f figure, runs []*runReport) (string, float64) {
	if len(runs) == 0 {
		return "no run", math.NaN()
	}
	if f.value == nil { // the load averages
		var parts []string
		for _, r := range runs {
			parts = append(parts, fmt.Sprintf("%.1f → %.1f", r.LoadAvgStart, r.LoadAvgEnd))
		}
		return strings.Join(parts, ", "), math.NaN()
	}
	vals := make([]string, len(runs))
	xs := make([]float64, len(runs))
	for i, r := range runs {
		xs[i] = f.value(r)
		vals[i] = fmt.Sprintf(f.format, xs[i])
	}
	m := median(xs)
	s := "**" + fmt.Sprintf(f.format, m) + "**"
	if len(runs) > 1 {
		s += " [" + strings.Join(vals, ", ") + "]"
	}
	return s, m
}

// ratio formats a ÷ b, or a dash when it means nothing.
func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// printTable writes one Markdown table per number of calls: each figure's
// median for hush and loreste/siprec (the runs in brackets) and their
// ratio, then the runs that failed.
func printTable(w io.Writer, results []result, sizes []int) {
	for _, n := range sizes {
		h, l := reports(results, targetHush, n), reports(results, targetLoreste, n)
		fmt.Fprintf(w, "\n%d calls (median of %d hush and %d loreste/siprec runs; the runs in brackets)\n\n", n, len(h), len(l))
		fmt.Fprintln(w, "| figure | hush | loreste/siprec | hush ÷ loreste |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, f := range figures {
			hs, hm := cell(f, h)
			ls, lm := cell(f, l)
			rs := "–"
			if f.ratio {
				rs = ratio(hm, lm)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.name, hs, ls, rs)
		}
		if len(h) > 0 && len(l) > 0 {
			fmt.Fprintf(w, "\nPause latency: hush, %s; loreste/siprec, %s. The calls carried %s.\n", h[0].PauseLatency, l[0].PauseLatency, h[0].Audio)
		}
	}
	for _, r := range results {
		if r.Err != "" {
			fmt.Fprintf(w, "\n%s, %d calls, run %d: %s", r.Target, r.Calls, r.Run, r.Err)
		}
	}
	fmt.Fprintln(w)
}
