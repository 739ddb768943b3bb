package conversation_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// capTx names one transaction on one capability: a hold drives both
// capabilities under the same transaction, and each ends separately.
type capTx struct {
	k  cv.Capability
	tx string
}

type reasonKey struct {
	k    cv.Capability
	kind cv.ReasonKind
	id   string
}

// machine is the model the property test drives: the conversation under
// test plus what the rules promise about it.
type machine struct {
	c      cv.Conversation
	now    time.Time
	policy cv.Policy
	seq    int
	// outstanding is the transaction of the drive each capability waits on.
	outstanding map[cv.Capability]string
	// mustEnd holds every command and drive transaction: each ends in
	// exactly one operation-completed event.
	mustEnd   map[capTx]bool
	completed map[capTx]int
	// seen mirrors the event ids the conversation must remember.
	seen     []string
	lastAt   time.Time
	replayed []cv.Input
	ended    bool
	// agent is the owner the last transfer named; declined whether the
	// customer declined recording.
	agent    string
	declined bool
}

const maxSeen = 64

func newMachine(t *rapid.T) *machine {
	out, err := cv.New(cv.Spec{ID: "c1", AgentID: "alice", Platform: "none",
		Recording:     rapid.SampledFrom([]cv.State{cv.InProgress, cv.NotStarted}).Draw(t, "recording"),
		Transcription: rapid.SampledFrom([]cv.State{cv.InProgress, cv.NotStarted}).Draw(t, "transcription"),
		At:            t0,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	policy := cv.DefaultPolicy()
	if rapid.IntRange(0, 3).Draw(t, "unbounded") == 0 {
		// Zero max ages set no bound: pauses then last until released.
		policy.ManualMaxAge, policy.SecureMaxAge, policy.AutoMaxAge = 0, 0, 0
	}
	policy.ResumeAuto = rapid.Bool().Draw(t, "resumeAuto")
	return &machine{
		c:           out.Conversation,
		now:         t0,
		policy:      policy,
		outstanding: map[cv.Capability]string{},
		mustEnd:     map[capTx]bool{},
		completed:   map[capTx]int{},
		agent:       out.Conversation.AgentID,
	}
}

func (m *machine) nextTx() string {
	m.seq++
	return fmt.Sprintf("tx-%d", m.seq)
}

func (m *machine) advance(t *rapid.T) {
	d := rapid.SampledFrom([]time.Duration{0, time.Second, 5 * time.Second, 11 * time.Second, time.Minute, 2 * time.Minute, 6 * time.Minute, 16 * time.Minute}).Draw(t, "advance")
	m.now = m.now.Add(d)
}

// eventTime is now or a little before it, so some events arrive late.
func (m *machine) eventTime(t *rapid.T) time.Time {
	back := rapid.SampledFrom([]time.Duration{0, 0, time.Second, 30 * time.Second}).Draw(t, "late")
	return m.now.Add(-back)
}

var (
	capabilities = rapid.SampledFrom(cv.AllCapabilities())
	operations   = rapid.SampledFrom([]cv.Operation{cv.OpStart, cv.OpPause, cv.OpResume, cv.OpStop})
	actors       = rapid.SampledFrom([]string{"alice", "bob", "carol"})
	sessionIDs   = rapid.SampledFrom([]string{"s1", "s2", "s3"})
	streams      = rapid.SampledFrom([]string{"caller", "agent"})
	// The end is one platform event in seven, so most runs see a long
	// live call and many still see the end.
	platformKinds = rapid.SampledFrom([]cv.Kind{
		cv.KindHold, cv.KindHold, cv.KindUnhold, cv.KindUnhold, cv.KindSourcePause, cv.KindSourceResume,
		cv.KindAutoPause, cv.KindAutoResume, cv.KindEnd,
	})
	detectors = rapid.SampledFrom([]string{"keypad", "spoken"})
)

func (m *machine) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"platform": func(t *rapid.T) {
			in := cv.Input{Kind: platformKinds.Draw(t, "kind"), At: m.eventTime(t), EventID: "ev-" + m.nextTx(), Actor: "ingest"}
			switch in.Kind {
			case cv.KindSourcePause, cv.KindSourceResume:
				in.SourceID = streams.Draw(t, "stream")
			case cv.KindAutoPause, cv.KindAutoResume:
				in.SourceID = detectors.Draw(t, "detector")
			}
			m.apply(t, in)
		},
		"command": func(t *rapid.T) {
			in := cv.Input{
				Kind:       cv.KindCommand,
				Capability: capabilities.Draw(t, "capability"),
				Operation:  operations.Draw(t, "operation"),
				Actor:      actors.Draw(t, "actor"),
			}
			retro := rapid.SampledFrom([]time.Duration{0, 0, 2 * time.Second}).Draw(t, "retroactive")
			in.At = m.now.Add(-retro)
			m.apply(t, in)
		},
		"secureStart": func(t *rapid.T) {
			in := cv.Input{Kind: cv.KindSecureStart, SessionID: sessionIDs.Draw(t, "session"), Actor: actors.Draw(t, "actor"), At: m.now}
			if ttl := rapid.SampledFrom([]time.Duration{0, time.Minute, 5 * time.Minute, time.Hour}).Draw(t, "ttl"); ttl > 0 {
				in.ExpiresAt = m.now.Add(ttl)
			}
			m.apply(t, in)
		},
		"secureComplete": func(t *rapid.T) {
			m.apply(t, cv.Input{Kind: cv.KindSecureComplete, SessionID: sessionIDs.Draw(t, "session"), At: m.now})
		},
		"expire": func(t *rapid.T) {
			m.advance(t)
			m.apply(t, cv.Input{Kind: cv.KindExpire, At: m.now})
		},
		"reconcile": func(t *rapid.T) {
			m.advance(t)
			m.apply(t, cv.Input{Kind: cv.KindReconcile, At: m.now})
		},
		"advance": func(t *rapid.T) { m.advance(t) },
		"transfer": func(t *rapid.T) {
			m.apply(t, cv.Input{Kind: cv.KindTransfer, AgentID: rapid.SampledFrom([]string{"alice", "bob", "dave"}).Draw(t, "agent"), Actor: "ingest", At: m.now})
		},
		"consent": func(t *rapid.T) {
			// Declines are rarer, so most runs keep something to pause.
			answer := rapid.SampledFrom([]cv.ConsentState{cv.ConsentGranted, cv.ConsentGranted, cv.ConsentGranted, cv.ConsentDeclined}).Draw(t, "consent")
			m.apply(t, cv.Input{Kind: cv.KindConsent, Consent: answer, Actor: "ingest", At: m.now})
		},
		"result": func(t *rapid.T) {
			k := capabilities.Draw(t, "capability")
			r := &cv.Result{TransactionID: "no-such-drive"}
			if d := m.c.Cap(k).Driving; d != nil && rapid.IntRange(0, 5).Draw(t, "wrongTx") != 0 {
				r.TransactionID = d.TransactionID
			}
			switch rapid.SampledFrom([]string{"ok", "ok", "ok-reported", "fail", "fail-final"}).Draw(t, "answer") {
			case "ok-reported":
				r.State = rapid.SampledFrom([]cv.State{cv.InProgress, cv.Paused, cv.Stopped, cv.Unknown}).Draw(t, "reported")
			case "fail":
				r.Err = "backend busy"
			case "fail-final":
				r.Err, r.Final = "contact gone", true
			}
			m.advance(t)
			m.apply(t, cv.Input{Kind: cv.KindResult, Capability: k, Result: r, At: m.now})
		},
		"replay": func(t *rapid.T) {
			if len(m.replayed) == 0 {
				t.Skip("no platform event to replay")
			}
			in := rapid.SampledFrom(m.replayed).Draw(t, "event")
			m.advance(t)
			m.apply(t, in)
		},
		"": m.check,
	}
}

