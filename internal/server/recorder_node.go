package server

import (
	"context"
	"fmt"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/media"
)

// recorderBackend drives recorder calls. A call this node's recorder
// answered is driven there; a call another node answered reaches this
// node's backend only when that node stopped and this one closed its
// calls (see nodes.acts): nothing records it any more, so it is stopped,
// and nothing else can be done to it.
type recorderBackend struct {
	rec  *media.Recorder
	self string
}

var _ engine.Anticipator = recorderBackend{}

// Anticipate implements engine.Anticipator: the recorder shuts the gate
// of a call it holds.
func (b recorderBackend) Anticipate(conv conversation.Conversation, d conversation.Drive) {
	b.rec.Anticipate(conv, d)
}

// Withdraw implements engine.Anticipator.
func (b recorderBackend) Withdraw(conv conversation.Conversation, d conversation.Drive) {
	b.rec.Withdraw(conv, d)
}

// Drive implements engine.Backend.
func (b recorderBackend) Drive(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	if conv.Node == "" || conv.Node == b.self || b.rec.Call(conv.ID) != nil {
		return b.rec.Drive(ctx, conv, d)
	}
	if d.Target == conversation.Stopped {
		return conversation.Stopped, nil
	}
	return "", engine.Permanent(fmt.Errorf("recording interrupted: its recorder node %s stopped", conv.Node))
}
