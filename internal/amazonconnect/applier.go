package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
)

// Engine is what the Applier needs of *engine.Engine.
type Engine interface {
	Create(ctx context.Context, spec conversation.Spec, actor string) (conversation.Conversation, error)
	Submit(ctx context.Context, id string, in conversation.Input) <-chan engine.Result
}

// ApplierConfig configures an Applier.
type ApplierConfig struct {
	// Plan tunes the planning of each event (the agentId source).
	Plan Options
	// Recording is the state a new contact's recording is in when hush
	// first sees it: in-progress (the contact flow started it; the default)
	// or not-started.
	Recording conversation.State
	// Reconcile asks the engine, before an agent's events are applied, to
	// re-drive the conversations of the contacts the agent's memory holds.
	// A process with no reconciler of its own (the Lambda) sets it: a drive
	// left unanswered by an earlier invocation is taken up again at the
	// agent's next event, heartbeats included.
	Reconcile bool
	// MaxRecordAge bounds how old an event may be and still call Connect:
	// an older hold or unhold (a backlog being replayed, a retried batch)
	// updates the agent's memory and creates or ends conversations, which
	// call nothing, but suspends and resumes nothing. Zero sets no bound;
	// the command line and the Lambda default to DefaultMaxRecordAge.
	MaxRecordAge time.Duration
	// Parallel bounds how many agents are applied at once; 16 when zero.
	Parallel int
	Logger   *slog.Logger
}

// Action results reported per action. A duplicate or stale input reports
// conversation.IgnoredDuplicate or conversation.IgnoredStale.
const (
	ResultCreated   = "created"
	ResultExists    = "exists"
	ResultApplied   = "applied"
	ResultUnchanged = "unchanged"
	// ResultNotFound: the conversation does not exist, so an end changes
	// nothing.
	ResultNotFound = "not-found"
	// ResultRejected: the input broke a conversation rule (a hold on an
	// ended call): a stale event, not an error.
	ResultRejected = "rejected"
	ResultFailed   = "failed"
	// ResultSkipped: not tried because an earlier event of the agent failed.
	ResultSkipped = "skipped"
	// ResultTooOld: a hold or unhold older than MaxRecordAge, remembered
	// but not applied, so Connect is not called for a past long gone.
	ResultTooOld = "too-old"
)

// DefaultMaxRecordAge is how old an agent event may be and still suspend or
// resume a recording.
const DefaultMaxRecordAge = 10 * time.Minute

// EventResult says what became of one agent event.
type EventResult struct {
	EventID   string    `json:"eventId"`
	AgentARN  string    `json:"agentArn"`
	EventType EventType `json:"eventType"`
	// Ignored is conversation.IgnoredDuplicate or IgnoredStale when the
	// agent's memory showed the event changes nothing.
	Ignored string         `json:"ignored,omitempty"`
	Actions []ActionResult `json:"actions"`
	// Err is set when the event was not durably applied: deliver it again.
	Err   error  `json:"-"`
	Error string `json:"error,omitempty"`
}

// ActionResult says what became of one action of an event.
type ActionResult struct {
	Kind           ActionKind `json:"kind"`
	ConversationID string     `json:"conversationId"`
	Result         string     `json:"result"`
	Detail         string     `json:"detail,omitempty"`
}

// agentLocks stripes the per-agent serialization: bounded memory whatever
// the number of agents.
const agentLocks = 256

// maxMemoryConflicts bounds how often one agent's events are planned again
// after another writer stored the agent's memory first.
const maxMemoryConflicts = 8

// Applier applies agent events to hush: per agent, in order, it plans each
// event against the agent's stored Memory, applies the actions through the
// engine (durably: the engine returns after the write), and only then stores
// the new memory. Replays are harmless: the memory and the conversations
// both remember event ids, and conversations ignore events older than the
// newest applied. It is a Sink for the Kinesis consumer and serves the HTTP
// ingest path and the Lambda too.
type Applier struct {
	eng   Engine
	mem   store.AdapterState
	cfg   ApplierConfig
	log   *slog.Logger
	seed  maphash.Seed
	locks [agentLocks]sync.Mutex
}

