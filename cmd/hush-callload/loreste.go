package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
	"github.com/hush-cc/hush/internal/media"
)

// loreste drives loreste/siprec: its per-session pause API, its
// Prometheus counters and the WAV files it writes, one per stream (a
// leg) and one combining them.
type loreste struct {
	api, key, dir string
	client        *http.Client
	// dropped0 is its count of dropped packets by reason when the run
	// began.
	dropped0 map[string]float64
}

func newLoreste(ctx context.Context, api, key, dir string, client *http.Client) (*loreste, error) {
	l := &loreste{api: strings.TrimSuffix(api, "/"), key: key, dir: dir, client: client}
	var err error
	if l.dropped0, err = l.dropped(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// droppedMetric counts the RTP packets loreste/siprec did not write as
// received, by reason: plc_concealed for those it filled with silence
// for a gap in the sequence, recording_paused for those that arrived
// while the stream was paused.
const droppedMetric = "siprec_rtp_dropped_packets_total"

// dropped reads loreste's dropped-packet counters.
func (l *loreste) dropped(ctx context.Context) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", l.api+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := l.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("loreste metrics: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("loreste metrics: %s", res.Status)
	}
	return counterByLabel(io.LimitReader(res.Body, 32<<20), droppedMetric, "reason")
}

// counterByLabel reads the samples of the counter name from a Prometheus
// text exposition, summed by the value of label.
func counterByLabel(r io.Reader, name, label string) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, name)
		if !ok || rest == "" || (rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		var labels string
		if rest[0] == '{' {
			end := strings.IndexByte(rest, '}')
			if end < 0 {
				continue
			}
			labels, rest = rest[1:end], rest[end+1:]
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			continue
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			continue
		}
		out[labelValue(labels, label)] += v
	}
	return out, sc.Err()
}

// labelValue returns the value of label in a Prometheus label list
// (a="x",b="y"), or "".
func labelValue(labels, label string) string {
	for labels != "" {
		k, rest, ok := strings.Cut(labels, `="`)
		if !ok {
			return ""
		}
		v, after, ok := strings.Cut(rest, `"`)
		if !ok {
			return ""
		}
		if strings.TrimSpace(k) == label {
			return v
		}
		labels = strings.TrimPrefix(after, ",")
	}
	return ""
}

// sessionID is the session_id of a call's recording metadata (the demo
// SBC writes s-CALLID), by which loreste/siprec's pause API knows it.
func sessionID(callID string) string { return "s-" + callID }

func (l *loreste) pause(ctx context.Context, c *call) error {
	return l.post(ctx, "/api/sessions/"+sessionID(c.id)+"/pause", `{"pause_recording":true,"pause_transcription":true}`)
}

func (l *loreste) resume(ctx context.Context, c *call) error {
	return l.post(ctx, "/api/sessions/"+sessionID(c.id)+"/resume", `{}`)
}

// post sends a request to the pause API and wants 200.
func (l *loreste) post(ctx context.Context, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, "POST", l.api+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if l.key != "" {
		req.Header.Set("X-API-Key", l.key)
	}
	res, err := l.client.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %s", path, res.Status, bytes.TrimSpace(b))
	}
	return nil
}