// expectIgnored says what the rules must make of an input before it is
// applied: a duplicate, a stale input, or nothing.
func (m *machine) expectIgnored(in cv.Input) string {
	switch in.Kind {
	case cv.KindHold, cv.KindUnhold, cv.KindEnd, cv.KindSourcePause, cv.KindSourceResume, cv.KindAutoPause, cv.KindAutoResume:
		switch {
		case slices.Contains(m.seen, in.EventID):
			return cv.IgnoredDuplicate
		case in.Kind == cv.KindEnd && !m.c.Active():
			return cv.IgnoredDuplicate
		case in.Kind != cv.KindEnd && in.Kind != cv.KindAutoPause && in.Kind != cv.KindAutoResume && in.At.Before(m.lastAt):
			return cv.IgnoredStale
		}
	case cv.KindResult:
		if m.outstanding[in.Capability] != in.Result.TransactionID {
			return cv.IgnoredStale
		}
	}
	return ""
}

func isPlatform(k cv.Kind) bool {
	switch k {
	case cv.KindHold, cv.KindUnhold, cv.KindEnd, cv.KindSourcePause, cv.KindSourceResume, cv.KindAutoPause, cv.KindAutoResume:
		return true
	}
	return false
}

func (m *machine) apply(t *rapid.T, in cv.Input) {
	t.Helper()
	if in.TransactionID == "" {
		in.TransactionID = m.nextTx()
	}
	before := m.c
	snap := snapshot(t, before)
	wantIgnored := m.expectIgnored(in)
	out, err := cv.Apply(before, in, m.now, m.policy)
	if !bytes.Equal(snap, snapshot(t, before)) {
		t.Fatalf("Apply modified its input")
	}
	if err != nil {
		m.checkError(t, in, err, wantIgnored)
		return
	}
	if out.Ignored != wantIgnored {
		t.Fatalf("Ignored = %q, want %q for %+v", out.Ignored, wantIgnored, in)
	}
	if out.Ignored != "" {
		if out.Changed || len(out.Drives) != 0 || len(out.Events) != 0 || !reflect.DeepEqual(out.Conversation, before) {
			t.Fatalf("ignored (%s) input had effects: %+v", out.Ignored, out)
		}
		return
	}
	after := out.Conversation
	m.checkReasons(t, in, before, out)
	m.checkDrives(t, in, before, out)
	m.countCompletions(t, out)
	if in.Kind == cv.KindCommand {
		m.mustEnd[capTx{in.Capability, in.TransactionID}] = true
	}
	if isPlatform(in.Kind) {
		m.recordEvent(t, in, after)
	}
	if in.Kind == cv.KindEnd {
		m.ended = true
	}
	if in.Kind == cv.KindTransfer {
		m.agent = in.AgentID
	}
	if in.Kind == cv.KindConsent && in.Consent == cv.ConsentDeclined {
		m.declined = true
	}
	if in.Kind == cv.KindExpire && after.Active() {
		if next := after.NextDeadline(m.policy); !next.IsZero() && !next.After(m.now) {
			t.Fatalf("after expire at %v the next deadline %v has already passed", m.now, next)
		}
	}
	if out.Changed != !reflect.DeepEqual(before, after) {
		t.Fatalf("Changed = %v, but the conversation %s", out.Changed, map[bool]string{true: "differs", false: "is the same"}[out.Changed])
	}
	m.c = after
}

