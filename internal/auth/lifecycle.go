package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// MaxNameBytes bounds a key's display name.
const MaxNameBytes = 100

// Spec describes a key to issue.
type Spec struct {
	Role    Role
	AgentID string
	// Name is the display name of who holds the key (optional).
	Name string
	// ExpiresAt, if set, is when the key stops working.
	ExpiresAt time.Time
	// NoPause keeps an agent key from pausing and resuming.
	NoPause bool
}

// Validate checks a spec as of now.
func (s Spec) Validate(now time.Time) error {
	if _, err := ParseRole(string(s.Role)); err != nil {
		return err
	}
	if s.Role == Agent && s.AgentID == "" {
		return errors.New("an agent key needs an agent id")
	}
	if len(s.Name) > MaxNameBytes || !utf8.ValidString(s.Name) || strings.ContainsFunc(s.Name, isControl) {
		return fmt.Errorf("name must be at most %d bytes of printable UTF-8", MaxNameBytes)
	}
	if !s.ExpiresAt.IsZero() && !s.ExpiresAt.After(now) {
		return errors.New("expiry must be in the future")
	}
	if s.NoPause && s.Role != Agent {
		return errors.New("only an agent key can be kept from pausing")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// ErrInactive means a key that is revoked or expired was asked to rotate.
var ErrInactive = errors.New("key is not active")

// RefusedError is a key that exists and whose secret matched, but that may
// no longer be used. It counts as ErrUnauthenticated.
type RefusedError struct {
	Principal Principal
	Why       string // "revoked" or "expired"
}

// Error says why the key was refused.
func (e *RefusedError) Error() string { return "API key " + e.Why }

// Is makes a refused key an unauthenticated request.
func (e *RefusedError) Is(target error) bool { return target == ErrUnauthenticated }

// refusal says why k may not be used at now, or "" if it may.
func refusal(k store.Key, now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero() && !now.Before(k.RevokedAt):
		return "revoked"
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return "expired"
	}
	return ""
}

// Status says whether k is active, revoked or expired at now.
func Status(k store.Key, now time.Time) string {
	if why := refusal(k, now); why != "" {
		return why
	}
	return "active"
}

// IssueKey creates, stores and audits a new key as asked by actor and
// returns its token, which is shown once and never stored.
func IssueKey(ctx context.Context, st KeyStore, spec Spec, actor Actor, now time.Time) (string, store.Key, error) {
	if err := spec.Validate(now); err != nil {
		return "", store.Key{}, err
	}
	token, k, err := NewKey(spec.Role, spec.AgentID, now)
	if err != nil {
		return "", k, err
	}
	k.Name, k.ExpiresAt, k.NoPause = spec.Name, spec.ExpiresAt, spec.NoPause
	if err := st.CreateKey(ctx, k); err != nil {
		return "", k, fmt.Errorf("store key: %w", err)
	}
	if err := st.AppendAudit(ctx, keyEntry(now, actor, "key.create", k, nil)); err != nil {
		return "", k, fmt.Errorf("audit key creation: %w", err)
	}
	return token, k, nil
}

// Revoke revokes key id at now and audits it.
func Revoke(ctx context.Context, st KeyStore, id string, actor Actor, now time.Time) (store.Key, error) {
	k, err := st.RevokeKey(ctx, id, now)
	if err != nil {
		return k, fmt.Errorf("revoke key: %w", err)
	}
	if err := st.AppendAudit(ctx, keyEntry(now, actor, "key.revoke", k, nil)); err != nil {
		return k, fmt.Errorf("audit key revocation: %w", err)
	}
	return k, nil
}

// Rotate issues a new key with the role, agent and name of key id, expiring
// after the same lifetime if it had one, then revokes id. It returns the
// new token and key.
func Rotate(ctx context.Context, st KeyStore, id string, actor Actor, now time.Time) (string, store.Key, error) {
	old, err := st.Key(ctx, id)
	if err != nil {
		return "", store.Key{}, fmt.Errorf("rotate key: %w", err)
	}
	if why := refusal(old, now); why != "" {
		return "", store.Key{}, fmt.Errorf("rotate key %s: it is %s: %w", id, why, ErrInactive)
	}
	spec := Spec{Role: Role(old.Role), AgentID: old.AgentID, Name: old.Name}
	if !old.ExpiresAt.IsZero() {
		spec.ExpiresAt = now.Add(old.ExpiresAt.Sub(old.CreatedAt))
	}
	token, k, err := IssueKey(ctx, st, spec, actor, now)
	if err != nil {
		return "", k, err
	}
	if _, err := st.RevokeKey(ctx, id, now); err != nil {
		return "", k, fmt.Errorf("revoke rotated key %s (new key %s was issued): %w", id, k.ID, err)
	}
	if err := st.AppendAudit(ctx, keyEntry(now, actor, "key.rotate", old, map[string]string{"newKeyId": k.ID})); err != nil {
		return "", k, fmt.Errorf("audit key rotation: %w", err)
	}
	return token, k, nil
}

// keyEntry is the audit entry for an action on key k.
func keyEntry(now time.Time, actor Actor, action string, k store.Key, extra map[string]string) audit.Entry {
	d := map[string]string{"keyId": k.ID, "role": k.Role, "agentId": k.AgentID, "name": k.Name}
	if !k.ExpiresAt.IsZero() {
		d["expiresAt"] = k.ExpiresAt.UTC().Format(time.RFC3339)
	}
	for n, v := range extra {
		d[n] = v
	}
	detail, _ := json.Marshal(d)
	return audit.Entry{At: now, Actor: actor.ID, ActorName: actor.Name, Action: action, Outcome: "applied", Detail: detail}
}

// Actor is who acts on a key, as the audit names them: a principal, or the
// command line or start-up under a label such as "cli:keys-create".
type Actor struct {
	ID   string // the audit's actor
	Name string // a display name, if any
}

// Actor returns the principal as the actor of an audit entry.
func (p Principal) Actor() Actor { return Actor{ID: p.Name(), Name: p.DisplayName} }
