package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/store"
)

// hushProc is `hush serve` running as a child process.
type hushProc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
	log  *procLog
}

type procLog struct {
	lines chan string
}

// startHushProc runs `hush serve` with the Connect flags and waits until it
// listens. The environment (AWS endpoints, credentials) is the test's.
func startHushProc(t *testing.T, bin, data, stream string, extra ...string) *hushProc {
	t.Helper()
	args := append([]string{"serve", "--data", data, "--listen", "127.0.0.1:0",
		"--connect-instance-arn", connecttest.InstanceARN, "--kinesis-stream", stream,
		"--reconcile-every", "1s", "--kinesis-start", "TRIM_HORIZON",
		// The scripted records carry their own, fixed times.
		"--connect-max-record-age", "0"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &hushProc{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	logs := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			all.WriteString(line + "\n")
			if a, ok := strings.CutPrefix(line, "hush is listening on http://"); ok {
				addr <- a
			}
		}
		logs <- all.String()
	}()
	go func() {
		err := cmd.Wait()
		p.done <- err
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.addr = <-addr:
	case err := <-p.done:
		t.Fatalf("hush serve exited: %v\n%s", err, <-logs)
	case <-time.After(60 * time.Second):
		t.Fatal("hush serve did not come up")
	}
	p.log = &procLog{lines: logs}
	return p
}

// stop ends the process with sig and waits for it.
func (p *hushProc) stop(t *testing.T, sig syscall.Signal) error {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("hush serve did not stop")
		return nil
	}
}

// TestConnectProcess runs the hush binary as it ships against kinesalite and
// the fake Connect API.
func TestConnectProcess(t *testing.T) {
	kin := startKinesalite(t)
	bin := hushBin

	t.Run("end to end", func(t *testing.T) {
		h := &connectHush{t: t, connect: connecttest.Start(t), data: t.TempDir(), lastSeq: map[string]string{}, stream: "e2e"}
		connectAWSEnv(t, h.connect.URL(), kin)
		h.kc = connectKinesisClient(t)
		createConnectStream(t, h.kc, h.stream)
		s := connecttest.NewScript(connectAgent("mo"), connectT0)
		// Written before hush starts: read from TRIM_HORIZON.
		h.put(s.Next(connectChat("chat1", stConnected), connectVoice("c1", stConnected)), s.Next(connectChat("chat1", stConnected), connectVoice("c1", stOnHold)))
		p := startHushProc(t, bin, h.data, h.stream)
		h.openStore()
		h.expectCalls(suspendOK("c1"))
		h.put(s.Next(connectVoice("c1", stConnected)))
		h.expectCalls(suspendOK("c1"), resumeOK("c1"))
		h.put(s.Next(connectVoice("c1", stOnHold)))
		h.expectCalls(suspendOK("c1"), resumeOK("c1"), suspendOK("c1"))
		h.put(s.Next())
		h.expectCalls(suspendOK("c1"), resumeOK("c1"), suspendOK("c1"))
		if c := h.conversation("c1"); c.CallState != conversation.Ended || c.Recording.State != conversation.Stopped {
			t.Fatalf("conversation %+v", c)
		}
		if err := p.stop(t, syscall.SIGTERM); err != nil {
			t.Fatalf("hush serve exit: %v\n%s", err, <-p.log.lines)
		}
		runAuditVerify(t, bin, h.data)
	})

	t.Run("SIGKILL mid-stream and restart", func(t *testing.T) {
		h := &connectHush{t: t, connect: connecttest.Start(t), data: t.TempDir(), lastSeq: map[string]string{}, stream: "crash"}
		connectAWSEnv(t, h.connect.URL(), kin)
		h.kc = connectKinesisClient(t)
		createConnectStream(t, h.kc, h.stream)
		// A slow Connect keeps drives in flight when the kill comes.
		h.connect.SetDelay(20 * time.Millisecond)
		const agents = 12
		scripts := make([]*connecttest.Script, agents)
		contact := func(i int) string { return fmt.Sprintf("k%02d", i) }
		var first []connecttest.Event
		for i := range agents {
			scripts[i] = connecttest.NewScript(connectAgent(fmt.Sprint("ag", i)), connectT0)
			c := contact(i)
			s := scripts[i]
			first = append(first, s.Next(connectVoice(c, stConnected)), s.Next(connectVoice(c, stOnHold)), s.Next(connectVoice(c, stConnected)), s.Next(connectVoice(c, stOnHold)))
		}
		// Interleave the agents, as the stream would.
		for round := range 4 {
			for i := range agents {
				h.put(first[i*4+round])
			}
		}
		rate := []string{"--connect-rate", "1000", "--connect-burst", "1000"}
		p := startHushProc(t, bin, h.data, h.stream, rate...)
		waitConnect(t, "some Connect calls", func() bool { return len(h.connect.Calls()) >= agents })
		if err := p.stop(t, syscall.SIGKILL); err == nil {
			t.Fatal("hush survived SIGKILL")
		}
		killedAt := len(h.connect.Calls())
		// The rest of the story arrives while hush is down.
		for i := range agents {
			h.put(scripts[i].Next(connectVoice(contact(i), stConnected)))
		}
		p = startHushProc(t, bin, h.data, h.stream, rate...)
		h.openStore()
		waitConnect(t, "hush to settle after the restart", h.settled)
		for i := range agents {
			h.put(scripts[i].Next())
		}
		waitConnect(t, "every call to end", h.settled)
		if err := p.stop(t, syscall.SIGTERM); err != nil {
			t.Fatalf("hush serve exit: %v", err)
		}
		t.Logf("killed after %d of %d Connect calls", killedAt, len(h.connect.Calls()))
		checkNoMissedResume(t, h, agents, contact)
		checkAuditOnce(t, h, agents, contact)
		runAuditVerify(t, bin, h.data)
	})
}

