package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// flakyState is an AdapterState whose writes fail when told to: a store
// outage, or a crash, between a Connect call and the record of its answer.
type flakyState struct {
	st   store.AdapterState
	mu   sync.Mutex
	fail map[int]bool // by the number of the write, from 1
	n    int
}

func (f *flakyState) PutAdapterState(ctx context.Context, ns, key string, value []byte, version int64) error {
	f.mu.Lock()
	f.n++
	fail := f.fail[f.n]
	f.mu.Unlock()
	if fail {
		return errors.New("the store is down")
	}
	return f.st.PutAdapterState(ctx, ns, key, value, version)
}

func (f *flakyState) AdapterState(ctx context.Context, ns, key string) ([]byte, int64, error) {
	return f.st.AdapterState(ctx, ns, key)
}

// Whatever reasons come and go, and whatever fails on the way (Connect, or
// the store between a call and the record of its answer), every drive that
// succeeds leaves Connect with exactly the recordings its reasons want
// suspended, and the stored suspension says so. From a known state a drive
// calls Connect once for each recording that changes, and for no other.
func TestSuspensionsConvergeToTheWantedSet(t *testing.T) {
	srv := connecttest.Start(t)
	fakeAWSEnv(t, srv)
	client, err := NewClient(context.Background(), testInstanceARN)
	if err != nil {
		t.Fatal(err)
	}
	state := &flakyState{st: testState(t)}
	contact := 0
	rapid.Check(t, func(rt *rapid.T) {
		rts := RecordingTypes{}
		for _, k := range reasonKinds {
			ts := rapid.SliceOfNDistinct(rapid.SampledFrom(typeOrder), 1, 3, rapid.ID).Draw(rt, string(k))
			rts[k] = sortTypes(ts)
		}
		b, err := NewBackend(client, BackendConfig{InstanceARN: testInstanceARN, Types: rts, State: state, Rate: 1e6, Burst: 1e6})
		if err != nil {
			rt.Fatal(err)
		}
		contact++
		c := conv(fmt.Sprint("p", contact), "")
		confirmed, clean := conversation.InProgress, true
		var applied []string
		steps := rapid.IntRange(1, 12).Draw(rt, "steps")
		for i := range steps {
			kinds := rapid.SliceOfDistinct(rapid.SampledFrom(reasonKinds), rapid.ID).Draw(rt, "kinds")
			d := conversation.Drive{Capability: conversation.Recording, From: confirmed, Target: conversation.InProgress}
			var want []string
			if len(kinds) > 0 {
				d.Target = conversation.Paused
				for _, k := range kinds {
					d.Reasons = append(d.Reasons, conversation.Reason{Kind: k})
				}
				for _, t := range rts.Wanted(conversation.ReasonKinds(d.Reasons)) {
					want = append(want, string(t))
				}
			}
			last := i == steps-1
			srv.ClearFaults()
			if !last && rapid.Bool().Draw(rt, "connect fails") {
				srv.FailNext(1, connecttest.InternalError)
			}
			failWrite := 0
			if !last && rapid.Bool().Draw(rt, "store fails") {
				failWrite = rapid.IntRange(1, 4).Draw(rt, "failing write")
			}
			state.mu.Lock()
			state.fail = map[int]bool{state.n + failWrite: failWrite > 0}
			state.mu.Unlock()
			before := len(srv.Calls())
			st, parts, err := b.DriveParts(context.Background(), c, d)
			calls := srv.Calls()[before:]
			if err != nil {
				if last {
					rt.Fatalf("the last drive, with nothing failing: %v", err)
				}
				clean = false
				continue
			}
			got := srv.Suspended(c.ID)
			if st != d.Target || !slices.Equal(got, want) {
				rt.Fatalf("drive to %s for %v: %s, Connect has %q suspended, want %q", d.Target, kinds, st, got, want)
			}
			for _, p := range parts {
				if (p.State == conversation.Paused) != slices.Contains(want, p.Name) || p.State == conversation.Unknown {
					rt.Fatalf("parts %+v, want %q paused", parts, want)
				}
			}
			sp, _, err := b.suspended.load(context.Background(), c.ID)
			if err != nil || len(sp.Unsure) != 0 || !slices.Equal(typeNames(sp.Suspended), want) {
				rt.Fatalf("stored %+v (%v), want %q suspended", sp, err, want)
			}
			if clean {
				changed := symmetricDifference(applied, want)
				if len(calls) != len(changed) {
					rt.Fatalf("from %q to %q: %d calls %q, want one for each of %q", applied, want, len(calls), srv.Typed()[before:], changed)
				}
			}
			for _, call := range calls {
				if call.Status == 200 && call.ContactRecordingType == "" {
					rt.Fatalf("untyped call %+v", call)
				}
			}
			confirmed, clean, applied = st, true, want
		}
	})
}

func typeNames(ts []types.ContactRecordingType) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, string(t))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func symmetricDifference(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, x)
		}
	}
	return out
}
