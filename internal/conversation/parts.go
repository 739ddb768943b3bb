package conversation

import "slices"

// Part is one piece of a capability that its backend pauses on its own:
// Amazon Connect suspends the agent's voice, the IVR and the screen
// recordings of a contact separately, and may pause only some of them for a
// given reason.
type Part struct {
	Name  string `json:"name"`
	State State  `json:"state"`
}

// ReasonKinds returns the kinds of rs, sorted, once each.
func ReasonKinds(rs []Reason) []ReasonKind {
	var ks []ReasonKind
	for _, r := range rs {
		if !slices.Contains(ks, r.Kind) {
			ks = append(ks, r.Kind)
		}
	}
	slices.Sort(ks)
	return ks
}

// partsAgree reports whether the parts, when the backend reports any, were
// confirmed for the reason kinds held now. A backend that pauses parts by
// reason has more to do when the reasons change while the capability stays
// paused: a hold that pauses only the voice, joined by a secure session,
// must pause the screen too.
func (c Cap) partsAgree() bool {
	return c.Parts == nil || c.State != Paused || slices.Equal(c.PartsFor, ReasonKinds(c.Reasons))
}

// partial reports whether some part is not in the capability's state.
func (c Cap) partial() bool {
	return slices.ContainsFunc(c.Parts, func(p Part) bool { return p.State != c.State })
}

// confirmParts records the parts a backend reported with its answer to d.
// Only a success confirms them for d's reasons.
func (c *Cap) confirmParts(d Drive, r *Result) {
	if r.Parts == nil {
		if r.Err == "" {
			c.Parts, c.PartsFor = nil, nil
		}
		return
	}
	c.Parts = slices.Clone(r.Parts)
	if r.Err == "" {
		c.PartsFor = nil
		if c.State == Paused {
			c.PartsFor = ReasonKinds(d.Reasons)
		}
	}
}