// openStore opens the child's database beside it, for the checks.
func (h *connectHush) openStore() {
	if h.st != nil {
		return
	}
	waitConnect(h.t, "the database", func() bool {
		_, err := os.Stat(filepath.Join(h.data, server.DBFile))
		return err == nil
	})
	st, err := server.OpenStore(context.Background(), h.data)
	if err != nil {
		h.t.Fatal(err)
	}
	h.st = st
	h.t.Cleanup(func() { st.Close() })
}

// checkNoMissedResume: each contact's successful calls, with repeats of the
// same call folded (a drive made again after the kill changes nothing),
// alternate suspend and resume and end with a resume, as the last snapshot
// before the end showed the caller off hold. Events that arrive together
// while a call is in flight fold into one drive, so the cycles may be fewer
// than the holds.
func checkNoMissedResume(t *testing.T, h *connectHush, agents int, contact func(int) string) {
	t.Helper()
	byContact := map[string][]string{}
	for _, c := range h.connect.Calls() {
		if c.Status != 200 {
			t.Errorf("call %+v failed", c)
			continue
		}
		ops := byContact[c.ContactID]
		if len(ops) == 0 || ops[len(ops)-1] != c.Operation {
			byContact[c.ContactID] = append(ops, c.Operation)
		}
	}
	for i := range agents {
		id := contact(i)
		got := byContact[id]
		if len(got) == 0 || got[len(got)-1] != connecttest.OpResume {
			t.Errorf("contact %s: calls %v: the last is not a resume", id, got)
		}
		for j, op := range got {
			if want := []string{connecttest.OpSuspend, connecttest.OpResume}[j%2]; op != want {
				t.Errorf("contact %s: calls %v: call %d is not %s", id, got, j, want)
			}
		}
		c := h.conversation(id)
		if c.CallState != conversation.Ended || c.Recording.State != conversation.Stopped || len(c.Recording.Reasons) != 0 {
			t.Errorf("contact %s: %+v", id, c)
		}
	}
}

// checkAuditOnce: every event that changed a conversation is audited as
// applied exactly once; its replays are audited as ignored.
func checkAuditOnce(t *testing.T, h *connectHush, agents int, contact func(int) string) {
	t.Helper()
	for i := range agents {
		id := contact(i)
		entries, err := h.st.AuditEntries(context.Background(), store.AuditQuery{ConversationID: id})
		if err != nil {
			t.Fatal(err)
		}
		applied := map[string]int{}
		var kinds []string
		for _, e := range entries {
			if !strings.HasPrefix(e.Action, "event.") {
				continue
			}
			var d struct {
				EventID string `json:"eventId"`
			}
			if err := json.Unmarshal(e.Detail, &d); err != nil || d.EventID == "" {
				t.Fatalf("entry %+v: no event id", e)
			}
			switch {
			case e.Outcome == "applied":
				applied[d.EventID]++
				kinds = append(kinds, strings.TrimPrefix(e.Action, "event."))
			case !strings.HasPrefix(e.Outcome, "ignored: "):
				t.Errorf("entry %+v", e)
			}
		}
		for ev, n := range applied {
			if n != 1 {
				t.Errorf("contact %s: event %s applied %d times", id, ev, n)
			}
		}
		if want := []string{"hold", "unhold", "hold", "unhold", "end"}; !slices.Equal(kinds, want) {
			t.Errorf("contact %s: applied events %v, want %v", id, kinds, want)
		}
	}
}

// auditVerify runs `hush audit verify` on a data directory.
func runAuditVerify(t *testing.T, bin, data string) {
	t.Helper()
	out, err := exec.Command(bin, "audit", "verify", "--data", data).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "intact") {
		t.Fatalf("hush audit verify: %v\n%s", err, out)
	}
}
