package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/corpus"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
)

type scoreOptions struct {
	dir         string
	sip         netip.AddrPort
	api         demo.API
	concurrency int
	guard       time.Duration
	quiet       time.Duration
}

func score(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("hush-digits score", flag.ContinueOnError)
	var o scoreOptions
	fs.StringVar(&o.dir, "corpus", "corpus", "corpus directory (hush-digits gen)")
	sip := fs.String("sip", "127.0.0.1:5060", "hush's SIPREC address (loopback)")
	fs.StringVar(&o.api.Base, "api", "http://127.0.0.1:8080", "hush's HTTP API")
	keyFile := fs.String("key-file", "", "file holding an admin API key")
	fs.IntVar(&o.concurrency, "concurrency", 8, "calls at once")
	fs.DurationVar(&o.guard, "guard", 300*time.Millisecond, "the detector's guard, as hush is configured")
	fs.DurationVar(&o.quiet, "quiet", 4*time.Second, "the detector's quiet time, as hush is configured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if o.sip, err = netip.ParseAddrPort(*sip); err != nil || !o.sip.Addr().IsLoopback() {
		return fmt.Errorf("--sip %q: a loopback address and port", *sip)
	}
	key, err := os.ReadFile(*keyFile)
	if err != nil {
		return err
	}
	o.api.Key = strings.TrimSpace(string(key))
	dirs, err := filepath.Glob(filepath.Join(o.dir, "*", "truth.json"))
	if err != nil || len(dirs) == 0 {
		return fmt.Errorf("no calls in %s", o.dir)
	}
	results := make([]result, len(dirs))
	sem := make(chan struct{}, max(1, o.concurrency))
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = scoreOne(ctx, o, filepath.Dir(d))
		}()
	}
	wg.Wait()
	return report(w, results)
}

type result struct {
	call  corpus.Call
	score corpus.Score
	err   error
}

func scoreOne(ctx context.Context, o scoreOptions, dir string) result {
	c, err := corpus.Read(dir)
	if err != nil {
		return result{err: err}
	}
	rec, sent, err := record(ctx, o, c)
	if err != nil {
		return result{call: c, err: err}
	}
	return result{call: c, score: corpus.ScoreCall(c, rec, corpus.Scoring{Guard: o.guard, Quiet: o.quiet, CardSentAt: sent})}
}

// record plays c to the recorder over SIPREC and reads back what it kept.
func record(ctx context.Context, o scoreOptions, c corpus.Call) (corpus.Recorded, time.Time, error) {
	host := o.sip.Addr()
	streams, err := corpus.OpenStreams(host)
	if err != nil {
		return corpus.Recorded{}, time.Time{}, err
	}
	defer streams.Close()
	sbc, err := demo.NewSBC(o.sip, host)
	if err != nil {
		return corpus.Recorded{}, time.Time{}, err
	}
	defer sbc.Close()
	cp, ap := streams.Ports()
	id := fmt.Sprintf("%s-%d", c.ID, time.Now().UnixNano())
	sess, err := sbc.Call(ctx, demo.CallSpec{CallID: id, CallerPort: cp, AgentPort: ap,
		Caller: demo.Party{AOR: "sip:+15550100@carrier.example", Name: "Caller"},
		Agent:  demo.Party{AOR: "sip:agent-digits@pbx.example", Name: "Agent"}})
	if err != nil {
		return corpus.Recorded{}, time.Time{}, err
	}
	sent, err := streams.Play(ctx, c, sess.Caller, sess.Agent)
	if err != nil {
		_ = sess.Bye(ctx)
		return corpus.Recorded{}, sent, err
	}
	if err := sess.Bye(ctx); err != nil {
		return corpus.Recorded{}, sent, err
	}
	rec, err := fetch(ctx, o.api, id)
	return rec, sent, err
}

