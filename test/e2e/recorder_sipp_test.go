package e2e

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/testwait"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

// sippPath is where Debian's sip-tester installs sipp.
const sippPath = "/usr/bin/sipp"

// requireSipp fails (never skips) when sipp is missing: the recorder's
// tests need a real SIPREC client.
func requireSipp(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sippPath); err != nil {
		t.Fatalf("sipp is missing (%v): run `make test`, which installs Debian's sip-tester", err)
	}
}

// hush is a running server assembly with the recorder on.
type hush struct {
	t    *testing.T
	data string
	http string
	sip  netip.AddrPort
	key  string
}

func startHush(t *testing.T, rtpPorts string, opts ...func(*server.RecorderConfig)) *hush {
	t.Helper()
	data := t.TempDir()
	rc := server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: rtpPorts, AgentPattern: server.DefaultAgentPattern, ASR: "energy"}
	for _, o := range opts {
		o(&rc)
	}
	r := servertest.Start(t, server.Config{
		Data: data, Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler), Recorder: rc,
	})
	key, err := r.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	return &hush{t: t, data: data, http: r.Addr(), sip: r.SIPAddr(), key: key}
}

// do calls the API as the admin and decodes a JSON answer into out.
func (h *hush) do(method, path, body string, out any) int {
	h.t.Helper()
	return h.doAs(h.key, method, path, body, out)
}

