package e2e

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
)

// srtpKey returns a random SDES key of suite and its a=crypto value.
func srtpKey(t *testing.T, tag int, suite string) (*media.SRTPKey, string) {
	t.Helper()
	k := &media.SRTPKey{Suite: suite, Key: make([]byte, media.SRTPKeyLen)}
	if _, err := rand.Read(k.Key); err != nil {
		t.Fatal(err)
	}
	return k, strings.Join([]string{string(rune('0' + tag)), suite, "inline:" + base64.StdEncoding.EncodeToString(k.Key)}, " ")
}

// finalRecording waits for the call's recording to be finalized and
// returns its segment map and channels.
func (h *hush) finalRecording(id string) (media.SegmentMap, []int16, []int16) {
	h.t.Helper()
	var m media.SegmentMap
	waitFor(h.t, 20*time.Second, "the recording of "+id+" to be finalized", func() bool {
		h.do("GET", "/v1/conversations/"+id+"/recording/segments", "", &m)
		return m.Complete
	})
	var wav []byte
	if st := h.do("GET", "/v1/conversations/"+id+"/recording.wav", "", &wav); st != 200 {
		h.t.Fatalf("recording.wav: %d", st)
	}
	left, right := parseWAV(h.t, wav)
	return m, left, right
}

// TestSRTPCallIsRecorded: an SDES-SRTP call (one stream of each suite,
// sent by Go SRTP senders from the ports the offer names) is recorded and
// decoded exactly, under --srtp required.
func TestSRTPCallIsRecorded(t *testing.T) {
	h := startHush(t, "47000-47099", func(c *server.RecorderConfig) { c.SRTP = "required" })
	k1, c1 := srtpKey(t, 1, media.SuiteAES128SHA1_80)
	k2, c2 := srtpKey(t, 1, media.SuiteAES128SHA1_32)
	mp := freeMediaPort(t)
	sc := scenarioCall{proto: "RTP/SAVP", crypto: [2]string{c1, c2}, tail: byeAfter(3000, 200)}
	sipp, out := runSipp(t, h.sip.String(), sc.write(t, t.TempDir()), mp, "srtp-call")
	ports := h.sidecarStreams("srtp-call")
	stop := make(chan struct{})
	caller, agent := toneSender{freq: 400, ssrc: 0x5151, key: k1}, toneSender{freq: 1000, ssrc: 0x5252, key: k2}
	sentC, sentA := caller.send(t, mp+4, ports["caller"], stop), agent.send(t, mp+6, ports["agent"], stop)
	if err := sipp.Wait(); err != nil {
		t.Fatalf("sipp: %v\n%s", err, out)
	}
	close(stop)
	<-sentC
	<-sentA
	m, left, right := h.finalRecording("srtp-call")
	caller.checkTone(t, "caller", left, 100)
	agent.checkTone(t, "agent", right, 100)
	if st := m.Stats; st == nil || st.Caller.Unauthenticated != 0 || st.Agent.Unauthenticated != 0 {
		t.Fatalf("stats %+v", m.Stats)
	}
}

// TestPlainOfferRefusedWhenSRTPRequired: under --srtp required a plain
// RTP/AVP offer gets 488 and leaves no conversation.
func TestPlainOfferRefusedWhenSRTPRequired(t *testing.T) {
	h := startHush(t, "47100-47199", func(c *server.RecorderConfig) { c.SRTP = "required" })
	sc := scenarioCall{proto: "RTP/AVP", answer: 488}
	sipp, out := runSipp(t, h.sip.String(), sc.write(t, t.TempDir()), freeMediaPort(t), "plain-call")
	if err := sipp.Wait(); err != nil {
		t.Fatalf("sipp (expecting 488): %v\n%s", err, out)
	}
	if st := h.do("GET", "/v1/conversations/plain-call", "", nil); st != 404 {
		t.Fatalf("a refused offer left a conversation: %d", st)
	}
}

// TestRTPTimeoutEndsTheCall: a call whose streams fall silent is ended as
// media-timeout once --rtp-timeout passes; the client gets a BYE, the end
// is audited and the recording finalized.
func TestRTPTimeoutEndsTheCall(t *testing.T) {
	h := startHush(t, "47200-47299", func(c *server.RecorderConfig) { c.RTPTimeout = 1500 * time.Millisecond })
	mp := freeMediaPort(t)
	sc := scenarioCall{proto: "RTP/AVP", tail: awaitBye}
	sipp, out := runSipp(t, h.sip.String(), sc.write(t, t.TempDir()), mp, "quiet-call")
	ports := h.sidecarStreams("quiet-call")
	stop := make(chan struct{})
	caller, agent := toneSender{freq: 400, ssrc: 1}, toneSender{freq: 1000, ssrc: 2}
	sentC, sentA := caller.send(t, mp+4, ports["caller"], stop), agent.send(t, mp+6, ports["agent"], stop)
	time.Sleep(time.Second)
	close(stop)
	<-sentC
	<-sentA
	if err := sipp.Wait(); err != nil {
		t.Fatalf("sipp never got the recorder's BYE: %v\n%s", err, out)
	}
	var v conversation.View
	waitFor(t, 10*time.Second, "the call to end", func() bool {
		h.do("GET", "/v1/conversations/quiet-call", "", &v)
		return v.CallState == conversation.Ended && v.Recording.State == conversation.Stopped
	})
	if v.EndReason != conversation.EndMediaTimeout {
		t.Fatalf("end reason %q, want %q", v.EndReason, conversation.EndMediaTimeout)
	}
	var list auditEntries
	h.do("GET", "/v1/audit?conversation=quiet-call", "", &list)
	found := false
	for _, e := range list.Entries {
		found = found || e.Action == "event.end" && strings.Contains(e.Reason, "RTP timeout")
	}
	if !found {
		t.Fatalf("no audited end for the media timeout in %+v", list.Entries)
	}
	_, left, right := h.finalRecording("quiet-call")
	caller.checkTone(t, "caller", left, 40)
	agent.checkTone(t, "agent", right, 40)
}