// fetch waits for the recording to be final and reads it back.
func fetch(ctx context.Context, api demo.API, id string) (corpus.Recorded, error) {
	var seg media.SegmentMap
	for {
		err := api.Do(ctx, "GET", "/v1/conversations/"+id+"/recording/segments", nil, &seg)
		if err == nil && seg.Complete {
			break
		}
		select {
		case <-ctx.Done():
			return corpus.Recorded{}, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	wav, err := get(ctx, api, "/v1/conversations/"+id+"/recording.wav")
	if err != nil {
		return corpus.Recorded{}, err
	}
	left, err := leftChannel(wav)
	if err != nil {
		return corpus.Recorded{}, err
	}
	rec := corpus.Recorded{Caller: left}
	for _, s := range seg.Segments {
		if s.State != media.SegmentPaused {
			continue
		}
		p := corpus.PausedSpan{Start: s.WAVStart, End: s.WAVEnd}
		for _, r := range s.Reasons {
			p.Kinds = append(p.Kinds, string(r.Kind))
		}
		p.GateClosedAt, _ = time.Parse(time.RFC3339Nano, s.GateClosedAt)
		rec.Paused = append(rec.Paused, p)
	}
	var tr asr.Transcript
	if err := api.Do(ctx, "GET", "/v1/conversations/"+id+"/transcript", nil, &tr); err == nil {
		for _, s := range tr.Segments {
			if s.Channel == "caller" {
				rec.Transcript = append(rec.Transcript, corpus.Said{Start: s.StartMs * 8, End: s.EndMs * 8, Text: s.Text})
			}
		}
	}
	return rec, nil
}

func get(ctx context.Context, api demo.API, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", api.Base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+api.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return io.ReadAll(res.Body)
}

func leftChannel(wav []byte) ([]int16, error) {
	info, err := media.ReadWAVInfo(bytes.NewReader(wav))
	if err != nil {
		return nil, err
	}
	if info.Channels != 2 || info.Bits != 16 {
		return nil, errors.New("recording is not 16-bit stereo")
	}
	data := wav[info.DataOffset:min(int64(len(wav)), info.DataOffset+info.DataSize)]
	out := make([]int16, len(data)/4)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(data[4*i:]))
	}
	return out, nil
}

// report prints one row per condition and the totals.
func report(w io.Writer, results []result) error {
	type agg struct {
		calls, card, leaked, digits, heard int
		falsePause, dur                    time.Duration
		lat                                []time.Duration
		errs                               []string
	}
	by := map[string]*agg{}
	total := &agg{}
	for _, r := range results {
		name := r.call.Condition.Name()
		a := by[name]
		if a == nil {
			a = &agg{}
			by[name] = a
		}
		for _, x := range []*agg{a, total} {
			x.calls++
			if r.err != nil {
				x.errs = append(x.errs, r.err.Error())
				continue
			}
			s := r.score
			x.card += s.CardFrames
			x.leaked += s.LeakedFrames
			x.digits += s.CardDigits
			x.heard += s.HeardDigits
			x.falsePause += s.FalsePause
			x.dur += s.Duration
			if s.Latency > 0 {
				x.lat = append(x.lat, s.Latency)
			}
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "condition\tcalls\tleak WAV\tleak transcript\tfalse pause s/call-hour\tlatency p50\terrors")
	row := func(name string, a *agg) {
		leak, heard, fp := 0.0, 0.0, 0.0
		if a.card > 0 {
			leak = 100 * float64(a.leaked) / float64(a.card)
		}
		if a.digits > 0 {
			heard = 100 * float64(a.heard) / float64(a.digits)
		}
		if a.dur > 0 {
			fp = a.falsePause.Seconds() / a.dur.Hours()
		}
		p50 := "-"
		if len(a.lat) > 0 {
			sort.Slice(a.lat, func(i, j int) bool { return a.lat[i] < a.lat[j] })
			p50 = a.lat[len(a.lat)/2].Round(time.Millisecond).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f%%\t%.2f%%\t%.1f\t%s\t%d\n", name, a.calls, leak, heard, fp, p50, len(a.errs))
	}
	for _, n := range names {
		row(n, by[n])
	}
	row("all", total)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range total.errs {
		fmt.Fprintln(w, "error:", e)
	}
	return nil
}