// doAs calls the API with key.
func (h *hush) doAs(key, method, path, body string, out any) int {
	h.t.Helper()
	req, err := http.NewRequest(method, "http://"+h.http+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if p, ok := out.(*[]byte); ok {
			*p = b
		} else if err := json.Unmarshal(b, out); err != nil {
			h.t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

// sidecarStreams waits for the recorder's metadata document of a call and
// returns its streams.
func (h *hush) sidecarStreams(id string) map[string]int {
	h.t.Helper()
	path := filepath.Join(h.data, server.RecordingsDir, id+".siprec.json")
	out := map[string]int{}
	testwait.Eventually(h.t, func() (bool, error) {
		var doc struct {
			Streams []struct {
				Channel string `json:"channel"`
				Port    int    `json:"port"`
			} `json:"streams"`
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return false, err
		}
		if err := json.Unmarshal(b, &doc); err != nil || len(doc.Streams) != 2 {
			return false, fmt.Errorf("%d streams (%v)", len(doc.Streams), err)
		}
		for _, s := range doc.Streams {
			out[s.Channel] = s.Port
		}
		return true, nil
	}, "call %s to start", id)
	return out
}

// sendTone sends a 620 Hz PCMA tone, 20 ms a packet, to port until stop.
func sendTone(t *testing.T, port int, stop <-chan struct{}) <-chan int {
	return toneSender{freq: 620, ssrc: 0xA9E47}.send(t, 0, port, stop)
}

type auditEntries struct {
	Entries []audit.Entry `json:"entries"`
}

// effectiveAt returns the time the first audit entry with action names.
func effectiveAt(t *testing.T, list auditEntries, action string) time.Time {
	t.Helper()
	for _, e := range list.Entries {
		if e.Action != action {
			continue
		}
		var d struct {
			EffectiveAt time.Time `json:"effectiveAt"`
		}
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatal(err)
		}
		return d.EffectiveAt
	}
	t.Fatalf("no %s in the audit", action)
	return time.Time{}
}

// wav parses a stereo 16-bit WAV into its channels.
func parseWAV(t *testing.T, b []byte) (left, right []int16) {
	t.Helper()
	info, err := media.ReadWAVInfo(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if info.Channels != 2 || info.SampleRate != media.SampleRate || info.Bits != 16 || info.RIFFSize != info.DataSize+36 ||
		info.DataOffset+info.DataSize != int64(len(b)) {
		t.Fatalf("WAV header %+v does not describe the %d bytes served", info, len(b))
	}
	data := b[info.DataOffset:]
	n := len(data) / 4
	left, right = make([]int16, n), make([]int16, n)
	for i := range n {
		left[i] = int16(binary.LittleEndian.Uint16(data[4*i:]))
		right[i] = int16(binary.LittleEndian.Uint16(data[4*i+2:]))
	}
	return left, right
}

func frameRMS(ch []int16, i int) float64 {
	var sum float64
	for _, v := range ch[i*media.FrameSamples : (i+1)*media.FrameSamples] {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / media.FrameSamples)
}

func frameSilent(ch []int16, i int) bool {
	for _, v := range ch[i*media.FrameSamples : (i+1)*media.FrameSamples] {
		if v != 0 {
			return false
		}
	}
	return true
}

// frameOf returns the index of the 20 ms frame holding time at.
func frameOf(start, at time.Time) int { return int(at.Sub(start) / media.FrameDuration) }

// TestSIPRECCallsFromTwoVendors records one call in the style of each of
// two SBC vendors, driven by sipp (caller stream, from a pcap) and a Go
// RTP sender (agent stream). Each call is put on hold by its client
// (re-INVITE), resumed (re-INVITE or UPDATE) and, in between, paused over
// the API reaching 2 s into the past. The WAV file must show both
// channels' audio outside the pauses, digital silence inside them, each
// pause starting at the time it names, within a frame.
func TestSIPRECCallsFromTwoVendors(t *testing.T) {
	t.Parallel()
	requireSipp(t)
	// sipp plays its pcap from the port of the offer's last audio line,
	// not the first line's it plays to, and the Go sender cannot bind the
	// port the offer names (sipp holds it): as with an SBC behind NAT, the
	// recorder latches onto the source each stream's media comes from.
	h := startHush(t, "41000-41999", func(c *server.RecorderConfig) { c.LatchRTP = true })
	vendors := []struct {
		name, scenario, transport string
		mediaPort                 int
		pause                     string // the audit action of the client's pause
		agent                     string // the agentId the agent rule finds
	}{
		{"cube", "cube.xml", "u1", 43000, "event.source-pause", "dana"},
		{"oracle", "oracle.xml", "t1", 43100, "event.source-pause", "0042"},
	}
	for _, v := range vendors {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			id := v.name + "-1"
			scenario, _ := filepath.Abs(filepath.Join("..", "..", "internal", "siprec", "testdata", "sipp", v.scenario))
			sipp := exec.Command(sippPath, h.sip.String(), "-sf", scenario, "-m", "1", "-t", v.transport,
				"-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", "0", "-mp", fmt.Sprint(v.mediaPort),
				"-cid_str", v.name+"-%u", "-nostdin", "-timeout", "30s", "-timeout_error")
			sipp.Dir = t.TempDir()
			var out bytes.Buffer
			sipp.Stdout, sipp.Stderr = &out, &out
			if err := sipp.Start(); err != nil {
				t.Fatal(err)
			}
			ports := h.sidecarStreams(id)
			began := time.Now()
			stop := make(chan struct{})
			sent := sendTone(t, ports["agent"], stop)

			// 6 s after the call began, pause reaching 2 s back (after the
			// client's resume at 3.5 s), resume 0.4 s later (before its
			// BYE at 7 s).
			time.Sleep(time.Until(began.Add(6 * time.Second)))
			asked := time.Now()
			if st := h.do("POST", "/v1/conversations/"+id+"/recording/pause", `{"reason":"card number","retroactiveMs":2000}`, nil); st != 202 {
				t.Fatalf("pause: %d", st)
			}
			answered := time.Now()
			time.Sleep(400 * time.Millisecond)
			if st := h.do("POST", "/v1/conversations/"+id+"/recording/resume", `{}`, nil); st != 202 {
				t.Fatalf("resume: %d", st)
			}
			if err := sipp.Wait(); err != nil {
				t.Fatalf("sipp: %v\n%s", err, out.String())
			}
			close(stop)
			if n := <-sent; n < 300 {
				t.Fatalf("the agent stream sent only %d packets", n)
			}

			var m media.SegmentMap
			testwait.Eventually(t, func() (bool, error) {
				h.do("GET", "/v1/conversations/"+id+"/recording/segments", "", &m)
				return m.Complete, fmt.Errorf("%+v", m)
			}, "the recording to be finalized")
			var wav []byte
			if st := h.do("GET", "/v1/conversations/"+id+"/recording.wav", "", &wav); st != 200 {
				t.Fatalf("recording.wav: %d", st)
			}
			left, right := parseWAV(t, wav)
			var list auditEntries
			h.do("GET", "/v1/audit?conversation="+id, "", &list)
			start, err := time.Parse(time.RFC3339Nano, m.Start)
			if err != nil {
				t.Fatal(err)
			}
			checkRecording(t, m, left, right, start, []pauseCheck{
				{name: "client hold", from: effectiveAt(t, list, v.pause), reason: "source"},
				{name: "retroactive pause", from: effectiveAt(t, list, "command.pause"), reason: "manual", before: asked},
			})
			// hush takes "now" when it handles the request, somewhere
			// between sending and answering: the pause names 2 s before that.
			named := effectiveAt(t, list, "command.pause")
			if named.Before(asked.Add(-2*time.Second)) || named.After(answered.Add(-2*time.Second)) {
				t.Fatalf("the API pause names %v, want 2 s before a moment between %v and %v", named, asked, answered)
			}
			if st := m.Stats; st == nil || st.Caller.Packets < 200 || st.Agent.Packets < 300 {
				t.Fatalf("stream stats %+v", m.Stats)
			}
			checkAccess(t, h, id, v.agent)
		})
	}
}

// checkAccess checks the recording routes keep to the conversation's
// access rules: its agent reads them, another agent does not.
func checkAccess(t *testing.T, h *hush, id, agent string) {
	t.Helper()
	key := func(agentID string) string {
		var k struct {
			Key string `json:"key"`
		}
		if st := h.do("POST", "/v1/keys", `{"role":"agent","agentId":"`+agentID+`"}`, &k); st != 201 {
			t.Fatalf("create key: %d", st)
		}
		return k.Key
	}
	own, other := key(agent), key("someone-else")
	var tr struct {
		Complete bool `json:"complete"`
		Segments []struct {
			Channel string `json:"channel"`
			StartMs int64  `json:"startMs"`
		} `json:"segments"`
	}
	for _, p := range []string{"/recording.wav", "/recording/segments", "/transcript"} {
		if st := h.doAs(other, "GET", "/v1/conversations/"+id+p, "", nil); st != 403 {
			t.Fatalf("another agent reads %s: %d, want 403", p, st)
		}
	}
	if st := h.doAs(own, "GET", "/v1/conversations/"+id+"/transcript", "", &tr); st != 200 || len(tr.Segments) == 0 {
		t.Fatalf("the call's agent reads the transcript: %d %+v", st, tr)
	}
	if st := h.doAs(own, "GET", "/v1/conversations/"+id+"/recording.wav", "", nil); st != 200 {
		t.Fatalf("the call's agent reads the recording: %d", st)
	}
}

// A conversation the recorder did not record has no recording.
func TestNoRecordingIsNotFound(t *testing.T) {
	t.Parallel()
	h := startHush(t, "44000-44099")
	if st := h.do("POST", "/v1/conversations", `{"id":"elsewhere-1","agentId":"alice","recording":"in-progress"}`, nil); st != 201 {
		t.Fatalf("create: %d", st)
	}
	for _, p := range []string{"/recording.wav", "/recording/segments", "/transcript"} {
		var e struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		req, _ := http.NewRequest("GET", "http://"+h.http+"/v1/conversations/elsewhere-1"+p, nil)
		req.Header.Set("Authorization", "Bearer "+h.key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if res.StatusCode != 404 || err != nil || e.Error.Code != "not_found" {
			t.Fatalf("%s: %d %+v %v", p, res.StatusCode, e, err)
		}
	}
	if st := h.do("GET", "/v1/conversations/nope/recording.wav", "", nil); st != 404 {
		t.Fatalf("unknown conversation: %d", st)
	}
}

// pauseCheck is a pause the recording must show.
type pauseCheck struct {
	name   string
	from   time.Time // the time the pause names
	reason string    // kind of its reason in the segment map
	before time.Time // if set, audio up to this time had arrived when the pause was asked
}

func checkRecording(t *testing.T, m media.SegmentMap, left, right []int16, start time.Time, pauses []pauseCheck) {
	t.Helper()
	frames := len(left) / media.FrameSamples
	silentFrame := make([]bool, frames) // inside a paused segment
	var paused []media.Segment
	for _, s := range m.Segments {
		if s.State == media.SegmentPaused {
			paused = append(paused, s)
		}
	}
	if len(paused) != len(pauses) {
		t.Fatalf("paused segments %+v, want %d", paused, len(pauses))
	}
	for i, p := range pauses {
		s := paused[i]
		if len(s.Reasons) == 0 || string(s.Reasons[0].Kind) != p.reason {
			t.Fatalf("%s: segment reasons %+v, want %s", p.name, s.Reasons, p.reason)
		}
		named := frameOf(start, p.from)
		first := s.StartSample / media.FrameSamples
		if d := first - int64(named); d < -1 || d > 1 {
			t.Fatalf("%s: paused segment starts in frame %d, the pause names frame %d", p.name, first, named)
		}
		// Every whole frame of the span is digital silence on both sides,
		// and the first silent frame is the named one, within a frame.
		from, to := int((s.StartSample+media.FrameSamples-1)/media.FrameSamples), int(s.EndSample/media.FrameSamples)
		for f := from; f < to; f++ {
			silentFrame[f] = true
			if !frameSilent(left, f) || !frameSilent(right, f) {
				t.Fatalf("%s: frame %d inside the pause holds audio", p.name, f)
			}
		}
		firstSilent := named - 3
		for firstSilent < frames && !(frameSilent(left, firstSilent) && frameSilent(right, firstSilent)) {
			firstSilent++
		}
		if d := firstSilent - named; d < -1 || d > 1 {
			t.Fatalf("%s: the WAV falls silent at frame %d, the pause names frame %d", p.name, firstSilent, named)
		}
		if !p.before.IsZero() && frameOf(start, p.before)-from < 90 {
			t.Fatalf("%s: only %d frames between the named time and the request", p.name, frameOf(start, p.before)-from)
		}
	}
	// Outside the pauses both sides carry audio, from the first packet of
	// each to the last 300 ms of the call (the pcap may end before the BYE).
	firstAudio := func(ch []int16) int {
		for f := range frames {
			if !frameSilent(ch, f) {
				return f
			}
		}
		return frames
	}
	fl, fr := firstAudio(left), firstAudio(right)
	if fl > 25 || fr > 25 {
		t.Fatalf("audio starts late: caller frame %d, agent frame %d", fl, fr)
	}
	for f := max(fl, fr) + 1; f < frames-15; f++ {
		if silentFrame[f] || (f > 0 && silentFrame[f-1]) || (f+1 < frames && silentFrame[f+1]) {
			continue
		}
		if frameSilent(left, f) {
			t.Fatalf("caller frame %d is silent outside any pause", f)
		}
		if r := frameRMS(right, f); r < 2000 {
			t.Fatalf("agent frame %d has RMS %.0f outside any pause", f, r)
		}
	}
}
