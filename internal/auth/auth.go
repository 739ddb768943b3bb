// Package auth holds API keys and roles: who may read and control which
// conversations.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

// Role is what a key may do.
type Role string

// Roles.
const (
	Admin      Role = "admin"      // everything
	Supervisor Role = "supervisor" // reads all, controls all
	Agent      Role = "agent"      // sees and controls only its own conversations
	Ingest     Role = "ingest"     // feeds platform events
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Admin, Supervisor, Agent, Ingest:
		return r, nil
	}
	return "", fmt.Errorf("unknown role %q (want admin, supervisor, agent or ingest)", s)
}

// ErrUnauthenticated means the key is missing, malformed or unknown.
var ErrUnauthenticated = errors.New("invalid or missing API key")

// Principal is an authenticated caller.
type Principal struct {
	KeyID   string
	Role    Role
	AgentID string
	// DisplayName is the name given to the key, if any: the person shown
	// in the audit and on pause reasons.
	DisplayName string
	// NoPause: the administrator does not let this agent key pause or
	// resume.
	NoPause bool
}

// Name identifies the principal in audit entries and as the id of its manual
// pauses. All keys of one agent share a name, so any of them resumes what
// another paused.
func (p Principal) Name() string {
	if p.Role == Agent {
		return "agent:" + p.AgentID
	}
	return string(p.Role) + ":" + p.KeyID
}

// SeesAll reports whether the principal may read every conversation.
func (p Principal) SeesAll() bool { return p.Role == Admin || p.Role == Supervisor }

// MayAccess reports whether the principal may read and control a
// conversation owned by agentID.
func (p Principal) MayAccess(agentID string) bool {
	switch p.Role {
	case Admin, Supervisor:
		return true
	case Agent:
		return p.AgentID != "" && p.AgentID == agentID
	}
	return false
}

// Any reports whether the principal's role is one of roles.
func (p Principal) Any(roles ...Role) bool {
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

const prefix = "hush_"

// NewKey makes a key: the token to show once, and the record to store (which
// keeps only a hash of the secret part).
func NewKey(role Role, agentID string, now time.Time) (string, store.Key, error) {
	if role == Agent && agentID == "" {
		return "", store.Key{}, errors.New("an agent key needs an agent id")
	}
	var id [6]byte
	var secret [32]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", store.Key{}, fmt.Errorf("random key id: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return "", store.Key{}, fmt.Errorf("random key secret: %w", err)
	}
	k := store.Key{ID: hex.EncodeToString(id[:]), Role: string(role), AgentID: agentID, CreatedAt: now}
	s := base64.RawURLEncoding.EncodeToString(secret[:])
	k.Hash = hash(s)
	return prefix + k.ID + "_" + s, k, nil
}

func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Authenticate resolves a token to its principal at now. A key revoked or
// expired at now is refused with a *RefusedError: the key is read from the
// store on every call, so a revocation counts at once in every process.
func Authenticate(ctx context.Context, keys store.Keys, token string, now time.Time) (Principal, error) {
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || id == "" || secret == "" {
		return Principal{}, ErrUnauthenticated
	}
	k, err := keys.Key(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("look up key: %w", err)
	}
	if subtle.ConstantTimeCompare(k.Hash, hash(secret)) != 1 {
		return Principal{}, ErrUnauthenticated
	}
	p := Principal{KeyID: k.ID, Role: Role(k.Role), AgentID: k.AgentID, DisplayName: k.Name, NoPause: k.NoPause}
	if why := refusal(k, now); why != "" {
		return p, &RefusedError{Principal: p, Why: why}
	}
	return p, nil
}

// KeyStore is where keys are issued: the keys and the audit chain.
type KeyStore interface {
	store.Keys
	store.Audit
}

// Issue creates, stores and audits a new key with no name or expiry and
// returns its token, which is shown once and never stored.
func Issue(ctx context.Context, st KeyStore, role Role, agentID, actor string, now time.Time) (string, store.Key, error) {
	return IssueKey(ctx, st, Spec{Role: role, AgentID: agentID}, Actor{ID: actor}, now)
}
