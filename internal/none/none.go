// Package none is the tracking-only backend: hush holds the desired state,
// external recorders learn it from events and webhooks, and the confirmed
// state follows the desired one.
package none

import (
	"context"

	"github.com/hush-cc/hush/internal/conversation"
)

// Platform is the platform name conversations of this backend carry.
const Platform = "none"

// Backend confirms every drive at once.
type Backend struct{}

// Drive confirms d's target.
func (Backend) Drive(_ context.Context, _ conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	return d.Target, nil
}

// Tracking marks Backend as bookkeeping only, so the engine confirms its
// drives in the same write as the change.
func (Backend) Tracking() {}