// checkError accepts only the rule violations the model allows for the
// input, which leave the conversation as it was.
func (m *machine) checkError(t *rapid.T, in cv.Input, err error, wantIgnored string) {
	t.Helper()
	var e *cv.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *conversation.Error", err)
	}
	if wantIgnored != "" {
		t.Fatalf("want input ignored as %s, got error %v", wantIgnored, err)
	}
	switch {
	case !m.c.Active():
		if e.Code != cv.CodeEnded {
			t.Fatalf("error after the end = %v, want %s", err, cv.CodeEnded)
		}
	case in.Kind == cv.KindCommand && m.declined && (in.Operation == cv.OpStart || in.Operation == cv.OpResume):
		if e.Code != cv.CodeConsentDeclined {
			t.Fatalf("command %s %s after a declined consent: %v", in.Operation, in.Capability, err)
		}
	case in.Kind == cv.KindConsent:
		if e.Code != cv.CodeConsentDeclined || !m.declined || in.Consent != cv.ConsentGranted {
			t.Fatalf("consent %s refused: %v", in.Consent, err)
		}
	case in.Kind == cv.KindCommand:
		if e.Code != cv.CodeStopped || !m.c.Cap(in.Capability).Stopped || in.Operation == cv.OpStop {
			t.Fatalf("command %s %s refused: %v", in.Operation, in.Capability, err)
		}
	case in.Kind == cv.KindSecureStart:
		s, ok := m.c.Session(in.SessionID)
		if e.Code != cv.CodeSessionClosed || !ok || s.State == cv.SessionActive {
			t.Fatalf("secure start refused: %v", err)
		}
	case in.Kind == cv.KindSecureComplete:
		s, ok := m.c.Session(in.SessionID)
		if (ok && (s.State != cv.SessionExpired || e.Code != cv.CodeSessionClosed)) || (!ok && e.Code != cv.CodeSessionUnknown) {
			t.Fatalf("secure complete refused: %v", err)
		}
	default:
		t.Fatalf("%s refused: %v", in.Kind, err)
	}
}

