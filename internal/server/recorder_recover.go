package server

import (
	"context"
	"fmt"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
)

// closeInterrupted closes the recorder's conversations an earlier run left
// live: their media died with that run, so nothing records them any more.
// Each gets its files repaired (see media.Recorder.Recover) and is ended
// as recorder-restarted, which stops its recording and transcription and
// is audited and published like any end. It runs before the engine starts
// and before the SIP server answers, so no new call can be among them.
func closeInterrupted(ctx context.Context, s *Server, rec *media.Recorder) error {
	convs, err := s.store.Conversations(ctx, store.Query{ActiveOnly: true})
	if err != nil {
		return fmt.Errorf("recorder restart: list conversations: %w", err)
	}
	now := time.Now()
	for _, c := range convs {
		if c.Platform != siprec.Platform {
			continue
		}
		if err := rec.Recover(c.ID, now); err != nil {
			s.log.Error("recording interrupted; its files could not be repaired", "conversation", c.ID, "err", err)
		}
		at := now
		if c.LastInputAt.After(at) {
			at = c.LastInputAt
		}
		_, err := s.engine.Apply(ctx, c.ID, conversation.Input{
			Kind: conversation.KindEnd, At: at, Actor: actorSIPREC,
			EndReason: conversation.EndRecorderRestarted, Note: endNote(conversation.EndRecorderRestarted),
		})
		if err != nil {
			return fmt.Errorf("recorder restart: end %s: %w", c.ID, err)
		}
		s.log.Warn("recording interrupted: call closed after the recorder restarted", "conversation", c.ID)
	}
	return nil
}
