package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/backoff"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
)

// report is what a run measured.
type report struct {
	Target      string `json:"target"`
	Audio       string `json:"audio"` // what the calls carried
	Calls       int    `json:"calls"`
	Established int    `json:"established"`
	Failed      int    `json:"failed"`
	Cores       int    `json:"cores"`
	Duration    string `json:"duration"`
	PacketsSent int64  `json:"packetsSent"`
	// SentOfDuePercent is the share of the packets due in the window (two
	// streams a call, 50 a second each) that the tool sent in it: below
	// 100 the tool fell behind and offered the recorder less than the
	// calls' load.
	SentOfDuePercent float64 `json:"sentOfDuePercent"`
	PacketsWritten   int64   `json:"packetsWritten"`
	LossPercent      float64 `json:"lossPercent"`
	// SeqGaps, Late and Early break the loss down as hush saw it: never
	// received, received after their audio was committed, received too
	// far ahead of it.
	SeqGaps int64 `json:"seqGaps"`
	Late    int64 `json:"late"`
	Early   int64 `json:"early"`
	// Concealed counts the packets loreste/siprec meant to fill with
	// silence for gaps in the sequence (its plc_concealed counter; silence
	// is never counted as written), PausedDropped those it dropped while
	// a stream was paused (counted as written: the pause asked for it).
	Concealed     int64 `json:"concealed,omitempty"`
	PausedDropped int64 `json:"pausedDropped,omitempty"`
	// UDPRcvbufErrors counts datagrams this machine's kernel dropped for
	// full socket buffers during the run (all processes).
	UDPRcvbufErrors int64 `json:"udpRcvbufErrors"`
	CompleteWAVs    int   `json:"completeWavs"`
	ShortWAVs       int   `json:"shortWavs"`
	// RecorderCores is the CPU the recorder used with every call up, in
	// cores; per call in percent of one core, per packet in microseconds.
	RecorderCores          float64 `json:"recorderCores,omitempty"`
	RecorderCPUPerCallPct  float64 `json:"recorderCpuPerCallPercent,omitempty"`
	RecorderCPUPerPacketUs float64 `json:"recorderCpuPerPacketMicros,omitempty"`
	RecorderRSSBaseMiB     float64 `json:"recorderRssBaseMiB,omitempty"`
	RecorderRSSLoadedMiB   float64 `json:"recorderRssLoadedMiB,omitempty"`
	RecorderRSSPerCallKiB  float64 `json:"recorderRssPerCallKiB,omitempty"`
	ToolCores              float64 `json:"toolCores"`
	// LoadAvgStart and LoadAvgEnd are the machine's one-minute load
	// average when the run began and ended.
	LoadAvgStart float64 `json:"loadAvgStart"`
	LoadAvgEnd   float64 `json:"loadAvgEnd"`
	Pauses       int     `json:"pauses"`
	// PauseLatency says what the pause latencies measure, which differs
	// between recorders.
	PauseLatency      string  `json:"pauseLatency,omitempty"`
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
	pausedAt time.Time     // when the pause request was written to its connection
	pauseAck time.Duration // from the pause request to its answer
}

// recorder is what differs between the recorders the tool drives: how a
// call's recording is paused and resumed, and how what it wrote is read
// back.
type recorder interface {
	pause(ctx context.Context, c *call) error
	resume(ctx context.Context, c *call) error
	// collect reads, once the calls have hung up, what the recorder
	// wrote for them into rep: packets written, complete files, pause
	// latencies.
	collect(ctx context.Context, calls []*call, rep *report, window time.Duration) error
}

func newRecorder(ctx context.Context, o options) (recorder, error) {
	client := &http.Client{Timeout: 30 * time.Second}
	if o.target == targetLoreste {
		return newLoreste(ctx, o.api, o.key, o.recordings, client)
	}
	h := hush{api: demo.API{Base: o.api, Key: o.key, Client: client}}
	h.pauses = h.api
	if o.pauseAPI != "" {
		h.pauses.Base = o.pauseAPI
	}
	return h, nil
}

