package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
)

// recorderProc is `hush serve` with the recorder on, as a child process.
type recorderProc struct {
	cmd  *exec.Cmd
	http string
	done chan error
}

// startRecorderProc runs the hush binary with the recorder on sipAddr,
// and any extra flags, and waits until it serves.
func startRecorderProc(t testing.TB, bin, data, sipAddr, rtpPorts string, extra ...string) *recorderProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0", "--sip-listen", sipAddr,
		"--rtp-ports", rtpPorts, "--commit-delay", "1s", "--asr", "energy", "--reconcile-every", "1s"}, extra...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &recorderProc{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "hush is listening on http://"); ok {
				addr <- a
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.http = <-addr:
	case err := <-p.done:
		t.Fatalf("hush serve exited: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("hush serve did not come up")
	}
	return p
}

// freeSIPAddr returns a loopback address whose port is free for UDP and
// TCP, for a SIP server that must come back on the same address.
func freeSIPAddr(t testing.TB) string {
	t.Helper()
	for range 20 {
		tcp, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := tcp.Addr().String()
		udp, err := net.ListenPacket("udp", addr)
		tcp.Close()
		if err == nil {
			udp.Close()
			return addr
		}
	}
	t.Fatal("no free SIP port")
	return ""
}

// get reads an API path with key into out.
func (p *recorderProc) get(t *testing.T, key, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+p.http+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode == 200 && out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return res.StatusCode
}

