package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/backoff"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
)

// report is what a run measured.
type report struct {
	Calls          int     `json:"calls"`
	Established    int     `json:"established"`
	Failed         int     `json:"failed"`
	Cores          int     `json:"cores"`
	Duration       string  `json:"duration"`
	PacketsSent    int64   `json:"packetsSent"`
	PacketsWritten int64   `json:"packetsWritten"`
	LossPercent    float64 `json:"lossPercent"`
	// SeqGaps, Late and Early break the loss down as the recorder saw it:
	// never received, received after their audio was committed, received
	// too far ahead of it.
	SeqGaps int64 `json:"seqGaps"`
	Late    int64 `json:"late"`
	Early   int64 `json:"early"`
	// UDPRcvbufErrors counts datagrams this machine's kernel dropped for
	// full socket buffers during the run (all processes).
	UDPRcvbufErrors int64 `json:"udpRcvbufErrors"`
	CompleteWAVs    int   `json:"completeWavs"`
	ShortWAVs       int   `json:"shortWavs"`
	// HushCores is the CPU hush used with every call up, in cores; per
	// call in percent of one core.
	HushCores         float64 `json:"hushCores,omitempty"`
	HushCPUPerCallPct float64 `json:"hushCpuPerCallPercent,omitempty"`
	HushRSSBaseMiB    float64 `json:"hushRssBaseMiB,omitempty"`
	HushRSSLoadedMiB  float64 `json:"hushRssLoadedMiB,omitempty"`
	HushRSSPerCallKiB float64 `json:"hushRssPerCallKiB,omitempty"`
	ToolCores         float64 `json:"toolCores"`
	Pauses            int     `json:"pauses"`
	PauseLatencyP50Ms float64 `json:"pauseLatencyP50Ms"`
	PauseLatencyP99Ms float64 `json:"pauseLatencyP99Ms"`
	PauseLatencyMaxMs float64 `json:"pauseLatencyMaxMs"`
	SendErrors        int64   `json:"sendErrors"`
	FirstCallErr      string  `json:"firstCallError,omitempty"`
}

// call is one call of the run.
type call struct {
	id       string
	sess     *demo.Session
	streams  [2]*demo.Stream
	err      error
	pausedAt time.Time // when the pause request was sent
}

