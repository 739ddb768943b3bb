package e2e

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/store/postgres/pgtest"
)

// clusterProc is one `hush serve` node of a three-node test.
type clusterProc struct {
	*recorderProc
	data, sip string
	api       demo.API
}

// TestClusterNodeDies runs three `hush serve` processes on one PostgreSQL
// database, each recording SIPREC calls, and kills one (SIGKILL). Within
// about the lease a survivor closes the dead node's live calls truthfully
// (ended as recorder-restarted, recording and transcription stopped, one
// audited end each), the other nodes' calls go on untouched, the commands
// acknowledged before the kill are all there, and the dead node, started
// again, repairs its files without closing anything twice. The audit chain
// verifies.
func TestClusterNodeDies(t *testing.T) {
	url := pgtest.Database(t)
	const lease = 2 * time.Second
	ports := []string{"53000-53099", "53100-53199", "53200-53299"}
	nodes := make([]*clusterProc, 3)
	start := func(i int, data, sip string) *clusterProc {
		p := startRecorderProc(t, hushBin, data, sip, ports[i], "--store", url, "--lease", lease.String(),
			"--node-id", fmt.Sprintf("node-%d", i+1))
		return &clusterProc{recorderProc: p, data: data, sip: sip}
	}
	for i := range nodes {
		nodes[i] = start(i, t.TempDir(), freeSIPAddr(t))
	}
	keyBytes, err := os.ReadFile(filepath.Join(nodes[0].data, server.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(keyBytes))
	for _, n := range nodes {
		n.api = demo.API{Base: "http://" + n.http, Key: key}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	st, err := demo.NewStreamer(netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	go st.Run(ctx)
	audio := tone440()
	type placed struct {
		id   string
		node int
		sess *demo.Session
	}
	var calls []placed
	for i, n := range nodes {
		sbc, err := demo.NewSBC(netip.MustParseAddrPort(n.sip), netip.MustParseAddr("127.0.0.1"))
		if err != nil {
			t.Fatal(err)
		}
		defer sbc.Close()
		for j := range 2 {
			id := fmt.Sprintf("dies-%d-%d", i+1, j+1)
			sess, err := sbc.Call(ctx, demo.CallSpec{CallID: id, CallerPort: st.Port(), AgentPort: st.Port(),
				Caller: demo.Party{AOR: "sip:+1555000" + fmt.Sprint(i*2+j) + "@pbx.example"},
				Agent:  demo.Party{AOR: "sip:agent-alice@pbx.example"}})
			if err != nil {
				t.Fatal(err)
			}
			st.Start(sess.Caller, audio, uint32(10*i+2*j+1))
			st.Start(sess.Agent, audio, uint32(10*i+2*j+2))
			calls = append(calls, placed{id, i, sess})
		}
	}
	const victim = 1 // node-2
	// Acknowledged commands before the kill: a pause of a dead-to-be
	// node's call sent to another node, and of a survivor's call sent to
	// the node that dies.
	pauses := map[string]*clusterProc{"dies-2-1": nodes[0], "dies-1-1": nodes[victim]}
	for id, via := range pauses {
		if err := via.api.Do(ctx, "POST", "/v1/conversations/"+id+"/recording/pause", map[string]any{"reason": "card"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for id := range pauses {
		waitFor(t, 20*time.Second, id+" paused", func() bool {
			var v conversation.View
			return nodes[2].api.Do(ctx, "GET", "/v1/conversations/"+id, nil, &v) == nil && v.Recording.State == conversation.Paused
		})
	}
	// Let a few checkpoints of audio reach the victim's disk, then kill it.
	waitFor(t, 20*time.Second, "audio on the victim's disk", func() bool {
		for _, id := range []string{"dies-2-1", "dies-2-2"} {
			f, err := os.Open(filepath.Join(nodes[victim].data, server.RecordingsDir, id+".wav"))
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
	if err := nodes[victim].cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-nodes[victim].done
	killed := time.Now()

	survivor := nodes[0].api
	for _, c := range calls {
		if c.node != victim {
			continue
		}
		var v conversation.View
		waitFor(t, 10*lease, c.id+" closed by a survivor", func() bool {
			return survivor.Do(ctx, "GET", "/v1/conversations/"+c.id, nil, &v) == nil &&
				v.Recording.State == conversation.Stopped && v.Transcription.State == conversation.Stopped
		})
		if v.CallState != conversation.Ended || v.EndReason != conversation.EndRecorderRestarted || v.EndedAt.Before(killed) {
			t.Fatalf("%s: %s, end reason %q, ended at %v (killed at %v)", c.id, v.CallState, v.EndReason, v.EndedAt, killed)
		}
	}
	failover := time.Since(killed)
	t.Logf("failover: the dead node's calls were closed %v after the kill (lease %v)", failover.Round(time.Millisecond), lease)

	versions := map[string]int64{}
	for _, c := range calls {
		var v conversation.View
		if err := survivor.Do(ctx, "GET", "/v1/conversations/"+c.id, nil, &v); err != nil {
			t.Fatal(err)
		}
		versions[c.id] = v.Version
		ends, paused := 0, false
		for _, e := range auditOf(t, survivor, c.id) {
			if e.Action == "event.end" && e.Outcome == "applied" {
				ends++
				if !strings.Contains(e.Reason, "recorder node node-2 stopped") {
					t.Fatalf("%s ended with reason %q", c.id, e.Reason)
				}
			}
			paused = paused || e.Action == "command.pause" && e.Outcome == "applied"
		}
		_, wantPaused := pauses[c.id]
		switch {
		case c.node == victim && ends != 1:
			t.Fatalf("%s: %d audited ends, want 1", c.id, ends)
		case c.node != victim && (ends != 0 || v.CallState == conversation.Ended):
			t.Fatalf("%s on a living node was touched: %s, %d ends", c.id, v.CallState, ends)
		case c.node != victim && wantPaused && v.Recording.State != conversation.Paused:
			t.Fatalf("%s: the pause acknowledged before the kill is gone: %+v", c.id, v.Recording)
		case wantPaused != paused:
			t.Fatalf("%s: audited pause %v, want %v", c.id, paused, wantPaused)
		}
	}

	// The dead node comes back: it repairs its files and closes nothing.
	back := start(victim, nodes[victim].data, nodes[victim].sip)
	back.api = demo.API{Base: "http://" + back.http, Key: key}
	for _, c := range calls {
		if c.node != victim {
			continue
		}
		var m media.SegmentMap
		waitFor(t, 10*time.Second, c.id+"'s files repaired", func() bool {
			return back.api.Do(ctx, "GET", "/v1/conversations/"+c.id+"/recording/segments", nil, &m) == nil && m.EndReason == media.Interrupted
		})
		if m.Complete || len(m.Segments) == 0 || m.Segments[len(m.Segments)-1].State != media.SegmentLost {
			t.Fatalf("%s segment map after the restart: complete %v, segments %+v", c.id, m.Complete, m.Segments)
		}
	}
	for _, c := range calls {
		if c.node == victim {
			continue
		}
		if err := c.sess.Bye(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range calls {
		var v conversation.View
		waitFor(t, 20*time.Second, c.id+" ended", func() bool {
			return back.api.Do(ctx, "GET", "/v1/conversations/"+c.id, nil, &v) == nil && v.CallState == conversation.Ended && v.Recording.State == conversation.Stopped
		})
		if c.node == victim && v.Version != versions[c.id] {
			t.Fatalf("%s changed after the survivor closed it: version %d, was %d", c.id, v.Version, versions[c.id])
		}
		if c.node != victim && v.EndReason != conversation.EndBye {
			t.Fatalf("%s ended with %q, want bye", c.id, v.EndReason)
		}
	}
	for _, n := range []*recorderProc{nodes[0].recorderProc, back.recorderProc, nodes[2].recorderProc} {
		if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		<-n.done
	}
	out, err := exec.Command(hushBin, "audit", "verify", "--store", url).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "intact") {
		t.Fatalf("hush audit verify --store: %v\n%s", err, out)
	}
}
