package conversation

import "maps"

// Equal reports whether c and o are the same state, exactly as
// reflect.DeepEqual would: a nil slice or map differs from an empty one,
// and times compare by their representation, not their instant. Apply
// asks it of every command, where reflection cost more than the rules.
func (c Conversation) Equal(o Conversation) bool {
	return c.ID == o.ID && c.AgentID == o.AgentID && c.Platform == o.Platform &&
		(c.Attributes == nil) == (o.Attributes == nil) && maps.Equal(c.Attributes, o.Attributes) &&
		c.Node == o.Node && c.CallState == o.CallState &&
		c.Recording.equal(o.Recording) && c.Transcription.equal(o.Transcription) &&
		sliceEqual(c.Sessions, o.Sessions) && c.Consent == o.Consent &&
		c.CreatedAt == o.CreatedAt && c.UpdatedAt == o.UpdatedAt && c.EndedAt == o.EndedAt &&
		c.EndReason == o.EndReason && c.LastInputAt == o.LastInputAt &&
		sliceEqual(c.SeenEvents, o.SeenEvents) && c.Version == o.Version
}

func (c Cap) equal(o Cap) bool {
	return c.State == o.State && c.Started == o.Started && c.Stopped == o.Stopped &&
		sliceEqual(c.Reasons, o.Reasons) && c.Driving.equal(o.Driving) && sliceEqual(c.Waiters, o.Waiters) &&
		(c.Failure == nil) == (o.Failure == nil) && (c.Failure == nil || *c.Failure == *o.Failure) &&
		sliceEqual(c.Parts, o.Parts) && sliceEqual(c.PartsFor, o.PartsFor)
}

func (d *Drive) equal(o *Drive) bool {
	if d == nil || o == nil {
		return d == o
	}
	return d.TransactionID == o.TransactionID && d.Capability == o.Capability && d.Operation == o.Operation &&
		d.From == o.From && d.Target == o.Target && d.At == o.At &&
		sliceEqual(d.Reasons, o.Reasons) && d.Since == o.Since && d.Note == o.Note
}

// sliceEqual is slices.Equal telling nil from empty, as DeepEqual does.
func sliceEqual[E comparable](a, b []E) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