func load(ctx context.Context, o options, log io.Writer) (*report, error) {
	api := demo.API{Base: o.api, Key: o.key, Client: &http.Client{Timeout: 30 * time.Second}}
	sbc, err := demo.NewSBC(o.sip, o.sip.Addr())
	if err != nil {
		return nil, err
	}
	defer sbc.Close()
	st, err := demo.NewStreamer(o.sip.Addr())
	if err != nil {
		return nil, err
	}
	sctx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	go st.Run(sctx)
	audio := tone()
	rep := &report{Calls: o.calls, Cores: runtime.NumCPU(), Duration: o.duration.String()}

	rcvbuf0 := udpRcvbufErrors()
	var base usage
	if o.pid > 0 {
		if base, err = sample(o.pid); err != nil {
			return nil, err
		}
	}
	run := fmt.Sprintf("load-%d", time.Now().Unix())
	calls := make([]*call, o.calls)
	var wg sync.WaitGroup
	fmt.Fprintf(log, "placing %d calls over %v\n", o.calls, o.ramp)
	for i := range calls {
		c := &call{id: fmt.Sprintf("%s-%d", run, i+1)}
		calls[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			c.sess, c.err = sbc.Call(ictx, demo.CallSpec{
				CallID: c.id, CallerPort: st.Port(), AgentPort: st.Port(),
				Caller: demo.Party{AOR: fmt.Sprintf("sip:+1555%07d@load.example", i)},
				Agent:  demo.Party{AOR: fmt.Sprintf("sip:agent-load%d@load.example", i%50)},
			})
			if c.err == nil {
				c.streams[0] = st.Start(c.sess.Caller, audio, uint32(2*i+1))
				c.streams[1] = st.Start(c.sess.Agent, audio, uint32(2*i+2))
			}
		}()
		if o.ramp > 0 && !backoff.Sleep(ctx, o.ramp/time.Duration(o.calls)) {
			break
		}
	}
	wg.Wait()
	for _, c := range calls {
		if c.err != nil || c.sess == nil {
			rep.Failed++
			if rep.FirstCallErr == "" && c.err != nil {
				rep.FirstCallErr = c.err.Error()
			}
		} else {
			rep.Established++
		}
	}
	fmt.Fprintf(log, "%d calls up, %d failed; holding them for %v\n", rep.Established, rep.Failed, o.duration)
	backoff.Sleep(ctx, 2*time.Second) // let the last calls settle
	var loaded usage
	if o.pid > 0 {
		loaded, _ = sample(o.pid)
	}
	selfA, _ := sample(os.Getpid())
	pauseAPI := api
	if o.pauseAPI != "" {
		pauseAPI.Base = o.pauseAPI
	}
	pauses := schedulePauses(ctx, pauseAPI, calls, o, log)
	backoff.Sleep(ctx, o.duration)
	<-pauses
	if o.pid > 0 {
		end, err := sample(o.pid)
		if err == nil {
			rep.HushCores = cores(loaded, end)
			rep.HushCPUPerCallPct = 100 * rep.HushCores / float64(max(rep.Established, 1))
			rep.HushRSSBaseMiB = float64(base.rss) / (1 << 20)
			rep.HushRSSLoadedMiB = float64(end.rss) / (1 << 20)
			rep.HushRSSPerCallKiB = float64(end.rss-base.rss) / 1024 / float64(max(rep.Established, 1))
		}
	}
	selfB, _ := sample(os.Getpid())
	rep.ToolCores = cores(selfA, selfB)

	// Stop the media, let the last packets land, hang up.
	for _, c := range calls {
		if c.sess == nil {
			continue
		}
		st.Stop(c.streams[0])
		st.Stop(c.streams[1])
	}
	// A tick in flight may still send: count once it has.
	time.Sleep(200 * time.Millisecond)
	for _, c := range calls {
		if c.sess != nil {
			rep.PacketsSent += c.streams[0].Sent() + c.streams[1].Sent()
		}
	}
	rep.SendErrors = st.Errors.Load()
	rep.UDPRcvbufErrors = udpRcvbufErrors() - rcvbuf0
	fmt.Fprintln(log, "hanging up")
	hangUp(calls)
	fmt.Fprintln(log, "reading segment maps")
	collect(ctx, api, calls, rep, o.duration)
	return rep, nil
}

// schedulePauses pauses the recording of o.pauses calls, one every 10 ms
// from a third into the window, and resumes each a second later. The
// channel closes when all are done.
func schedulePauses(ctx context.Context, api demo.API, calls []*call, o options, log io.Writer) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if !backoff.Sleep(ctx, o.duration/3) {
			return
		}
		var wg sync.WaitGroup
		n := 0
		for _, c := range calls {
			if c.sess == nil || n == o.pauses {
				continue
			}
			n++
			wg.Add(1)
			c.pausedAt = time.Now()
			go func() {
				defer wg.Done()
				path := "/v1/conversations/" + c.id + "/recording/"
				if err := api.Do(ctx, "POST", path+"pause", map[string]any{"reason": "latency probe"}, nil); err != nil {
					fmt.Fprintln(log, "pause:", err)
					c.pausedAt = time.Time{}
					return
				}
				backoff.Sleep(ctx, time.Second)
				if err := api.Do(ctx, "POST", path+"resume", map[string]any{}, nil); err != nil {
					fmt.Fprintln(log, "resume:", err)
				}
			}()
			if !backoff.Sleep(ctx, 10*time.Millisecond) {
				break
			}
		}
		wg.Wait()
	}()
	return done
}