func reasonSet(c cv.Conversation) map[reasonKey]cv.Reason {
	set := map[reasonKey]cv.Reason{}
	for _, k := range cv.AllCapabilities() {
		for _, r := range c.Cap(k).Reasons {
			set[reasonKey{k, r.Kind, r.ID}] = r
		}
	}
	return set
}

// checkReasons holds every input to the reasons it may add and remove: a
// resume by one actor never releases another's pause, unhold only the hold,
// and so on.
func (m *machine) checkReasons(t *rapid.T, in cv.Input, before cv.Conversation, out cv.Outcome) {
	t.Helper()
	after := out.Conversation
	was, is := reasonSet(before), reasonSet(after)
	for key, r := range was {
		kept, ok := is[key]
		if ok {
			if kept != r {
				t.Fatalf("reason %+v became %+v", r, kept)
			}
			continue
		}
		if !m.mayRemove(in, key, r, before) {
			t.Fatalf("%s (actor %q) removed %s reason %+v", in.Kind, in.Actor, key.k, r)
		}
	}
	for key, r := range is {
		if _, ok := was[key]; ok {
			continue
		}
		if !mayAdd(in, key) || !r.Since.Equal(in.At) {
			t.Fatalf("%s (actor %q) added %s reason %+v", in.Kind, in.Actor, key.k, r)
		}
	}
	if in.Kind == cv.KindExpire && after.Active() {
		released := 0
		for key, r := range was {
			if _, ok := is[key]; !ok {
				released++
			}
			if _, ok := is[key]; ok && m.expired(key, r, before) {
				t.Fatalf("expire at %v kept %s reason %+v", m.now, key.k, r)
			}
		}
		if n := len(eventsOf(out, cv.EventAutoResumed)); n != released {
			t.Fatalf("expire released %d reasons but announced %d", released, n)
		}
	}
}

func (m *machine) expired(key reasonKey, r cv.Reason, c cv.Conversation) bool {
	switch key.kind {
	case cv.Manual:
		return m.policy.ManualMaxAge > 0 && m.now.Sub(r.Since) >= m.policy.ManualMaxAge
	case cv.Auto:
		return m.policy.AutoMaxAge > 0 && m.now.Sub(r.Since) >= m.policy.AutoMaxAge
	case cv.Secure:
		s, ok := c.Session(key.id)
		return ok && s.State == cv.SessionActive && !s.ExpiresAt.IsZero() && !m.now.Before(s.ExpiresAt)
	}
	return false
}

func (m *machine) mayRemove(in cv.Input, key reasonKey, r cv.Reason, before cv.Conversation) bool {
	switch in.Kind {
	case cv.KindUnhold:
		return key.kind == cv.Hold
	case cv.KindSourceResume:
		return key.kind == cv.Source && key.id == in.SourceID
	case cv.KindAutoResume:
		return key.kind == cv.Auto && key.id == in.SourceID
	case cv.KindCommand:
		releases := key.kind == cv.Manual && key.id == in.Actor || key.kind == cv.Auto && m.policy.ResumeAuto
		return (in.Operation == cv.OpResume || in.Operation == cv.OpStart) && key.k == in.Capability && releases
	case cv.KindSecureComplete:
		return key.kind == cv.Secure && key.id == in.SessionID
	case cv.KindExpire:
		return m.expired(key, r, before)
	}
	return false
}