var _ Sink = (*Applier)(nil)

// NewApplier returns an applier feeding eng, with agent memory kept in mem.
func NewApplier(eng Engine, mem store.AdapterState, cfg ApplierConfig) (*Applier, error) {
	if eng == nil || mem == nil {
		return nil, errors.New("connect applier: an engine and a memory store are required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Recording == "" {
		cfg.Recording = conversation.InProgress
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 16
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Applier{eng: eng, mem: mem, cfg: cfg, log: log, seed: maphash.MakeSeed()}, nil
}

// Validate checks the settings NewApplier would refuse.
func (cfg ApplierConfig) Validate() error {
	if cfg.MaxRecordAge < 0 {
		return fmt.Errorf("connect applier: max record age %s: want zero (no bound) or more", cfg.MaxRecordAge)
	}
	switch cfg.Recording {
	case "", conversation.InProgress, conversation.NotStarted:
	default:
		return fmt.Errorf("connect applier: initial recording state %q: want in-progress or not-started", cfg.Recording)
	}
	switch cfg.Plan.AgentID {
	case "", AgentIDUsername, AgentIDARN:
	default:
		return fmt.Errorf("connect applier: agent id source %q: want username or arn", cfg.Plan.AgentID)
	}
	return nil
}

// Apply applies the records' events and returns once they are durable. It
// returns the first failure; the records may then be partly applied, and
// applying them again is safe.
func (a *Applier) Apply(ctx context.Context, records []Record) error {
	evs := make([]AgentEvent, len(records))
	for i, r := range records {
		evs[i] = r.Event
	}
	for i, r := range a.ApplyEvents(ctx, evs) {
		if r.Err != nil {
			rec := records[i]
			return fmt.Errorf("record %s of shard %s (event %s): %w", rec.SequenceNumber, rec.ShardID, r.EventID, r.Err)
		}
	}
	return nil
}

// ApplyEvents applies events, each agent's in the order given, agents in
// parallel, and says per event what happened. An event with Err set was
// not durably applied; the events of the same agent after it are not
// applied either.
func (a *Applier) ApplyEvents(ctx context.Context, evs []AgentEvent) []EventResult {
	byAgent := map[string][]int{}
	var agents []string
	for i, ev := range evs {
		if _, ok := byAgent[ev.AgentARN]; !ok {
			agents = append(agents, ev.AgentARN)
		}
		byAgent[ev.AgentARN] = append(byAgent[ev.AgentARN], i)
	}
	results := make([]EventResult, len(evs))
	sem := make(chan struct{}, a.cfg.Parallel)
	var wg sync.WaitGroup
	for _, arn := range agents {
		idx := byAgent[arn]
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			agentEvs := make([]AgentEvent, len(idx))
			for j, i := range idx {
				agentEvs[j] = evs[i]
			}
			for j, r := range a.applyAgent(ctx, arn, agentEvs) {
				results[idx[j]] = r
			}
		})
	}
	wg.Wait()
	return results
}

func (a *Applier) lock(agentARN string) *sync.Mutex {
	return &a.locks[maphash.String(a.seed, agentARN)%agentLocks]
}

// applyAgent applies one agent's events in order, then stores its memory,
// planning again from the stored memory if another writer got there first.
func (a *Applier) applyAgent(ctx context.Context, arn string, evs []AgentEvent) []EventResult {
	mu := a.lock(arn)
	mu.Lock()
	defer mu.Unlock()
	for attempt := 0; ; attempt++ {
		mem, version, err := LoadMemory(ctx, a.mem, arn)
		if err != nil {
			return failAll(evs, err)
		}
		if a.cfg.Reconcile && attempt == 0 {
			if err := a.reconcile(ctx, mem); err != nil {
				return failAll(evs, err)
			}
		}
		res, next, applied := a.run(ctx, evs, mem)
		if applied == 0 {
			return res
		}
		err = SaveMemory(ctx, a.mem, arn, next, version)
		if errors.Is(err, store.ErrConflict) && attempt < maxMemoryConflicts {
			a.log.Debug("connect: agent memory changed meanwhile; planning again", "agent", arn)
			continue
		}
		if err != nil {
			// The actions are durable but the memory is not: the events
			// must come again, and their actions will be duplicates.
			for i := range applied {
				res[i].Err, res[i].Error = err, err.Error()
			}
		}
		return res
	}
}