// loresteFileName is the name loreste/siprec gives a recording of id: the
// letters, digits and dashes of id, at most 64 of them.
func loresteFileName(id string) string {
	var b strings.Builder
	for _, r := range id {
		if r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > 64 {
		s = s[:64]
	}
	return s + ".wav"
}

// legs are the labels of the streams the tool offers, which loreste/siprec
// appends to the Call-ID to name each stream's file.
var legs = [2]string{"1", "2"}

// collect waits for every call's files: a leg per stream and the file
// combining them. A call's recording is complete when all three hold
// audio and their headers agree with their sizes. A packet counts as written when its
// audio is in its leg: the tool sends a tone, so every 20 ms block of a
// leg that is not all zero samples is a packet's, and the silence
// loreste/siprec writes in place of missing packets is not. A packet it
// dropped because its stream was paused counts as written too: the
// pause asked for it. A pause's latency runs from its request to its
// answer, which loreste/siprec sends once the stream is paused.
func (l *loreste) collect(ctx context.Context, calls []*call, rep *report, window time.Duration) error {
	deadline := time.Now().Add(collectPatience)
	var lat []float64
	for _, c := range calls {
		if c.sess == nil {
			continue
		}
		if c.pauseAck > 0 {
			lat = append(lat, float64(c.pauseAck)/float64(time.Millisecond))
		}
		paths := []string{
			filepath.Join(l.dir, loresteFileName(c.id)),
			filepath.Join(l.dir, loresteFileName(c.id+"_"+legs[0])),
			filepath.Join(l.dir, loresteFileName(c.id+"_"+legs[1])),
		}
		var fs []wavFile
		for {
			fs = fs[:0]
			for _, p := range paths {
				// A file just created, its header not yet written over,
				// is complete and empty: wait for its audio.
				if f, err := readWAVFile(p); err == nil && f.Complete && f.DataSize > 0 {
					fs = append(fs, f)
				}
			}
			if len(fs) == len(paths) || time.Now().After(deadline) || !backoff.Sleep(ctx, 100*time.Millisecond) {
				break
			}
		}
		if len(fs) < len(paths) {
			continue
		}
		deadline = time.Now().Add(collectPatience)
		rep.CompleteWAVs++
		if fs[0].frames() < int64(window/time.Second)*int64(fs[0].SampleRate) {
			rep.ShortWAVs++
		}
		for i, f := range fs[1:] {
			n, err := audioBlocks(paths[i+1], f)
			if err != nil {
				return err
			}
			rep.PacketsWritten += n
		}
	}
	d, err := l.dropped(ctx)
	if err != nil {
		return err
	}
	rep.Concealed = int64(d["plc_concealed"] - l.dropped0["plc_concealed"])
	rep.PausedDropped = int64(d["recording_paused"] - l.dropped0["recording_paused"])
	rep.PacketsWritten += rep.PausedDropped
	rep.setPauseLatencies(lat, "request sent to answer (loreste pauses before answering)")
	return ctx.Err()
}

// audioBlocks counts the 20 ms blocks of a 16-bit PCM file's samples that
// are not all zero.
func audioBlocks(path string, f wavFile) (int64, error) {
	if f.Bits != 16 || f.Channels < 1 || f.SampleRate < 50 {
		return 0, fmt.Errorf("%s: %d-bit, %d channels at %d Hz: want 16-bit PCM", path, f.Bits, f.Channels, f.SampleRate)
	}
	fh, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	block := make([]byte, f.SampleRate/50*f.Channels*2)
	silence := make([]byte, len(block))
	r := bufio.NewReaderSize(io.NewSectionReader(fh, f.DataOffset, f.DataSize), 64<<10)
	var n int64
	for {
		if _, err := io.ReadFull(r, block); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return n, nil
			}
			return n, fmt.Errorf("%s: %w", path, err)
		}
		if !bytes.Equal(block, silence) {
			n++
		}
	}
}

// wavFile is a WAV file's header, and whether its sizes agree with the
// file's: a writer that stopped before finishing a file leaves sizes
// that do not.
type wavFile struct {
	media.WAVInfo
	Complete bool
}

// frames returns the sample frames the header declares.
func (w wavFile) frames() int64 {
	if w.Channels < 1 || w.Bits < 8 {
		return 0
	}
	return w.DataSize / int64(w.Channels*w.Bits/8)
}

// readWAVFile reads the header of the WAV file at path.
func readWAVFile(path string) (wavFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return wavFile{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return wavFile{}, err
	}
	info, err := media.ReadWAVInfo(f)
	if err != nil {
		return wavFile{}, fmt.Errorf("%s: %w", path, err)
	}
	end, size := info.DataOffset+info.DataSize, fi.Size()
	return wavFile{WAVInfo: info, Complete: info.RIFFSize == size-8 && (end == size || end+1 == size && info.DataSize%2 == 1)}, nil
}