func mayAdd(in cv.Input, key reasonKey) bool {
	switch in.Kind {
	case cv.KindHold:
		return key.kind == cv.Hold && key.id == ""
	case cv.KindSourcePause:
		return key.kind == cv.Source && key.id == in.SourceID
	case cv.KindAutoPause:
		return key.kind == cv.Auto && key.id == in.SourceID
	case cv.KindCommand:
		return in.Operation == cv.OpPause && key.k == in.Capability && key.kind == cv.Manual && key.id == in.Actor
	case cv.KindSecureStart:
		return key.kind == cv.Secure && key.id == in.SessionID
	case cv.KindConsent:
		return in.Consent == cv.ConsentDeclined && key.kind == cv.Consent && key.id == ""
	}
	return false
}

// checkDrives keeps the model's view of running drives in step: at most one
// drive per capability and step, started only when none is running, and
// Driving set exactly while one is.
func (m *machine) checkDrives(t *rapid.T, in cv.Input, before cv.Conversation, out cv.Outcome) {
	t.Helper()
	after := out.Conversation
	for _, k := range cv.AllCapabilities() {
		if in.Kind == cv.KindResult && in.Capability == k {
			delete(m.outstanding, k)
		}
		if old := before.Cap(k).Driving; old != nil && in.Kind == cv.KindReconcile {
			stale := m.now.Sub(old.Since) >= m.policy.StaleDrive
			now := after.Cap(k).Driving
			abandoned := now == nil || now.TransactionID != old.TransactionID || !now.Since.Equal(old.Since)
			if abandoned != stale {
				t.Fatalf("reconcile at %v: drive %+v abandoned=%v, stale=%v", m.now, old, abandoned, stale)
			}
			if abandoned {
				delete(m.outstanding, k)
			}
		}
		ds := drivesFor(out, k)
		if len(ds) > 1 {
			t.Fatalf("%d drives for %s in one step: %+v", len(ds), k, ds)
		}
		if len(ds) == 1 {
			d := ds[0]
			if prev := m.outstanding[k]; prev != "" {
				t.Fatalf("drive %+v started while %s was still running", d, prev)
			}
			c := after.Cap(k)
			if d.Target != c.Desired() || d.From != c.State || d.Target == d.From || !d.Since.Equal(m.now) {
				t.Fatalf("drive %+v does not move %s from %s to desired %s", d, k, c.State, c.Desired())
			}
			if d.Target == cv.Paused && !d.At.Equal(earliestSince(c.Reasons)) {
				t.Fatalf("pause drive at %v, want the earliest reason's time", d.At)
			}
			m.outstanding[k] = d.TransactionID
			m.mustEnd[capTx{k, d.TransactionID}] = true
		}
		got := after.Cap(k).Driving
		want := m.outstanding[k]
		if (got == nil) != (want == "") || (got != nil && got.TransactionID != want) {
			t.Fatalf("%s Driving = %+v, want outstanding drive %q", k, got, want)
		}
		if len(ds) == 1 && !reflect.DeepEqual(*got, ds[0]) {
			t.Fatalf("%s Driving = %+v, want the emitted %+v", k, *got, ds[0])
		}
	}
}

func earliestSince(rs []cv.Reason) time.Time {
	var t time.Time
	for _, r := range rs {
		if t.IsZero() || r.Since.Before(t) {
			t = r.Since
		}
	}
	return t
}

// countCompletions checks that no transaction ends twice on a capability.
func (m *machine) countCompletions(t *rapid.T, out cv.Outcome) {
	t.Helper()
	for _, k := range cv.AllCapabilities() {
		for _, e := range out.Events {
			if e.Type != cv.OperationEventType(k) {
				continue
			}
			op, ok := e.Data.(cv.OperationCompleted)
			if !ok || op.Capability != k {
				t.Fatalf("%s carries %+v", e.Type, e.Data)
			}
			key := capTx{k, op.TransactionID}
			m.completed[key]++
			if m.completed[key] > 1 {
				t.Fatalf("%s %s completed twice", k, op.TransactionID)
			}
			if op.Result != cv.ResultSucceeded && op.Result != cv.ResultFailed && op.Result != cv.ResultSuperseded {
				t.Fatalf("completion result %q", op.Result)
			}
		}
	}
}