// TestRestartClosesInterruptedCalls kills (SIGKILL) a hush recording two
// live calls and starts it again on the same data directory. The restart
// must close both truthfully: ended as recorder-restarted, recording and
// transcription stopped, audited, a conversation.ended event, the WAV
// header describing the audio on disk, the segment map incomplete and
// ending in a lost span up to the restart. The client's later BYE changes
// nothing, and the audit chain verifies.
func TestRestartClosesInterruptedCalls(t *testing.T) {
	requireSipp(t)
	bin := hushBin
	data := t.TempDir()
	sipAddr := freeSIPAddr(t)
	const rtpPorts = "47300-47399"
	first := startRecorderProc(t, bin, data, sipAddr, rtpPorts)
	keyBytes, err := os.ReadFile(filepath.Join(data, server.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(keyBytes))
	h := &hush{t: t, data: data, http: first.http, key: key}

	ids := []string{"crash-a", "crash-b"}
	var sipps []*exec.Cmd
	var outs []fmt.Stringer
	stop := make(chan struct{})
	var sent []<-chan int
	for _, id := range ids {
		mp := freeMediaPort(t)
		// The BYE comes long after the restart; by then the call is closed.
		sc := scenarioCall{proto: "RTP/AVP", tail: byeAfter(9000, 481)}
		cmd, out := runSipp(t, sipAddr, sc.write(t, t.TempDir()), mp, id)
		sipps, outs = append(sipps, cmd), append(outs, out)
		ports := h.sidecarStreams(id)
		sent = append(sent,
			toneSender{freq: 400, ssrc: 1}.send(t, mp+4, ports["caller"], stop),
			toneSender{freq: 1000, ssrc: 2}.send(t, mp+6, ports["agent"], stop))
	}
	// Let a few checkpoints of audio reach the disk, then kill hush.
	wavPath := func(id string) string { return filepath.Join(data, server.RecordingsDir, id+".wav") }
	waitFor(t, 20*time.Second, "audio on disk", func() bool {
		for _, id := range ids {
			f, err := os.Open(wavPath(id))
			if err != nil {
				return false
			}
			info, err := media.ReadWAVInfo(f)
			f.Close()
			if err != nil || info.DataSize < 2*media.SampleRate*4 {
				return false
			}
		}
		return true
	})
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-first.done
	killed := time.Now()
	second := startRecorderProc(t, bin, data, sipAddr, rtpPorts)
	restarted := time.Now()

	for _, id := range ids {
		var v conversation.View
		waitFor(t, 15*time.Second, id+" to be closed", func() bool {
			second.get(t, key, "/v1/conversations/"+id, &v)
			return v.Recording.State == conversation.Stopped && v.Transcription.State == conversation.Stopped
		})
		if v.CallState != conversation.Ended || v.EndReason != conversation.EndRecorderRestarted {
			t.Fatalf("%s: call %s, end reason %q; want ended, %s", id, v.CallState, v.EndReason, conversation.EndRecorderRestarted)
		}
		if v.EndedAt.Before(killed) || v.EndedAt.After(time.Now()) {
			t.Fatalf("%s ended at %v; the restart was between %v and %v", id, v.EndedAt, killed, restarted)
		}
		var list auditEntries
		second.get(t, key, "/v1/audit?conversation="+id, &list)
		ends := 0
		for _, e := range list.Entries {
			if e.Action == "event.end" && e.Outcome == "applied" && strings.Contains(e.Reason, "recorder restarted") {
				ends++
			}
		}
		if ends != 1 {
			t.Fatalf("%s: %d audited ends by the restart, want 1: %+v", id, ends, list.Entries)
		}

		// The WAV header describes exactly the whole frames on disk.
		b, err := os.ReadFile(wavPath(id))
		if err != nil {
			t.Fatal(err)
		}
		left, _ := parseWAV(t, b)
		var m media.SegmentMap
		if st := second.get(t, key, "/v1/conversations/"+id+"/recording/segments", &m); st != 200 {
			t.Fatalf("segments: %d", st)
		}
		if m.Complete || m.EndReason != media.Interrupted || m.WAVSamples != int64(len(left)) {
			t.Fatalf("%s segment map: complete %v, end reason %q, %d WAV samples (file has %d)", id, m.Complete, m.EndReason, m.WAVSamples, len(left))
		}
		n := len(m.Segments)
		if n < 2 {
			t.Fatalf("%s segments %+v: want the recorded audio, then a lost span", id, m.Segments)
		}
		lost, before := m.Segments[n-1], m.Segments[n-2]
		start, _ := time.Parse(time.RFC3339Nano, m.Start)
		lostEnd := start.Add(time.Duration(lost.EndMs) * time.Millisecond)
		if lost.State != media.SegmentLost || lost.StartSample != before.EndSample || before.WAVEnd != int64(len(left)) ||
			lost.WAVStart != lost.WAVEnd || lostEnd.Before(killed.Add(-time.Second)) || lostEnd.After(restarted.Add(time.Second)) {
			t.Fatalf("%s: last segments %+v then %+v; want a lost span from the end of the WAV's audio to the restart (%v)", id, before, lost, restarted)
		}
		if before.State != media.SegmentRecorded || before.WAVEnd-before.WAVStart < media.SampleRate {
			t.Fatalf("%s: the audio written before the kill is not mapped as recorded: %+v", id, before)
		}
		if !frameHasAudio(left, len(left)/media.FrameSamples-1) {
			t.Fatalf("%s: the WAV's last frame is silent: the audio on disk was cut", id)
		}
	}

	// The clients hang up long after: nothing changes.
	versions := map[string]int64{}
	for _, id := range ids {
		var v conversation.View
		second.get(t, key, "/v1/conversations/"+id, &v)
		versions[id] = v.Version
	}
	for i, cmd := range sipps {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("sipp %s (its BYE after the restart wants 481): %v\n%s", ids[i], err, outs[i])
		}
	}
	close(stop)
	for _, s := range sent {
		<-s
	}
	for _, id := range ids {
		var v conversation.View
		second.get(t, key, "/v1/conversations/"+id, &v)
		if v.Version != versions[id] {
			t.Fatalf("%s changed after the restart closed it: version %d, was %d", id, v.Version, versions[id])
		}
	}
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-second.done

	st, err := server.OpenStore(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		evs, err := st.EventsAfter(context.Background(), 0, id, 1000)
		if err != nil {
			t.Fatal(err)
		}
		ended := 0
		for _, e := range evs {
			if e.Type == conversation.EventEnded && strings.Contains(string(e.Data), `"endReason":"recorder-restarted"`) {
				ended++
			}
		}
		if ended != 1 {
			t.Fatalf("%s: %d conversation.ended events naming the restart, want 1", id, ended)
		}
	}
	st.Close()
	runAuditVerify(t, bin, data)
}

// frameHasAudio reports whether frame i of ch is not digital silence.
func frameHasAudio(ch []int16, i int) bool {
	for _, v := range ch[i*media.FrameSamples : (i+1)*media.FrameSamples] {
		if v != 0 {
			return true
		}
	}
	return false
}
