package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Checkpoint is a signed statement of the chain's head: "at At, entry Seq
// of the chain had hash Hash". Published outside the database, it anchors
// the chain: whoever later rewrites or cuts short the entries up to Seq,
// even recomputing every hash and the stored head, cannot make them agree
// with it again without the signing key.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	// KeyID names the signing key: the first 8 bytes of the SHA-256 of
	// its public key, in hex.
	KeyID string `json:"keyId"`
	// Signature is the Ed25519 signature of the checkpoint's message, in
	// standard base64.
	Signature string `json:"signature"`
}

const checkpointTag = "hush-checkpoint-v1"

// message is what a checkpoint's signature covers.
func (c Checkpoint) message() []byte {
	return []byte(checkpointTag + "\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" + c.At.UTC().Format(time.RFC3339Nano))
}

// KeyID returns the id of a public key as checkpoints carry it.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// SignCheckpoint signs head as of at.
func SignCheckpoint(key ed25519.PrivateKey, head Head, at time.Time) Checkpoint {
	c := Checkpoint{Seq: head.Seq, Hash: head.Hash, At: at.UTC(), KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.message()))
	return c
}

// Verify checks the checkpoint's signature under pub.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("checkpoint of entry %d: malformed signature", c.Seq)
	}
	if c.KeyID != KeyID(pub) {
		return fmt.Errorf("checkpoint of entry %d: signed by key %s, not %s", c.Seq, c.KeyID, KeyID(pub))
	}
	if !ed25519.Verify(pub, c.message(), sig) {
		return fmt.Errorf("checkpoint of entry %d: signature does not match", c.Seq)
	}
	return nil
}

// Finding is one way the stored chain disagrees with its checkpoints.
type Finding struct {
	// Seq is the first entry concerned.
	Seq     int64
	Problem string
}

// ErrCheckpoints is returned, wrapped, when findings were made.
var ErrCheckpoints = errors.New("the audit chain does not match its checkpoints")

// CheckCheckpoints compares the stored chain with checkpoints already
// verified. last is the Seq of the chain's last stored entry; hashAt
// returns the stored hash of entry seq (false if there is none). The
// stored chain must itself verify (Verify) for a match to mean that every
// entry up to a checkpoint is as it was signed. It returns what is
// missing or rewritten, oldest first.
func CheckCheckpoints(cps []Checkpoint, last int64, hashAt func(seq int64) (string, bool, error)) ([]Finding, error) {
	cps = slices.Clone(cps)
	slices.SortFunc(cps, func(a, b Checkpoint) int { return int(a.Seq - b.Seq) })
	var out []Finding
	matched := int64(0) // the newest entry known to be as signed
	for _, c := range cps {
		if c.Seq <= 0 {
			continue
		}
		if c.Seq > last {
			from := max(last+1, matched+1)
			out = append(out, Finding{Seq: from, Problem: fmt.Sprintf(
				"entries %d to %d are missing: the checkpoint signed at %s covers up to entry %d, the stored chain ends at entry %d",
				from, c.Seq, c.At.Format(time.RFC3339), c.Seq, last)})
			break // later checkpoints only repeat it
		}
		h, ok, err := hashAt(c.Seq)
		if err != nil {
			return out, err
		}
		if !ok || h != c.Hash {
			out = append(out, Finding{Seq: matched + 1, Problem: fmt.Sprintf(
				"entry %d does not have the hash signed at %s: the chain was rewritten somewhere in entries %d to %d",
				c.Seq, c.At.Format(time.RFC3339), matched+1, c.Seq)})
			continue
		}
		matched = c.Seq
	}
	return out, nil
}