func load(ctx context.Context, o options, log io.Writer) (*report, error) {
	rec, err := newRecorder(ctx, o)
	if err != nil {
		return nil, err
	}
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
	caller, agent, source, err := audio(ctx, o.audio)
	if err != nil {
		return nil, err
	}
	rep := &report{Audio: source, Target: o.target, Calls: o.calls, Cores: runtime.NumCPU(), Duration: o.duration.String(), LoadAvgStart: loadAvg()}

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
		c := &call{id: callID(run, i+1)}
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
				c.streams[0] = st.Start(c.sess.Caller, caller, uint32(2*i+1))
				c.streams[1] = st.Start(c.sess.Agent, agent, uint32(2*i+2))
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
	sentLoaded, windowStart := sent(calls), time.Now()
	selfA, _ := sample(os.Getpid())
	pauses := schedulePauses(ctx, rec, calls, o, log)
	backoff.Sleep(ctx, o.duration)
	<-pauses
	if o.pid > 0 {
		end, err := sample(o.pid)
		if err == nil {
			perCall := float64(max(rep.Established, 1))
			rep.RecorderCores = cores(loaded, end)
			rep.RecorderCPUPerCallPct = 100 * rep.RecorderCores / perCall
			if n := sent(calls) - sentLoaded; n > 0 {
				rep.RecorderCPUPerPacketUs = float64(end.cpu-loaded.cpu) / float64(time.Microsecond) / float64(n)
			}
			rep.RecorderRSSBaseMiB = float64(base.rss) / (1 << 20)
			rep.RecorderRSSLoadedMiB = float64(end.rss) / (1 << 20)
			rep.RecorderRSSPerCallKiB = float64(end.rss-base.rss) / 1024 / perCall
		}
	}
	selfB, _ := sample(os.Getpid())
	rep.ToolCores = cores(selfA, selfB)
	if due := float64(rep.Established) * 2 * float64(time.Since(windowStart)) / float64(media.FrameDuration); due > 0 {
		rep.SentOfDuePercent = 100 * float64(sent(calls)-sentLoaded) / due
	}

	// Stop the media, let the last packets land, hang up.
	for _, c := range calls {
		if c.sess == nil {
			continue
		}
		st.Stop(c.streams[0])
		st.Stop(c.streams[1])
	}
	// A tick in flight may still send: count once it has.
	st.Settle()
	rep.PacketsSent = sent(calls)
	rep.SendErrors = st.Errors.Load()
	// Let the last packets land before the BYEs, as an SBC would.
	time.Sleep(200 * time.Millisecond)
	rep.UDPRcvbufErrors = udpRcvbufErrors() - rcvbuf0
	fmt.Fprintln(log, "hanging up")
	hangUp(calls)
	fmt.Fprintln(log, "reading what was recorded")
	if err := rec.collect(ctx, calls, rep, o.duration); err != nil {
		return nil, err
	}
	if rep.PacketsSent > 0 {
		rep.LossPercent = 100 * float64(rep.PacketsSent-rep.PacketsWritten) / float64(rep.PacketsSent)
	}
	rep.LoadAvgEnd = loadAvg()
	return rep, nil
}

// callID returns the Call-ID of a run's call n. It ends in a letter:
// loreste/siprec names a stream's file by the Call-ID and the stream's
// label without the separator, so with Call-IDs ending in digits call 1's
// first stream (…-1 and 1) and call 11 (…-11) would share a file.
func callID(run string, n int) string { return fmt.Sprintf("%s-%d-call", run, n) }

// sent returns the packets sent so far on the streams of calls.
func sent(calls []*call) int64 {
	var n int64
	for _, c := range calls {
		if c.sess != nil {
			n += c.streams[0].Sent() + c.streams[1].Sent()
		}
	}
	return n
}

