package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// Prepared is an entry made ready to seal by whoever holds no lock: it is
// bounded, and the part of its canonical encoding that depends on neither
// its Seq nor the previous hash is built. Sealing it is then a hash over
// that part and a few short fields, which is all the writer that orders
// the chain has to do.
type Prepared struct {
	e    Entry
	body []byte // the netstrings of At … Detail (see Canonical)
}

// Prepare bounds e (Bound) and encodes what Seal needs of it.
func Prepare(e Entry) Prepared {
	e = Bound(e)
	return Prepared{e: e, body: appendBody(make([]byte, 0, bodyLen(e)), e)}
}

// Entry returns the bounded entry, not yet sealed.
func (p Prepared) Entry() Entry { return p.e }

// Seal returns the entry sealed as the chain's entry seq after the entry
// whose hash is prevHash: what Seal(prevHash, e) returns for e with that Seq.
func (p Prepared) Seal(seq int64, prevHash string) Entry {
	e := p.e
	e.Seq, e.PrevHash = seq, prevHash
	var buf [128]byte
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(appendNetstrings(buf[:0], canonicalTag, strconv.FormatInt(seq, 10)))
	h.Write(p.body)
	tail := []string{prevHash, e.ActorName}
	if e.ActorName == "" {
		tail = tail[:1]
	}
	h.Write(appendNetstrings(buf[:0], tail...))
	var sum [sha256.Size]byte
	e.Hash = hex.EncodeToString(h.Sum(sum[:0]))
	return e
}
