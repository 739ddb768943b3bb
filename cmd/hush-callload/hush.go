package main

import (
	"context"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
	"github.com/hush-cc/hush/internal/demo"
	"github.com/hush-cc/hush/internal/media"
)

const (
	targetHush    = "hush"
	targetLoreste = "loreste"
)

// collectPatience is how long the tool waits, after the calls hang up,
// for the next call's recording to be finished before it counts the
// rest as incomplete.
const collectPatience = 60 * time.Second

// hush drives hush's recorder through its API.
type hush struct {
	api    demo.API // the recording node: segment maps
	pauses demo.API // where pauses and resumes go: api, or another node
}

func (h hush) pause(ctx context.Context, c *call) error {
	return h.pauses.Do(ctx, "POST", "/v1/conversations/"+c.id+"/recording/pause", map[string]any{"reason": "latency probe"}, nil)
}

func (h hush) resume(ctx context.Context, c *call) error {
	return h.pauses.Do(ctx, "POST", "/v1/conversations/"+c.id+"/recording/resume", map[string]any{}, nil)
}

// collect reads every call's segment map once it is complete. A pause's
// latency runs from its request to the moment the call's gate closed.
func (h hush) collect(ctx context.Context, calls []*call, rep *report, window time.Duration) error {
	var lat []float64
	deadline := time.Now().Add(collectPatience)
	for _, c := range calls {
		if c.sess == nil {
			continue
		}
		var m media.SegmentMap
		for {
			err := h.api.Do(ctx, "GET", "/v1/conversations/"+c.id+"/recording/segments", nil, &m)
			if err == nil && m.Complete || time.Now().After(deadline) || ctx.Err() != nil {
				break
			}
			backoff.Sleep(ctx, 100*time.Millisecond)
		}
		if !m.Complete || m.Stats == nil {
			continue
		}
		deadline = time.Now().Add(collectPatience)
		rep.CompleteWAVs++
		if m.WAVSamples < int64(window/time.Second)*media.SampleRate {
			rep.ShortWAVs++
		}
		for _, s := range []media.StreamStats{m.Stats.Caller, m.Stats.Agent} {
			rep.PacketsWritten += s.Packets - s.Early - s.Late
			rep.SeqGaps += s.Lost
			rep.Late += s.Late
			rep.Early += s.Early
		}
		if c.pausedAt.IsZero() {
			continue
		}
		for _, s := range m.Segments {
			if s.State != media.SegmentPaused || s.GateClosedAt == "" {
				continue
			}
			if t, err := time.Parse(time.RFC3339Nano, s.GateClosedAt); err == nil && !t.Before(c.pausedAt) {
				lat = append(lat, float64(t.Sub(c.pausedAt))/float64(time.Millisecond))
				break
			}
		}
	}
	rep.setPauseLatencies(lat, "request sent to gate closed")
	return ctx.Err()
}
