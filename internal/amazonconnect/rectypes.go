package amazonconnect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/connect/types"

	"github.com/hush-cc/hush/internal/conversation"
)

// RecordingTypes maps each pause reason kind to the Connect recordings it
// suspends: a hold need not stop the screen recording, a card payment must.
type RecordingTypes map[conversation.ReasonKind][]types.ContactRecordingType

// reasonKinds are the kinds a mapping may name.
var reasonKinds = []conversation.ReasonKind{
	conversation.Hold, conversation.Secure, conversation.Manual,
	conversation.Source, conversation.Auto, conversation.Consent,
}

// typeOrder is the order in which the recordings of a contact are
// suspended and resumed, and listed.
var typeOrder = []types.ContactRecordingType{
	types.ContactRecordingTypeAgent, types.ContactRecordingTypeIvr, types.ContactRecordingTypeScreen,
}

// DefaultRecordingTypes suspends only the agent's voice for a hold (the
// caller hears music, the agent's screen is work worth keeping) and source
// stop, and the voice and the screen for everything else: a secure session,
// an agent's pause, a detector's and a declined consent all keep what is on
// the screen out of the recording too.
func DefaultRecordingTypes() RecordingTypes {
	voice := []types.ContactRecordingType{types.ContactRecordingTypeAgent}
	both := []types.ContactRecordingType{types.ContactRecordingTypeAgent, types.ContactRecordingTypeScreen}
	return RecordingTypes{
		conversation.Hold:    voice,
		conversation.Source:  voice,
		conversation.Secure:  both,
		conversation.Manual:  both,
		conversation.Auto:    both,
		conversation.Consent: both,
	}
}

// ParseRecordingTypes reads "hold=AGENT,secure=AGENT+SCREEN": each entry
// names a reason kind and the recordings (AGENT, IVR, SCREEN, joined by +)
// it suspends, and replaces the default for that kind. Empty: the defaults.
func ParseRecordingTypes(s string) (RecordingTypes, error) {
	m := DefaultRecordingTypes()
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	seen := map[conversation.ReasonKind]bool{}
	for entry := range strings.SplitSeq(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(entry), "=")
		kind := conversation.ReasonKind(strings.ToLower(strings.TrimSpace(k)))
		if !ok || !slices.Contains(reasonKinds, kind) {
			return nil, fmt.Errorf("recording types %q: want KIND=TYPE[+TYPE...] with KIND one of %s", entry, joinKinds())
		}
		if seen[kind] {
			return nil, fmt.Errorf("recording types: %s named twice", kind)
		}
		seen[kind] = true
		var ts []types.ContactRecordingType
		for name := range strings.SplitSeq(v, "+") {
			t := types.ContactRecordingType(strings.ToUpper(strings.TrimSpace(name)))
			if !slices.Contains(typeOrder, t) {
				return nil, fmt.Errorf("recording types %q: %q is not AGENT, IVR or SCREEN", entry, name)
			}
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
		m[kind] = sortTypes(ts)
	}
	return m, nil
}

// String renders the mapping as ParseRecordingTypes reads it.
func (m RecordingTypes) String() string {
	var parts []string
	for _, k := range reasonKinds {
		if ts, ok := m[k]; ok {
			names := make([]string, len(ts))
			for i, t := range ts {
				names[i] = string(t)
			}
			parts = append(parts, string(k)+"="+strings.Join(names, "+"))
		}
	}
	return strings.Join(parts, ",")
}

// validate refuses a kind mapped to nothing: hush would call the
// recording paused while every part of it runs.
func (m RecordingTypes) validate() error {
	for k, ts := range m {
		if len(ts) == 0 {
			return fmt.Errorf("recording types: %s suspends nothing", k)
		}
		for _, t := range ts {
			if !slices.Contains(typeOrder, t) {
				return fmt.Errorf("recording types: %s: %q is not AGENT, IVR or SCREEN", k, t)
			}
		}
	}
	return nil
}

// All returns every recording the mapping suspends for some reason.
func (m RecordingTypes) All() []types.ContactRecordingType {
	var all []types.ContactRecordingType
	for _, ts := range m {
		for _, t := range ts {
			if !slices.Contains(all, t) {
				all = append(all, t)
			}
		}
	}
	return sortTypes(all)
}

// Wanted returns the recordings to keep suspended while reasons of these
// kinds are held. A kind the mapping does not name suspends every
// recording it knows: too much rather than too little.
func (m RecordingTypes) Wanted(kinds []conversation.ReasonKind) []types.ContactRecordingType {
	var want []types.ContactRecordingType
	for _, k := range kinds {
		ts, ok := m[k]
		if !ok {
			ts = m.All()
		}
		for _, t := range ts {
			if !slices.Contains(want, t) {
				want = append(want, t)
			}
		}
	}
	return sortTypes(want)
}

func sortTypes(ts []types.ContactRecordingType) []types.ContactRecordingType {
	slices.SortFunc(ts, func(a, b types.ContactRecordingType) int {
		return slices.Index(typeOrder, a) - slices.Index(typeOrder, b)
	})
	return ts
}

func joinKinds() string {
	names := make([]string, len(reasonKinds))
	for i, k := range reasonKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
