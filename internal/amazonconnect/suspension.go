package amazonconnect

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// suspensionNamespace holds each contact's suspension, JSON, under its
// ContactId.
const suspensionNamespace = "amazonconnect.suspended"

// suspension is which recordings of a contact hush has suspended. It is
// durable, so that another node, or this one after a restart, resumes what
// was suspended and nothing else.
type suspension struct {
	// Suspended are the recordings Connect confirmed suspended.
	Suspended []types.ContactRecordingType `json:"suspended,omitempty"`
	// Unsure are the recordings a call was made for whose answer was not
	// recorded (it failed, or hush stopped before it came): their state is
	// unknown, so the next drive calls for them whatever it wants.
	Unsure []types.ContactRecordingType `json:"unsure,omitempty"`
}

// suspensions reads and writes contacts' suspensions.
type suspensions struct{ st store.AdapterState }

// load returns a contact's suspension and its version, 0 when none is stored.
func (s suspensions) load(ctx context.Context, contactID string) (suspension, int64, error) {
	raw, v, err := s.st.AdapterState(ctx, suspensionNamespace, contactID)
	if err != nil {
		return suspension{}, 0, fmt.Errorf("load the suspension of contact %s: %w", contactID, err)
	}
	var sp suspension
	if v > 0 {
		if err := json.Unmarshal(raw, &sp); err != nil {
			return suspension{}, 0, fmt.Errorf("decode the suspension of contact %s: %w", contactID, err)
		}
	}
	return sp, v, nil
}

// save stores sp if the stored version is still v and returns the new one.
func (s suspensions) save(ctx context.Context, contactID string, sp suspension, v int64) (int64, error) {
	raw, err := json.Marshal(sp)
	if err != nil {
		return v, err
	}
	if err := s.st.PutAdapterState(ctx, suspensionNamespace, contactID, raw, v); err != nil {
		return v, fmt.Errorf("store the suspension of contact %s: %w", contactID, err)
	}
	return v + 1, nil
}

// has reports whether t is in ts.
func has(ts []types.ContactRecordingType, t types.ContactRecordingType) bool {
	return slices.Contains(ts, t)
}

// with returns ts with t in it when in is true, without it otherwise.
func with(ts []types.ContactRecordingType, t types.ContactRecordingType, in bool) []types.ContactRecordingType {
	ts = slices.DeleteFunc(slices.Clone(ts), func(x types.ContactRecordingType) bool { return x == t })
	if in {
		ts = append(ts, t)
	}
	return sortTypes(ts)
}

// known returns every recording named by the mapping or the suspension.
func (sp suspension) known(m RecordingTypes) []types.ContactRecordingType {
	all := m.All()
	for _, t := range slices.Concat(sp.Suspended, sp.Unsure) {
		if !has(all, t) {
			all = append(all, t)
		}
	}
	return sortTypes(all)
}

// parts renders the suspension as the recording's parts.
func (sp suspension) parts(m RecordingTypes) []conversation.Part {
	all := sp.known(m)
	ps := make([]conversation.Part, 0, len(all))
	for _, t := range all {
		st := conversation.InProgress
		switch {
		case has(sp.Unsure, t):
			st = conversation.Unknown
		case has(sp.Suspended, t):
			st = conversation.Paused
		}
		ps = append(ps, conversation.Part{Name: string(t), State: st})
	}
	return ps
}

// partsIn returns every recording of the mapping in state st.
func partsIn(m RecordingTypes, st conversation.State) []conversation.Part {
	var ps []conversation.Part
	for _, t := range m.All() {
		ps = append(ps, conversation.Part{Name: string(t), State: st})
	}
	return ps
}
