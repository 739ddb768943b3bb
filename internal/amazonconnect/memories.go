package amazonconnect

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hush-cc/hush/internal/store"
)

// memoryNamespace holds each agent's Memory, JSON, under the agent's ARN.
const memoryNamespace = "amazonconnect.memory"

// LoadMemory returns what the adapter remembers about an agent and its
// version: a zero Memory and version 0 when nothing is stored.
func LoadMemory(ctx context.Context, st store.AdapterState, agentARN string) (Memory, int64, error) {
	raw, version, err := st.AdapterState(ctx, memoryNamespace, agentARN)
	if err != nil {
		return Memory{}, 0, fmt.Errorf("read memory of agent %s: %w", agentARN, err)
	}
	var m Memory
	if version == 0 {
		return m, 0, nil
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return Memory{}, 0, fmt.Errorf("decode memory of agent %s: %w", agentARN, err)
	}
	return m, version, nil
}

// SaveMemory stores m if the stored version is still version (0: none
// stored); the stored version becomes version+1. Otherwise it returns
// store.ErrConflict and stores nothing, so that two writers planning from
// the same memory cannot both store their result.
func SaveMemory(ctx context.Context, st store.AdapterState, agentARN string, m Memory, version int64) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode memory of agent %s: %w", agentARN, err)
	}
	if err := st.PutAdapterState(ctx, memoryNamespace, agentARN, raw, version); err != nil {
		return fmt.Errorf("store memory of agent %s: %w", agentARN, err)
	}
	return nil
}
