package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/backoff"
)

// Config configures the traffic generator.
type Config struct {
	// SIP is the recorder's SIPREC address.
	SIP netip.AddrPort
	// API reaches hush's HTTP API with an admin key. The demo creates a
	// key for each of its agents with it, and makes the secure payments
	// and pauses agents would make from the console with the agent's own
	// key, so the audit names the agent. Without a key only the SBC's part
	// (calls, holds) runs.
	API API
	// Calls is how many calls run at once; zero means 3.
	Calls int
	// Speed scales the script's timings (1 is real time); zero means 1.
	Speed  float64
	Logger *slog.Logger
}

// agents are the demo's agents: their keys show them only their calls.
var agents = []Party{
	{AOR: "sip:agent-alice@pbx.demo.example", Name: "Alice Agent", ID: "alice"},
	{AOR: "sip:agent-bob@pbx.demo.example", Name: "Bob Agent", ID: "bob"},
	{AOR: "sip:agent-carol@pbx.demo.example", Name: "Carol Agent", ID: "carol"},
}

// Run places calls until ctx ends; each call runs the script: talk, hold,
// unhold, a secure payment, an agent's retroactive pause, hang up.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Calls <= 0 {
		cfg.Calls = 3
	}
	if cfg.Speed <= 0 {
		cfg.Speed = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	host := cfg.SIP.Addr()
	dir, err := os.MkdirTemp("", "hush-demo-audio-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	caller, agent, source := Voices(ctx, dir)
	cfg.Logger.Info("demo traffic", "calls", cfg.Calls, "audio", source, "recorder", cfg.SIP.String())
	sbc, err := NewSBC(cfg.SIP, host)
	if err != nil {
		return err
	}
	defer sbc.Close()
	st, err := NewStreamer(host)
	if err != nil {
		return err
	}
	go st.Run(ctx)
	keys := agentKeys(ctx, cfg)
	var wg sync.WaitGroup
	for slot := range cfg.Calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := runner{cfg: cfg, sbc: sbc, st: st, caller: caller, agent: agent, slot: slot, agentAPI: keys[slot%len(agents)]}
			r.loop(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// runner places one slot's calls, one after the other.
type runner struct {
	cfg           Config
	sbc           *SBC
	st            *Streamer
	caller, agent []byte
	slot          int
	// agentAPI calls hush as the slot's agent.
	agentAPI API
}

func (r *runner) loop(ctx context.Context) {
	// Stagger the slots so their scripts do not move in step.
	if !r.sleep(ctx, time.Duration(r.slot)*7*time.Second) {
		return
	}
	for n := 1; ctx.Err() == nil; n++ {
		id := fmt.Sprintf("demo-%d-%d-%d", time.Now().Unix(), r.slot+1, n)
		if err := r.call(ctx, id); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("demo call", "conversation", id, "err", err)
			r.sleep(ctx, 3*time.Second)
		}
	}
}

// sleep waits d (scaled), or until ctx ends; it reports whether to go on.
func (r *runner) sleep(ctx context.Context, d time.Duration) bool {
	return backoff.Sleep(ctx, time.Duration(float64(d)/r.cfg.Speed))
}

// call runs the script of one call.
func (r *runner) call(ctx context.Context, id string) error {
	agent := agents[r.slot%len(agents)]
	spec := CallSpec{
		CallID: id, Agent: agent,
		Caller:     Party{AOR: fmt.Sprintf("sip:+1555010%04d@carrier.demo.example", r.slot*100+len(id)%100), Name: "Caller"},
		CallerPort: r.st.Port(), AgentPort: r.st.Port(),
	}
	sess, err := r.sbc.Call(ctx, spec)
	if err != nil {
		return err
	}
	log := r.cfg.Logger.With("conversation", id)
	log.Info("demo call started", "agent", agent.Name)
	cs := r.st.Start(sess.Caller, r.caller, uint32(0x1000+r.slot))
	as := r.st.Start(sess.Agent, r.agent, uint32(0x2000+r.slot))
	defer func() {
		r.st.Stop(cs)
		r.st.Stop(as)
		bctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := sess.Bye(bctx); err != nil {
			log.Warn("hang up", "err", err)
		}
	}()
	steps := []struct {
		after time.Duration
		what  string
		do    func() error
	}{
		{8 * time.Second, "hold (re-INVITE a=inactive)", func() error {
			cs.SetSending(false)
			as.SetSending(false)
			return sess.Hold(ctx, true)
		}},
		{6 * time.Second, "unhold (re-INVITE a=sendonly)", func() error {
			cs.SetSending(true)
			as.SetSending(true)
			return sess.Hold(ctx, false)
		}},
		{6 * time.Second, "secure payment", func() error { return r.securePayment(ctx, id, 8*time.Second) }},
		{6 * time.Second, "agent pauses recording and transcription, reaching 2 s back", func() error {
			body := map[string]any{"reason": "caller read out a date of birth", "retroactiveMs": 2000}
			return errors.Join(
				r.api(ctx, "POST", "/v1/conversations/"+id+"/recording/pause", body, nil),
				r.api(ctx, "POST", "/v1/conversations/"+id+"/transcription/pause", body, nil))
		}},
		{4 * time.Second, "agent resumes", func() error {
			return errors.Join(
				r.api(ctx, "POST", "/v1/conversations/"+id+"/recording/resume", map[string]any{}, nil),
				r.api(ctx, "POST", "/v1/conversations/"+id+"/transcription/resume", map[string]any{}, nil))
		}},
		{8 * time.Second, "hang up", func() error { return nil }},
	}
	for _, s := range steps {
		if !r.sleep(ctx, s.after) {
			return nil
		}
		log.Info("demo: " + s.what)
		if err := s.do(); err != nil {
			log.Warn("demo step failed", "step", s.what, "err", err)
		}
	}
	return nil
}

// securePayment opens a secure session, lets the "payment page" take d,
// then completes it with the session's one-time token, as the page would.
func (r *runner) securePayment(ctx context.Context, id string, d time.Duration) error {
	var sess struct {
		ID          string `json:"id"`
		CompleteURL string `json:"completeUrl"`
	}
	if err := r.api(ctx, "POST", "/v1/conversations/"+id+"/secure-sessions", map[string]any{"ttlSeconds": 120}, &sess); err != nil {
		return err
	}
	if !r.sleep(ctx, d) {
		return nil
	}
	page := API{Base: r.cfg.API.Base, Client: r.cfg.API.Client}
	return page.Do(ctx, "POST", sess.CompleteURL, nil, nil)
}

var errNoAPI = errors.New("demo: no API key: skipped")

// api calls hush as the slot's agent.
func (r *runner) api(ctx context.Context, method, path string, body, out any) error {
	if r.agentAPI.Key == "" || r.agentAPI.Base == "" {
		return errNoAPI
	}
	return r.agentAPI.Do(ctx, method, path, body, out)
}

// agentKeys creates an API key for each demo agent with the admin key, in
// the order of agents. An agent whose key cannot be created gets none: its
// calls run without the agent's actions.
func agentKeys(ctx context.Context, cfg Config) []API {
	out := make([]API, len(agents))
	if cfg.API.Key == "" || cfg.API.Base == "" {
		return out
	}
	for i, a := range agents {
		var created struct {
			Key string `json:"key"`
		}
		body := map[string]string{"role": "agent", "agentId": a.ID}
		if err := cfg.API.Do(ctx, "POST", "/v1/keys", body, &created); err != nil {
			cfg.Logger.Warn("demo: no key for agent; its calls run without the agent's pauses", "agent", a.ID, "err", err)
			continue
		}
		out[i] = API{Base: cfg.API.Base, Key: created.Key, Client: cfg.API.Client}
	}
	return out
}
