package media

import "fmt"

// Policy says what a paused span becomes in the WAV file.
type Policy string

// Pause policies.
const (
	// PolicySilence writes paused spans as digital zero samples, keeping the
	// WAV on the conversation timeline.
	PolicySilence Policy = "silence"
	// PolicyGap leaves paused spans out of the WAV; the segment map says
	// where the cuts are.
	PolicyGap Policy = "gap"
)

// ParsePolicy parses a policy name; the empty string is PolicySilence.
func ParsePolicy(s string) (Policy, error) {
	switch Policy(s) {
	case "", PolicySilence:
		return PolicySilence, nil
	case PolicyGap:
		return PolicyGap, nil
	}
	return "", fmt.Errorf("unknown pause policy %q (want silence or gap)", s)
}