// schedulePauses pauses the recording of o.pauses calls, one every 10 ms
// from a third into the window, and resumes each a second later. The
// channel closes when all are done.
func schedulePauses(ctx context.Context, rec recorder, calls []*call, o options, log io.Writer) <-chan struct{} {
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
			go func() {
				defer wg.Done()
				var sent atomic.Int64
				c.pausedAt = time.Now()
				if err := rec.pause(whenSent(ctx, &sent), c); err != nil {
					fmt.Fprintln(log, "pause:", err)
					c.pausedAt = time.Time{}
					return
				}
				if t := sent.Load(); t != 0 {
					c.pausedAt = time.Unix(0, t)
				}
				c.pauseAck = time.Since(c.pausedAt)
				backoff.Sleep(ctx, time.Second)
				if err := rec.resume(ctx, c); err != nil {
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

// whenSent stores in sent the time the request made with ctx was written
// whole to its connection: a pause's latency counts from there, not from
// the tool's own wait for a goroutine and a connection.
func whenSent(ctx context.Context, sent *atomic.Int64) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { sent.CompareAndSwap(0, time.Now().UnixNano()) },
	})
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

// setPauseLatencies sets the report's pause figures from the latencies
// measured (in milliseconds) and what they measure.
func (r *report) setPauseLatencies(lat []float64, what string) {
	slices.Sort(lat)
	r.PauseLatency = what
	r.Pauses = len(lat)
	r.PauseLatencyP50Ms = percentile(lat, 0.50)
	r.PauseLatencyP99Ms = percentile(lat, 0.99)
	if len(lat) > 0 {
		r.PauseLatencyMaxMs = lat[len(lat)-1]
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
// audio returns what the caller's and the agent's streams carry, and
// says what it is.
func audio(ctx context.Context, kind string) (caller, agent []byte, source string, err error) {
	switch kind {
	case audioTone, "":
		t := tone()
		return t, t, "a 440 Hz tone on both streams", nil
	case audioSpeech:
		dir, err := os.MkdirTemp("", "hush-callload-")
		if err != nil {
			return nil, nil, "", err
		}
		defer os.RemoveAll(dir)
		caller, agent, source := demo.Voices(ctx, dir)
		return caller, agent, "speech taking turns (" + source + ")", nil
	}
	return nil, nil, "", fmt.Errorf("--audio %q: want %s or %s", kind, audioTone, audioSpeech)
}

func tone() []byte {
	out := make([]byte, 10*media.SampleRate)
	for i := range out {
		out[i] = g711.EncodeUlawFrame(int16(6000 * math.Sin(2*math.Pi*440*float64(i)/media.SampleRate)))
	}
	return out
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, `recorder         %s
audio            %s
calls            %d up, %d failed (of %d)%s
window           %s with every call up, %d cores, load average %.2f at start, %.2f at end
packets          %d sent, %d written, %.4f %% lost (%d never received, %d late, %d early, %d concealed, %d dropped paused; kernel dropped %d)
WAV files        %d complete, %d short
recorder CPU     %.2f cores, %.3f %% of a core per call, %.2f µs per packet
recorder memory  %.1f MiB idle, %.1f MiB loaded, %.0f KiB per call
tool CPU         %.2f cores, sent %.1f %% of the packets due in the window
pause latency    p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d pauses; %s)
send errors      %d
`, r.Target, r.Audio, r.Established, r.Failed, r.Calls, firstErr(r.FirstCallErr), r.Duration, r.Cores, r.LoadAvgStart, r.LoadAvgEnd,
		r.PacketsSent, r.PacketsWritten, r.LossPercent, r.SeqGaps, r.Late, r.Early, r.Concealed, r.PausedDropped, r.UDPRcvbufErrors,
		r.CompleteWAVs, r.ShortWAVs,
		r.RecorderCores, r.RecorderCPUPerCallPct, r.RecorderCPUPerPacketUs, r.RecorderRSSBaseMiB, r.RecorderRSSLoadedMiB, r.RecorderRSSPerCallKiB,
		r.ToolCores, r.SentOfDuePercent, r.PauseLatencyP50Ms, r.PauseLatencyP99Ms, r.PauseLatencyMaxMs, r.Pauses, r.PauseLatency, r.SendErrors)
}

func firstErr(s string) string {
	if s == "" {
		return ""
	}
	return " — first error: " + s
}
