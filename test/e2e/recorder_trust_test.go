package e2e

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

// startHushWith starts hush with the recorder on and configure's changes.
func startHushWith(t *testing.T, rtpPorts string, configure func(*server.Config)) (*hush, *server.Server) {
	t.Helper()
	data := t.TempDir()
	cfg := server.Config{
		Data: data, Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler),
		Recorder: server.RecorderConfig{SIPListen: "127.0.0.1:0", RTPPorts: rtpPorts, AgentPattern: server.DefaultAgentPattern, ASR: "energy"},
	}
	if configure != nil {
		configure(&cfg)
	}
	r := servertest.Start(t, cfg)
	key, err := r.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	return &hush{t: t, data: data, http: r.Addr(), sip: r.SIPAddr(), key: key}, r
}

// sippCall runs scenario (in internal/siprec/testdata/sipp) for one call
// to addr and returns sipp's output and error.
func sippCall(t *testing.T, addr, scenario, transport, callID string, mediaPort int) (string, error) {
	t.Helper()
	path, _ := filepath.Abs(filepath.Join("..", "..", "internal", "siprec", "testdata", "sipp", scenario))
	sipp := exec.Command(sippPath, addr, "-sf", path, "-m", "1", "-t", transport,
		"-i", "127.0.0.1", "-mi", "127.0.0.1", "-p", "0", "-mp", fmt.Sprint(mediaPort),
		"-cid_str", callID, "-nostdin", "-timeout", "30s", "-timeout_error")
	sipp.Dir = t.TempDir()
	var out bytes.Buffer
	sipp.Stdout, sipp.Stderr = &out, &out
	err := sipp.Run()
	return out.String(), err
}

// waitFinalized waits for conversation id's recording to be complete.
func (h *hush) waitFinalized(id string) media.SegmentMap {
	h.t.Helper()
	var m media.SegmentMap
	deadline := time.Now().Add(15 * time.Second)
	for h.do("GET", "/v1/conversations/"+id+"/recording/segments", "", &m); !m.Complete; h.do("GET", "/v1/conversations/"+id+"/recording/segments", "", &m) {
		if time.Now().After(deadline) {
			h.t.Fatalf("the recording of %s was never finalized: %+v", id, m)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return m
}

// pki is a test certificate authority with a server and a client
// certificate, as PEM files.
type pki struct {
	dir                  string
	ca                   *x509.Certificate
	caKey                *ecdsa.PrivateKey
	caFile               string
	serverCert, serverKy string
	client               tls.Certificate
	pool                 *x509.CertPool
}

func newPKI(t *testing.T, name string) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	var err error
	p.caKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name + " CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &p.caKey.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	if p.ca, err = x509.ParseCertificate(der); err != nil {
		t.Fatal(err)
	}
	p.caFile = filepath.Join(p.dir, "ca.pem")
	writePEM(t, p.caFile, "CERTIFICATE", der)
	p.pool = x509.NewCertPool()
	p.pool.AddCert(p.ca)
	certDER, key := p.issue(t, 2, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	p.serverCert, p.serverKy = filepath.Join(p.dir, "server.pem"), filepath.Join(p.dir, "server.key")
	writePEM(t, p.serverCert, "CERTIFICATE", certDER)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, p.serverKy, "PRIVATE KEY", keyDER)
	clientDER, clientKey := p.issue(t, 3, "sbc."+name, x509.ExtKeyUsageClientAuth)
	p.client = tls.Certificate{Certificate: [][]byte{clientDER}, PrivateKey: clientKey}
	return p
}

