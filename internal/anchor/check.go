package anchor

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"github.com/hush-cc/hush/internal/audit"
)

// Chain is what checking against checkpoints reads from the store.
type Chain interface {
	VerifyAudit(ctx context.Context) error
	LastAuditSeq(ctx context.Context) (int64, error)
	AuditHash(ctx context.Context, seq int64) (string, bool, error)
}

// Report is the outcome of checking a chain against its checkpoints.
type Report struct {
	// Checkpoints is how many were read; Trusted how many carry a valid
	// signature under the public key. Untrusted lists why the others
	// were set aside.
	Checkpoints, Trusted int
	Untrusted            []string
	// Newest is the newest trusted checkpoint (zero if none).
	Newest audit.Checkpoint
	// Chain is the stored chain's own verification error, if any.
	Chain error
	// Findings are the disagreements with the trusted checkpoints.
	Findings []audit.Finding
}

// OK reports whether the chain verified and matches every trusted
// checkpoint, of which there was at least one.
func (r Report) OK() bool { return r.Chain == nil && len(r.Findings) == 0 && r.Trusted > 0 }

// String says what was found, one fact a line.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d checkpoints read, %d with a valid signature", r.Checkpoints, r.Trusted)
	if r.Trusted > 0 {
		fmt.Fprintf(&b, "; the newest covers entries 1 to %d (signed %s)", r.Newest.Seq, r.Newest.At.Format("2006-01-02T15:04:05Z07:00"))
	}
	b.WriteString("\n")
	for _, u := range r.Untrusted {
		fmt.Fprintf(&b, "set aside: %s\n", u)
	}
	if r.Chain != nil {
		fmt.Fprintf(&b, "stored chain: %v\n", r.Chain)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "checkpoint mismatch: %s\n", f.Problem)
	}
	if r.OK() {
		b.WriteString("audit chain intact and matches its checkpoints\n")
	}
	return b.String()
}

// Check verifies the stored chain, then compares it with every checkpoint
// signed by pub.
func Check(ctx context.Context, ch Chain, cps []audit.Checkpoint, pub ed25519.PublicKey) (Report, error) {
	r := Report{Checkpoints: len(cps)}
	var trusted []audit.Checkpoint
	for _, c := range cps {
		if err := c.Verify(pub); err != nil {
			r.Untrusted = append(r.Untrusted, err.Error())
			continue
		}
		trusted = append(trusted, c)
		if c.Seq > r.Newest.Seq {
			r.Newest = c
		}
	}
	r.Trusted = len(trusted)
	if err := ch.VerifyAudit(ctx); err != nil {
		var b *audit.BreakError
		if !errors.As(err, &b) {
			return r, err
		}
		r.Chain = err
	}
	last, err := ch.LastAuditSeq(ctx)
	if err != nil {
		return r, err
	}
	r.Findings, err = audit.CheckCheckpoints(trusted, last, func(seq int64) (string, bool, error) {
		return ch.AuditHash(ctx, seq)
	})
	return r, err
}
