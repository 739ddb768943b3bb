package e2e

import (
	"bytes"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/media"
)

// scenarioCall is a SIPREC call for sipp: two sendonly PCMA streams at
// [media_port+4] and [media_port+6], ports sipp leaves free so that the
// test's Go senders can send from the very ports the offer names.
type scenarioCall struct {
	proto  string    // RTP/AVP or RTP/SAVP
	crypto [2]string // a=crypto values per stream, for RTP/SAVP
	answer int       // the status expected for the INVITE
	tail   string    // what follows the ACK
}

// byeAfter ends the call with a BYE after ms milliseconds, expecting
// status for it.
func byeAfter(ms, status int) string {
	return fmt.Sprintf(`<pause milliseconds="%d"/>
  <send retrans="500"><![CDATA[
      BYE sip:hush@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:src@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:srs@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]></send>
  <recv response="%d"/>`, ms, status)
}

// awaitBye waits for the recorder to end the call and answers it.
const awaitBye = `<recv request="BYE" timeout="30000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]></send>`

// write renders the scenario into dir and returns its path.
func (sc scenarioCall) write(t *testing.T, dir string) string {
	t.Helper()
	stream := func(i int) string {
		s := fmt.Sprintf("m=audio [media_port+%d] %s 8\n      c=IN IP[media_ip_type] [media_ip]\n      a=rtpmap:8 PCMA/8000\n      a=sendonly\n      a=label:%d\n", 4+2*i, sc.proto, i+1)
		if sc.crypto[i] != "" {
			s += "      a=crypto:" + sc.crypto[i] + "\n"
		}
		return s
	}
	ack := `<send><![CDATA[
      ACK sip:hush@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:src@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:srs@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]></send>`
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="siprec-media">
  <send retrans="500"><![CDATA[
      INVITE sip:srs@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:src@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:srs@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:src@[local_ip]:[local_port];transport=[transport]>;+sip.src
      Max-Forwards: 70
      Require: siprec
      Content-Type: multipart/mixed;boundary=b1
      Content-Length: [len]

      --b1
      Content-Type: application/sdp

      v=0
      o=src 1 1 IN IP[local_ip_type] [media_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      ` + stream(0) + `      ` + stream(1) + `      --b1
      Content-Type: application/rs-metadata+xml
      Content-Disposition: recording-session

      <?xml version="1.0" encoding="UTF-8"?>
      <recording xmlns='urn:ietf:params:xml:ns:recording:1'>
      <datamode>complete</datamode>
      <session session_id="s1"></session>
      <participant participant_id="p1"><nameID aor="sip:+14085550123@pstn.example.com"></nameID></participant>
      <participant participant_id="p2"><nameID aor="sip:agent-dana@pbx.example.com"></nameID></participant>
      <stream stream_id="st1" session_id="s1"><label>1</label></stream>
      <stream stream_id="st2" session_id="s1"><label>2</label></stream>
      <participantstreamassoc participant_id="p1"><send>st1</send></participantstreamassoc>
      <participantstreamassoc participant_id="p2"><send>st2</send></participantstreamassoc>
      </recording>
      --b1--
    ]]></send>
  <recv response="100" optional="true"/>
  `
	if sc.answer == 200 || sc.answer == 0 {
		xml += `<recv response="200" rtd="true"/>
  ` + ack + `
  ` + sc.tail
	} else {
		xml += fmt.Sprintf(`<recv response="%d"/>
  `, sc.answer) + ack
	}
	xml += "\n</scenario>\n"
	path := filepath.Join(dir, "scenario.xml")
	if err := os.WriteFile(path, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runSipp starts sipp on scenario against sip with media port mediaPort.
func runSipp(t *testing.T, sip, scenario string, mediaPort int, callID string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	requireSipp(t)
	cmd := exec.Command(sippPath, sip, "-sf", scenario, "-m", "1", "-t", "u1",
		"-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", "0", "-mp", fmt.Sprint(mediaPort),
		"-cid_str", callID, "-nostdin", "-timeout", "40s", "-timeout_error")
	cmd.Dir = t.TempDir()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &out
}

// freeMediaPort returns a base media port for sipp whose +4 and +6 the Go
// senders can bind.
func freeMediaPort(t *testing.T) int {
	t.Helper()
	for range 50 {
		c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		p := c.LocalAddr().(*net.UDPAddr).Port &^ 7
		c.Close()
		if p > 1024 && p+7 < 65535 {
			return p
		}
	}
	t.Fatal("no media port")
	return 0
}

// toneSender sends a PCMA tone of freq, 20 ms a packet in real time, from
// local port from to port, encrypting with key when it is set.
type toneSender struct {
	freq float64
	ssrc uint32
	key  *media.SRTPKey
}

func (s toneSender) payload(n int) []byte {
	b := make([]byte, media.FrameSamples)
	for k := range b {
		b[k] = g711.EncodeAlawFrame(int16(8000 * math.Sin(2*math.Pi*s.freq*float64(n*media.FrameSamples+k)/media.SampleRate)))
	}
	return b
}

// send sends until stop closes and reports the packets sent.
func (s toneSender) send(t *testing.T, from, port int, stop <-chan struct{}) <-chan int {
	sent := make(chan int, 1)
	conn, err := net.DialUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: from}, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		t.Error(err)
		sent <- 0
		return sent
	}
	var enc *srtp.Context
	if s.key != nil {
		prof := srtp.ProtectionProfileAes128CmHmacSha1_80
		if s.key.Suite == media.SuiteAES128SHA1_32 {
			prof = srtp.ProtectionProfileAes128CmHmacSha1_32
		}
		if enc, err = srtp.CreateContext(s.key.Key[:16], s.key.Key[16:], prof); err != nil {
			t.Error(err)
		}
	}
	go func() {
		defer conn.Close()
		start := time.Now()
		n := 0
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				sent <- n
				return
			case <-tick.C:
			}
			for ; time.Duration(n)*media.FrameDuration <= time.Since(start); n++ {
				p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 8, SSRC: s.ssrc, SequenceNumber: uint16(n),
					Timestamp: uint32(n * media.FrameSamples)}, Payload: s.payload(n)}
				b, _ := p.Marshal()
				if enc != nil {
					b, _ = enc.EncryptRTP(nil, b, nil)
				}
				_, _ = conn.Write(b)
			}
		}
	}()
	return sent
}

// checkTone asserts that ch holds exactly s's tone, as G.711 A-law
// carries it, from its first non-zero sample on for at least minFrames
// frames, and nothing after the tone ends.
func (s toneSender) checkTone(t *testing.T, name string, ch []int16, minFrames int) {
	t.Helper()
	first := slices.IndexFunc(ch, func(v int16) bool { return v != 0 })
	if first < 0 {
		t.Fatalf("%s channel is silent", name)
	}
	want := func(n int) int16 {
		return g711.DecodeAlawFrame(s.payload(n / media.FrameSamples)[n%media.FrameSamples])
	}
	start := first - 1 // the tone's first sample is zero
	if want(0) != 0 {
		start = first
	}
	n := 0
	for ; start+n < len(ch) && ch[start+n] == want(n); n++ {
	}
	if n < minFrames*media.FrameSamples {
		t.Fatalf("%s channel: only %d samples match the tone sent (want %d frames)", name, n, minFrames)
	}
	if rest := ch[start+n:]; !slices.ContainsFunc(rest, func(v int16) bool { return v != 0 }) {
		return
	}
	// What follows the matching run must be where the sender stopped:
	// silence, not other audio.
	for i := start + n; i < len(ch); i++ {
		if ch[i] != 0 && ch[i] != want(i-start) {
			t.Fatalf("%s channel: sample %d is %d, neither the tone (%d) nor silence", name, i, ch[i], want(i-start))
		}
	}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