func hangUp(calls []*call) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 50)
	for _, c := range calls {
		if c.sess == nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_ = c.sess.Bye(ctx)
		}()
	}
	wg.Wait()
}

// collect reads every call's segment map once it is complete.
func collect(ctx context.Context, api demo.API, calls []*call, rep *report, window time.Duration) {
	var lat []float64
	deadline := time.Now().Add(60 * time.Second)
	for _, c := range calls {
		if c.sess == nil {
			continue
		}
		var m media.SegmentMap
		for {
			err := api.Do(ctx, "GET", "/v1/conversations/"+c.id+"/recording/segments", nil, &m)
			if err == nil && m.Complete || time.Now().After(deadline) || ctx.Err() != nil {
				break
			}
			backoff.Sleep(ctx, 100*time.Millisecond)
		}
		if !m.Complete || m.Stats == nil {
			continue
		}
		rep.CompleteWAVs++
		if m.WAVSamples < int64(window/time.Second)*media.SampleRate {
			rep.ShortWAVs++
		}
		for _, s := range []media.StreamStats{m.Stats.Caller, m.Stats.Agent} {
			rep.PacketsWritten += s.Packets - s.Early - s.Late
			rep.SeqGaps += s.Lost
			rep.Late += s.Late
			rep.Early += s.Early
		}
		if c.pausedAt.IsZero() {
			continue
		}
		for _, s := range m.Segments {
			if s.State != media.SegmentPaused || s.GateClosedAt == "" {
				continue
			}
			if t, err := time.Parse(time.RFC3339Nano, s.GateClosedAt); err == nil && !t.Before(c.pausedAt) {
				lat = append(lat, float64(t.Sub(c.pausedAt))/float64(time.Millisecond))
				break
			}
		}
	}
	if rep.PacketsSent > 0 {
		rep.LossPercent = 100 * float64(rep.PacketsSent-rep.PacketsWritten) / float64(rep.PacketsSent)
	}
	slices.Sort(lat)
	rep.Pauses = len(lat)
	rep.PauseLatencyP50Ms = percentile(lat, 0.50)
	rep.PauseLatencyP99Ms = percentile(lat, 0.99)
	if len(lat) > 0 {
		rep.PauseLatencyMaxMs = lat[len(lat)-1]
	}
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return math.Round(sorted[max(i, 0)]*100) / 100
}

// tone is ten seconds of a 440 Hz tone as PCMU.
func tone() []byte {
	out := make([]byte, 10*media.SampleRate)
	for i := range out {
		out[i] = g711.EncodeUlawFrame(int16(6000 * math.Sin(2*math.Pi*440*float64(i)/media.SampleRate)))
	}
	return out
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, `calls            %d up, %d failed (of %d)%s
window           %s with every call up, %d cores
packets          %d sent, %d written, %.4f %% lost (%d never received, %d late, %d early; kernel dropped %d)
WAV files        %d complete, %d short
hush CPU         %.2f cores, %.3f %% of a core per call
hush memory      %.1f MiB idle, %.1f MiB loaded, %.0f KiB per call
tool CPU         %.2f cores
pause latency    p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d pauses)
send errors      %d
`, r.Established, r.Failed, r.Calls, firstErr(r.FirstCallErr), r.Duration, r.Cores,
		r.PacketsSent, r.PacketsWritten, r.LossPercent, r.SeqGaps, r.Late, r.Early, r.UDPRcvbufErrors, r.CompleteWAVs, r.ShortWAVs,
		r.HushCores, r.HushCPUPerCallPct, r.HushRSSBaseMiB, r.HushRSSLoadedMiB, r.HushRSSPerCallKiB,
		r.ToolCores, r.PauseLatencyP50Ms, r.PauseLatencyP99Ms, r.PauseLatencyMaxMs, r.Pauses, r.SendErrors)
}

func firstErr(s string) string {
	if s == "" {
		return ""
	}
	return " — first error: " + s
}
