package audit

import (
	"crypto/sha256"
	"encoding/hex"
)

// Genesis is the PrevHash of the first entry of a chain.
const Genesis = ""

// Seal chains e after the entry whose hash is prevHash (Genesis for the first
// entry): it bounds e's fields (Bound), then sets PrevHash and
// Hash = hex(SHA-256(prevHash || Canonical(e))). Every store seals through
// here, so no entry in any chain exceeds the limits.
// The caller sets Seq. Seal is deterministic: the same inputs always give the
// same hash.
func Seal(prevHash string, e Entry) Entry {
	return Prepare(e).Seal(e.Seq, prevHash)
}

// hashOf computes the hash an entry should carry, from its PrevHash and
// contents; its Hash field is ignored.
func hashOf(e Entry) string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(Canonical(e))
	return hex.EncodeToString(h.Sum(nil))
}
