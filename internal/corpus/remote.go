package corpus

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"time"

	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
)

// Record plays c to the recorder at sip over SIPREC, in real time, and
// reads back through api what it kept, once final. It also returns when
// the first card digit was sent.
func Record(ctx context.Context, sip netip.AddrPort, api demo.API, c Call) (Recorded, time.Time, error) {
	host := sip.Addr()
	streams, err := OpenStreams(host)
	if err != nil {
		return Recorded{}, time.Time{}, err
	}
	defer streams.Close()
	sbc, err := demo.NewSBC(sip, host)
	if err != nil {
		return Recorded{}, time.Time{}, err
	}
	defer sbc.Close()
	cp, ap := streams.Ports()
	id := fmt.Sprintf("%s-%d", c.ID, time.Now().UnixNano())
	sess, err := sbc.Call(ctx, demo.CallSpec{CallID: id, CallerPort: cp, AgentPort: ap,
		Caller: demo.Party{AOR: "sip:+15550100@carrier.example", Name: "Caller"},
		Agent:  demo.Party{AOR: "sip:agent-digits@pbx.example", Name: "Agent"}})
	if err != nil {
		return Recorded{}, time.Time{}, err
	}
	sent, err := streams.Play(ctx, c, sess.Caller, sess.Agent)
	if err != nil {
		_ = sess.Bye(ctx)
		return Recorded{}, sent, err
	}
	if err := sess.Bye(ctx); err != nil {
		return Recorded{}, sent, err
	}
	rec, err := fetch(ctx, api, id)
	return rec, sent, err
}

// fetch waits for the recording to be final and reads it back.
func fetch(ctx context.Context, api demo.API, id string) (Recorded, error) {
	var seg media.SegmentMap
	for {
		err := api.Do(ctx, "GET", "/v1/conversations/"+id+"/recording/segments", nil, &seg)
		if err == nil && seg.Complete {
			break
		}
		select {
		case <-ctx.Done():
			return Recorded{}, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	wav, err := get(ctx, api, "/v1/conversations/"+id+"/recording.wav")
	if err != nil {
		return Recorded{}, err
	}
	left, err := leftChannel(wav)
	if err != nil {
		return Recorded{}, err
	}
	rec := Recorded{Caller: left}
	for _, s := range seg.Segments {
		if s.State != media.SegmentPaused {
			continue
		}
		p := PausedSpan{Start: s.WAVStart, End: s.WAVEnd}
		for _, r := range s.Reasons {
			p.Kinds = append(p.Kinds, string(r.Kind))
		}
		p.GateClosedAt, _ = time.Parse(time.RFC3339Nano, s.GateClosedAt)
		rec.Paused = append(rec.Paused, p)
	}
	// The transcript's own shape (internal/asr), as the API serves it.
	var tr struct {
		Segments []struct {
			Channel        string
			StartMs, EndMs int64
			Text           string
		}
	}
	if err := api.Do(ctx, "GET", "/v1/conversations/"+id+"/transcript", nil, &tr); err == nil {
		for _, s := range tr.Segments {
			if s.Channel == "caller" {
				rec.Transcript = append(rec.Transcript, Said{Start: s.StartMs * 8, End: s.EndMs * 8, Text: s.Text})
			}
		}
	}
	return rec, nil
}

func get(ctx context.Context, api demo.API, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", api.Base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+api.Key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return io.ReadAll(res.Body)
}

func leftChannel(wav []byte) ([]int16, error) {
	info, err := media.ReadWAVInfo(bytes.NewReader(wav))
	if err != nil {
		return nil, err
	}
	if info.Channels != 2 || info.Bits != 16 {
		return nil, errors.New("recording is not 16-bit stereo")
	}
	data := wav[info.DataOffset:min(int64(len(wav)), info.DataOffset+info.DataSize)]
	out := make([]int16, len(data)/4)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(data[4*i:]))
	}
	return out, nil
}
