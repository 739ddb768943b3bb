package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/store"
)

// connectIngest gives the API's ingest routes the same applier as the
// Kinesis consumer, and the dead letters both leave.
type connectIngest struct {
	applier *amazonconnect.Applier
	store   store.DeadLetters
}

// ApplyAgentEvents implements api.ConnectIngest.
func (c connectIngest) ApplyAgentEvents(ctx context.Context, body []byte) (json.RawMessage, error) {
	evs, err := amazonconnect.DecodeBatch(body)
	if err != nil {
		bad := &api.AgentEventError{Index: -1, Err: err}
		var de *amazonconnect.DecodeError
		if errors.As(err, &de) {
			bad.Reason, bad.Index = string(de.Reason), de.Index
		}
		return nil, bad
	}
	results := c.applier.ApplyEvents(ctx, evs)
	var unapplied error
	for _, res := range results {
		if res.Err != nil {
			unapplied = res.Err
			break
		}
	}
	b, err := json.Marshal(results)
	if err != nil {
		return nil, fmt.Errorf("encode ingest results: %w", err)
	}
	return b, unapplied
}

// DeadLetters implements api.ConnectIngest.
func (c connectIngest) DeadLetters(ctx context.Context, limit int) (json.RawMessage, error) {
	dls, err := amazonconnect.ListDeadLetters(ctx, c.store, limit)
	if err != nil {
		return nil, err
	}
	if dls == nil {
		dls = []amazonconnect.DeadLetter{}
	}
	return json.Marshal(dls)
}
