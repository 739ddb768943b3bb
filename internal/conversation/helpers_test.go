package conversation_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	cv "github.com/hush-cc/hush/internal/conversation"
)

// fataler is what both *testing.T and *rapid.T offer the shared checks.
type fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// t0 is the start of every scenario; times are given as offsets from it.
var t0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

// rk names a held reason by what identifies it.
type rk struct {
	Kind cv.ReasonKind
	ID   string
}

func (r rk) String() string { return string(r.Kind) + ":" + r.ID }

// held lists the reasons a capability holds, sorted.
func held(c cv.Cap) []rk {
	out := []rk{}
	for _, r := range c.Reasons {
		out = append(out, rk{r.Kind, r.ID})
	}
	slices.SortFunc(out, func(a, b rk) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// reasons builds a sorted reason list from "kind:id" strings.
func reasons(specs ...string) []rk {
	out := []rk{}
	for _, s := range specs {
		kind, id, _ := strings.Cut(s, ":")
		out = append(out, rk{cv.ReasonKind(kind), id})
	}
	slices.SortFunc(out, func(a, b rk) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// fixture builds a conversation with both capabilities confirmed in the
// given states at t0.
func fixture(t testing.TB, rec, tr cv.State) cv.Conversation {
	t.Helper()
	out, err := cv.New(cv.Spec{ID: "c1", AgentID: "alice", Platform: "none", Recording: rec, Transcription: tr, At: t0})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return out.Conversation
}

// snapshot encodes c independently of Clone, so a mutation through shared
// memory cannot hide itself.
func snapshot(t fataler, c cv.Conversation) []byte {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return b
}

// apply runs Apply with the default policy and fails the test on an error or
// on any change to the input conversation.
func apply(t testing.TB, c cv.Conversation, in cv.Input, now time.Time) cv.Outcome {
	t.Helper()
	return applyP(t, c, in, now, cv.DefaultPolicy())
}

func applyP(t testing.TB, c cv.Conversation, in cv.Input, now time.Time, p cv.Policy) cv.Outcome {
	t.Helper()
	out, err := tryApply(t, c, in, now, p)
	if err != nil {
		t.Fatalf("Apply(%s %s %s): %v", in.Kind, in.Capability, in.Operation, err)
	}
	return out
}

// tryApply runs Apply and checks that it left its input alone.
func tryApply(t testing.TB, c cv.Conversation, in cv.Input, now time.Time, p cv.Policy) (cv.Outcome, error) {
	t.Helper()
	before := snapshot(t, c)
	out, err := cv.Apply(c, in, now, p)
	if after := snapshot(t, c); !bytes.Equal(before, after) {
		t.Fatalf("Apply modified its input:\nbefore %s\nafter  %s", before, after)
	}
	return out, err
}

// applyAll applies inputs in order, input i at t0 + i seconds unless it
// names its own time, and returns the final conversation.
func applyAll(t testing.TB, c cv.Conversation, ins ...cv.Input) cv.Conversation {
	t.Helper()
	for i, in := range ins {
		now := at(time.Duration(i+1) * time.Second)
		if !in.At.IsZero() && in.At.After(now) {
			now = in.At
		}
		if in.TransactionID == "" {
			in.TransactionID = fmt.Sprintf("tx-%d", i+1)
		}
		c = apply(t, c, in, now).Conversation
	}
	return c
}

// errCode returns the code of a rule violation, failing if err is not one.
func errCode(t fataler, err error) string {
	t.Helper()
	var e *cv.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *conversation.Error", err, err)
	}
	if e.Error() == "" || e.Error() != e.Message {
		t.Fatalf("error %q has no message", e.Code)
	}
	return e.Code
}

// Input builders.

func hold(id string) cv.Input   { return cv.Input{Kind: cv.KindHold, EventID: id} }
func unhold(id string) cv.Input { return cv.Input{Kind: cv.KindUnhold, EventID: id} }
func end(id string) cv.Input    { return cv.Input{Kind: cv.KindEnd, EventID: id} }

func sourcePause(stream string) cv.Input {
	return cv.Input{Kind: cv.KindSourcePause, SourceID: stream}
}

func sourceResume(stream string) cv.Input {
	return cv.Input{Kind: cv.KindSourceResume, SourceID: stream}
}

func cmd(k cv.Capability, op cv.Operation, actor string) cv.Input {
	return cv.Input{Kind: cv.KindCommand, Capability: k, Operation: op, Actor: actor}
}

func secureStart(id string, expires time.Time) cv.Input {
	return cv.Input{Kind: cv.KindSecureStart, SessionID: id, Actor: "alice", ExpiresAt: expires}
}

func secureComplete(id string) cv.Input {
	return cv.Input{Kind: cv.KindSecureComplete, SessionID: id}
}

func expire() cv.Input    { return cv.Input{Kind: cv.KindExpire} }
func reconcile() cv.Input { return cv.Input{Kind: cv.KindReconcile} }

func success(k cv.Capability, tx string) cv.Input {
	return cv.Input{Kind: cv.KindResult, Capability: k, Result: &cv.Result{TransactionID: tx}}
}

func failure(k cv.Capability, tx, msg string, final bool) cv.Input {
	return cv.Input{Kind: cv.KindResult, Capability: k, Result: &cv.Result{TransactionID: tx, Err: msg, Final: final}}
}

func withTx(in cv.Input, tx string) cv.Input { in.TransactionID = tx; return in }

func withAt(in cv.Input, when time.Time) cv.Input { in.At = when; return in }

// confirm answers every running drive with success, as a backend that
// obeys, until no drive is left.
func confirm(t testing.TB, c cv.Conversation, now time.Time) cv.Conversation {
	t.Helper()
	for range 8 {
		answered := false
		for _, k := range cv.AllCapabilities() {
			if d := c.Cap(k).Driving; d != nil {
				c = apply(t, c, withTx(success(k, d.TransactionID), "confirm-"+d.TransactionID), now).Conversation
				answered = true
			}
		}
		if !answered {
			return c
		}
	}
	t.Fatalf("drives never settled")
	return c
}

// drivesFor returns the drives of an outcome for one capability.
func drivesFor(out cv.Outcome, k cv.Capability) []cv.Drive {
	var ds []cv.Drive
	for _, d := range out.Drives {
		if d.Capability == k {
			ds = append(ds, d)
		}
	}
	return ds
}

// completions returns the operation-completed events of an outcome for a
// capability.
func completions(t testing.TB, out cv.Outcome, k cv.Capability) []cv.OperationCompleted {
	t.Helper()
	var ops []cv.OperationCompleted
	for _, e := range out.Events {
		if e.Type != cv.OperationEventType(k) {
			continue
		}
		op, ok := e.Data.(cv.OperationCompleted)
		if !ok {
			t.Fatalf("%s carries %T", e.Type, e.Data)
		}
		ops = append(ops, op)
	}
	return ops
}

// completionOf returns the one completion event of a transaction.
func completionOf(t testing.TB, out cv.Outcome, k cv.Capability, tx string) cv.OperationCompleted {
	t.Helper()
	var found []cv.OperationCompleted
	for _, op := range completions(t, out, k) {
		if op.TransactionID == tx {
			found = append(found, op)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %s completion for %s, got %d in %+v", k, tx, len(found), out.Events)
	}
	return found[0]
}

// eventsOf returns the data of the events of one type.
func eventsOf(out cv.Outcome, typ string) []any {
	var data []any
	for _, e := range out.Events {
		if e.Type == typ {
			data = append(data, e.Data)
		}
	}
	return data
}