func (p *pki) issue(t *testing.T, serial int64, cn string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if ip, err := netip.ParseAddr(cn); err == nil {
		tmpl.IPAddresses = []net.IP{ip.AsSlice()}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startTLSHush starts hush answering SIP over TLS with p's server
// certificate, asking for client certificates from p's CA.
func startTLSHush(t *testing.T, rtpPorts string, p *pki) (*hush, netip.AddrPort) {
	t.Helper()
	h, r := startHushWith(t, rtpPorts, func(c *server.Config) {
		c.Recorder.SIPTLSListen = "127.0.0.1:0"
		// sipp plays its pcap from another port than its offer names, as
		// an SBC behind NAT would: the recorder latches onto the source.
		c.Recorder.LatchRTP = true
		c.Recorder.SIPTLSCert, c.Recorder.SIPTLSKey, c.Recorder.SIPTLSClientCA = p.serverCert, p.serverKy, p.caFile
	})
	return h, r.SIPTLSAddr()
}

// tlsBridge accepts TCP connections on a loopback port and carries each
// over TLS, with conf, to target: the SIP client this Debian's sipp
// lacks (its build has no TLS transport) is sipp over TCP plus this.
func tlsBridge(t *testing.T, target netip.AddrPort, conf *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				s, err := tls.Dial("tcp", target.String(), conf)
				if err != nil {
					return
				}
				defer s.Close()
				done := make(chan struct{}, 2)
				go func() { _, _ = io.Copy(s, c); done <- struct{}{} }()
				go func() { _, _ = io.Copy(c, s); done <- struct{}{} }()
				<-done
			}()
		}
	}()
	return ln.Addr().String()
}

func TestSIPOverTLSRecordsACall(t *testing.T) {
	requireSipp(t)
	p := newPKI(t, "hush-test")
	h, tlsAddr := startTLSHush(t, "44100-44199", p)
	bridge := tlsBridge(t, tlsAddr, &tls.Config{RootCAs: p.pool, Certificates: []tls.Certificate{p.client}, ServerName: "127.0.0.1"})

	const id = "tls-call-1"
	if out, err := sippCall(t, bridge, "oracle.xml", "t1", id, 44300); err != nil {
		t.Fatalf("sipp over TLS: %v\n%s", err, out)
	}
	m := h.waitFinalized(id)
	if m.Stats == nil || m.Stats.Caller.Packets < 200 {
		t.Fatalf("the caller stream over TLS signalling: %+v", m.Stats)
	}
	var wav []byte
	if st := h.do("GET", "/v1/conversations/"+id+"/recording.wav", "", &wav); st != 200 {
		t.Fatalf("recording.wav: %d", st)
	}
	left, _ := parseWAV(t, wav)
	loud := 0
	for f := range len(left) / media.FrameSamples {
		if frameRMS(left, f) > 100 {
			loud++
		}
	}
	if loud < 100 {
		t.Fatalf("only %d frames of the caller's audio in the recording", loud)
	}
}

// sipOverTLS sends an OPTIONS over a TLS connection made with conf and
// returns the status line of the answer, or the error that stopped it.
func sipOverTLS(addr netip.AddrPort, conf *tls.Config) (string, error) {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr.String(), conf)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	local := c.LocalAddr().String()
	req := "OPTIONS sip:srs@" + addr.String() + ";transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS " + local + ";branch=z9hG4bK-tls1\r\n" +
		"From: <sip:sbc@" + local + ">;tag=1\r\nTo: <sip:srs@" + addr.String() + ">\r\nCall-ID: tls-options-1\r\nCSeq: 1 OPTIONS\r\n" +
		"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(req)); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line), err
}

func TestSIPOverTLSRefusesUnknownClients(t *testing.T) {
	p := newPKI(t, "hush-test")
	rogue := newPKI(t, "rogue")
	_, tlsAddr := startTLSHush(t, "44200-44299", p)

	// A client with a certificate of the configured CA is answered, so the
	// refusals below are the certificate's doing.
	if line, err := sipOverTLS(tlsAddr, &tls.Config{RootCAs: p.pool, Certificates: []tls.Certificate{p.client}, ServerName: "127.0.0.1"}); err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Fatalf("a known client: %q, %v", line, err)
	}
	for name, conf := range map[string]*tls.Config{
		"no certificate":           {RootCAs: p.pool, ServerName: "127.0.0.1"},
		"another CA's certificate": {RootCAs: p.pool, Certificates: []tls.Certificate{rogue.client}, ServerName: "127.0.0.1"},
	} {
		line, err := sipOverTLS(tlsAddr, conf)
		if err == nil || line != "" {
			t.Fatalf("%s: answered %q", name, line)
		}
	}
}
