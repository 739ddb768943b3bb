package amazonconnect

import "context"

// Memories stores each agent's Memory under its ARN, with a version so that
// two writers planning from the same memory cannot both store their result.
type Memories interface {
	// AgentMemory returns the agent's memory and its version: a zero
	// Memory and version 0 when none is stored.
	AgentMemory(ctx context.Context, agentARN string) (Memory, int64, error)
	// PutAgentMemory stores m if the stored version is still version (0:
	// none stored); the stored version becomes version+1. Otherwise it
	// returns store.ErrConflict and stores nothing.
	PutAgentMemory(ctx context.Context, agentARN string, m Memory, version int64) error
}