// recordEvent mirrors the screen's memory and checks that the same event
// applied again changes nothing.
func (m *machine) recordEvent(t *rapid.T, in cv.Input, after cv.Conversation) {
	t.Helper()
	if in.At.After(m.lastAt) && in.Kind != cv.KindAutoPause && in.Kind != cv.KindAutoResume {
		m.lastAt = in.At
	}
	m.seen = append(m.seen, in.EventID)
	if len(m.seen) > maxSeen {
		m.seen = m.seen[len(m.seen)-maxSeen:]
	}
	m.replayed = append(m.replayed, in)
	if !slices.Equal(after.SeenEvents, m.seen) || !after.LastInputAt.Equal(m.lastAt) {
		t.Fatalf("seen events %v last at %v, want %v at %v", after.SeenEvents, after.LastInputAt, m.seen, m.lastAt)
	}
	again, err := cv.Apply(after, in, m.now, m.policy)
	if err != nil || again.Ignored != cv.IgnoredDuplicate || again.Changed || len(again.Drives) != 0 || len(again.Events) != 0 || !reflect.DeepEqual(again.Conversation, after) {
		t.Fatalf("the same event again: err=%v outcome=%+v", err, again)
	}
}

// check holds after every step.
func (m *machine) check(t *rapid.T) {
	for _, k := range cv.AllCapabilities() {
		c := m.c.Cap(k)
		if len(c.Reasons) > 0 && c.Desired() == cv.InProgress {
			t.Fatalf("%s desired in-progress while holding %+v", k, c.Reasons)
		}
		if m.ended && c.Desired() == cv.InProgress {
			t.Fatalf("%s desired in-progress after the end", k)
		}
		if len(c.Waiters) > 0 && c.Converged() {
			t.Fatalf("%s converged with waiters left: %+v", k, c.Waiters)
		}
		if m.declined && c.Desired() == cv.InProgress {
			t.Fatalf("%s desired in-progress after the customer declined", k)
		}
		if m.declined && m.c.Active() && !c.Holds(cv.Consent, "") {
			t.Fatalf("%s lost the consent lock: %+v", k, c.Reasons)
		}
	}
	if m.c.AgentID != m.agent {
		t.Fatalf("agent %q, want %q from the last transfer", m.c.AgentID, m.agent)
	}
	if m.ended && (m.c.Active() || m.c.CallState != cv.Ended) {
		t.Fatalf("an ended conversation is %s again", m.c.CallState)
	}
}

// converge plays an obedient backend and a patient reconciler until the
// conversation settles, then checks every transaction ended exactly once.
func (m *machine) converge(t *rapid.T) {
	for range 20 {
		answered := false
		for _, k := range cv.AllCapabilities() {
			if d := m.c.Cap(k).Driving; d != nil {
				m.apply(t, cv.Input{Kind: cv.KindResult, Capability: k, Result: &cv.Result{TransactionID: d.TransactionID}, At: m.now})
				answered = true
			}
		}
		if answered {
			continue
		}
		if settled(m.c) {
			break
		}
		m.now = m.now.Add(m.policy.RetryAfter + m.policy.StaleDrive)
		m.apply(t, cv.Input{Kind: cv.KindReconcile, At: m.now})
	}
	if !settled(m.c) {
		t.Fatalf("never settled: %+v", m.c)
	}
	for _, k := range cv.AllCapabilities() {
		if c := m.c.Cap(k); c.Driving != nil || len(c.Waiters) != 0 {
			t.Fatalf("%s settled with work left: driving %+v waiters %+v", k, c.Driving, c.Waiters)
		}
	}
	for key := range m.mustEnd {
		if n := m.completed[key]; n != 1 {
			t.Fatalf("%s %s ended %d times, want once", key.k, key.tx, n)
		}
	}
}

// settled reports whether each capability is converged or can never move
// on (a final failure for its desired state).
func settled(c cv.Conversation) bool {
	for _, k := range cv.AllCapabilities() {
		cp := c.Cap(k)
		if cp.Driving != nil {
			return false
		}
		stuck := cp.Failure != nil && cp.Failure.Final && cp.Failure.Target == cp.Desired()
		if !cp.Converged() && !stuck {
			return false
		}
	}
	return true
}

func TestPropertyRules(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newMachine(t)
		t.Repeat(m.actions())
		m.converge(t)
	})
}