func failAll(evs []AgentEvent, err error) []EventResult {
	res := make([]EventResult, len(evs))
	for i, ev := range evs {
		res[i] = EventResult{EventID: ev.EventID, AgentARN: ev.AgentARN, EventType: ev.EventType, Actions: []ActionResult{}, Err: err, Error: err.Error()}
	}
	return res
}

// pending is an input submitted to the engine whose result is awaited.
type pending struct {
	event, action int
	ch            <-chan engine.Result
}

// run plans every event from mem and applies the actions: inputs are
// submitted in order without waiting (each conversation's lane keeps the
// order), creations wait, since later inputs need the conversation. It
// returns the results, the memory after the last event of the unbroken
// run of successes, and how many events that run holds.
func (a *Applier) run(ctx context.Context, evs []AgentEvent, mem Memory) ([]EventResult, Memory, int) {
	res := make([]EventResult, len(evs))
	mems := make([]Memory, len(evs))
	var pend []pending
	for i, ev := range evs {
		res[i] = EventResult{EventID: ev.EventID, AgentARN: ev.AgentARN, EventType: ev.EventType, Actions: []ActionResult{}}
	}
	failed := len(evs)
	var firstErr error
plan:
	for i, ev := range evs {
		opt := a.cfg.Plan
		opt.Now = time.Now()
		if opt.MaxClockSkew == 0 {
			opt.MaxClockSkew = conversation.DefaultPolicy().MaxClockSkew
		}
		out := Plan(ev, mem, opt)
		mem, mems[i] = out.Memory, out.Memory
		res[i].Ignored = out.Ignored
		if out.Ignored == IgnoredFuture {
			a.log.Warn("connect: agent event stamped too far ahead of hush's clock; ignored", "agent", ev.AgentARN,
				"event", ev.EventID, "eventTimestamp", ev.EventTimestamp, "maxClockSkew", opt.MaxClockSkew)
		} else if out.Ignored != "" {
			a.log.Debug("connect: agent event changes nothing", "agent", ev.AgentARN, "event", ev.EventID, "why", out.Ignored)
		}
		tooOld := a.cfg.MaxRecordAge > 0 && opt.Now.Sub(ev.EventTimestamp) > a.cfg.MaxRecordAge
		for _, act := range out.Actions {
			ar := ActionResult{Kind: act.Kind, ConversationID: act.ContactID}
			if tooOld && (act.Kind == ActionHold || act.Kind == ActionUnhold) {
				ar.Result = ResultTooOld
				ar.Detail = fmt.Sprintf("event of %s is older than %s: remembered, Connect not called",
					ev.EventTimestamp.UTC().Format(time.RFC3339), a.cfg.MaxRecordAge)
				a.log.Info("connect: agent event too old to suspend or resume", "agent", ev.AgentARN, "event", ev.EventID,
					"contact", act.ContactID, "action", act.Kind, "eventTimestamp", ev.EventTimestamp, "maxRecordAge", a.cfg.MaxRecordAge)
				res[i].Actions = append(res[i].Actions, ar)
				continue
			}
			if act.Kind == ActionCreate {
				var err error
				ar.Result, ar.Detail, err = a.create(ctx, act)
				res[i].Actions = append(res[i].Actions, ar)
				if err != nil {
					failed, firstErr = i, err
					break plan
				}
				continue
			}
			in, _ := act.Input()
			in.Actor = actor(act)
			pend = append(pend, pending{event: i, action: len(res[i].Actions), ch: a.eng.Submit(ctx, act.ContactID, in)})
			res[i].Actions = append(res[i].Actions, ar)
		}
	}
	for _, p := range pend {
		r := <-p.ch
		ar := &res[p.event].Actions[p.action]
		if err := a.classify(ar, r); err != nil && p.event <= failed {
			if p.event < failed || firstErr == nil {
				firstErr = err
			}
			failed = p.event
		}
	}
	for i := failed; i < len(evs); i++ {
		err := firstErr
		if i > failed {
			err = fmt.Errorf("deliver again: event %s of the same agent failed before it: %w", evs[failed].EventID, firstErr)
			markSkipped(&res[i])
		}
		res[i].Err, res[i].Error = err, err.Error()
	}
	changed := slices.ContainsFunc(res[:failed], func(r EventResult) bool { return r.Ignored == "" })
	if !changed {
		return res, Memory{}, 0
	}
	return res, mems[failed-1], failed
}

func markSkipped(r *EventResult) {
	for j := range r.Actions {
		if r.Actions[j].Result == "" {
			r.Actions[j].Result = ResultSkipped
		}
	}
}

// create makes the conversation of a newly seen voice contact; one that
// exists already (a replay) is fine.
func (a *Applier) create(ctx context.Context, act Action) (result, detail string, err error) {
	_, err = a.eng.Create(ctx, act.Spec(a.cfg.Recording, conversation.NotStarted), actor(act))
	var ce *conversation.Error
	switch {
	case err == nil:
		return ResultCreated, "", nil
	case errors.Is(err, store.ErrExists):
		return ResultExists, "", nil
	case errors.As(err, &ce):
		a.log.Warn("connect: contact cannot become a conversation", "contact", act.ContactID, "err", err)
		return ResultRejected, ce.Code, nil
	}
	return ResultFailed, err.Error(), fmt.Errorf("create conversation %s: %w", act.ContactID, err)
}

// classify fills in an action's result; it returns an error only for a
// failure worth delivering the event again for.
func (a *Applier) classify(ar *ActionResult, r engine.Result) error {
	var ce *conversation.Error
	switch {
	case r.Err == nil && r.Ignored != "":
		ar.Result = r.Ignored
	case r.Err == nil && r.Changed:
		ar.Result = ResultApplied
	case r.Err == nil:
		ar.Result = ResultUnchanged
	case errors.Is(r.Err, store.ErrNotFound):
		ar.Result = ResultNotFound
		if ar.Kind != ActionEnd {
			a.log.Warn("connect: no conversation for a remembered contact", "contact", ar.ConversationID, "action", ar.Kind)
		}
	case errors.As(r.Err, &ce):
		// A rule refused a stale event, such as a hold after the end.
		ar.Result, ar.Detail = ResultRejected, ce.Code
		a.log.Debug("connect: stale action refused", "contact", ar.ConversationID, "action", ar.Kind, "code", ce.Code)
	default:
		ar.Result, ar.Detail = ResultFailed, r.Err.Error()
		return fmt.Errorf("%s conversation %s: %w", ar.Kind, ar.ConversationID, r.Err)
	}
	return nil
}

// reconcile asks the engine to re-drive the conversations of the contacts
// mem holds, before anything else enters their lanes.
func (a *Applier) reconcile(ctx context.Context, mem Memory) error {
	ids := slices.Sorted(maps.Keys(mem.Contacts))
	chs := make([]<-chan engine.Result, len(ids))
	for i, id := range ids {
		chs[i] = a.eng.Submit(ctx, id, conversation.Input{Kind: conversation.KindReconcile, Actor: "reconciler"})
	}
	var ce *conversation.Error
	for i, ch := range chs {
		r := <-ch
		if r.Err != nil && !errors.Is(r.Err, store.ErrNotFound) && !errors.As(r.Err, &ce) {
			return fmt.Errorf("reconcile conversation %s: %w", ids[i], r.Err)
		}
	}
	return nil
}

// actor names the agent in audit entries and hold reasons.
func actor(act Action) string { return Platform + ":" + act.AgentID }
