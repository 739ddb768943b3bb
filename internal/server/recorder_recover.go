package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/siprec"
	"github.com/hush-cc/hush/internal/store"
)

// closeInterrupted closes the recorder's conversations an earlier run left
// live: their media died with that run, so nothing records them any more.
// Each gets its files repaired (see media.Recorder.Recover) and is ended
// as recorder-restarted, which stops its recording and transcription and
// is audited and published like any end. Calls another node closed while
// this one was down only get their files repaired. It runs before the
// engine starts and before the SIP server answers, so no new call can be
// among them. With nodes sharing the store it closes only this node's
// calls.
func closeInterrupted(ctx context.Context, s *Server, rec *media.Recorder) error {
	convs, err := s.store.Conversations(ctx, store.Query{ActiveOnly: true})
	if err != nil {
		return fmt.Errorf("recorder restart: list conversations: %w", err)
	}
	now := time.Now()
	for _, c := range convs {
		if c.Platform != siprec.Platform || (s.nodes != nil && c.Node != "" && c.Node != s.node) {
			continue
		}
		if err := rec.Recover(c.ID, now); err != nil {
			s.log.Error("recording interrupted; its files could not be repaired", "conversation", c.ID, "err", err)
		}
		if err := interrupt(ctx, s.engine, c, now, endNote(conversation.EndRecorderRestarted)); err != nil {
			return fmt.Errorf("recorder restart: end %s: %w", c.ID, err)
		}
		s.log.Warn("recording interrupted: call closed after the recorder restarted", "conversation", c.ID)
	}
	return repairClosedElsewhere(ctx, s, rec)
}

// interrupt ends recorder call c, whose media is gone, at at (or its last
// input, if later): ended as recorder-restarted, which stops recording and
// transcription. A call already ended, by another node that got there
// first, is left as it is.
func interrupt(ctx context.Context, eng *engine.Engine, c conversation.Conversation, at time.Time, note string) error {
	if c.LastInputAt.After(at) {
		at = c.LastInputAt
	}
	_, err := eng.Apply(ctx, c.ID, conversation.Input{
		Kind: conversation.KindEnd, At: at, Actor: actorSIPREC,
		EndReason: conversation.EndRecorderRestarted, Note: note,
	})
	var rule *conversation.Error
	if errors.As(err, &rule) && rule.Code == conversation.CodeEnded {
		return nil
	}
	return err
}

// closeLost closes the live recorder calls of node dead, which stopped:
// nothing records them any more. Their ids are kept for dead's next start,
// which repairs their files (only it has them).
func (s *Server) closeLost(ctx context.Context, dead string) error {
	convs, err := s.store.Conversations(ctx, store.Query{ActiveOnly: true})
	if err != nil {
		return fmt.Errorf("list conversations: %w", err)
	}
	var lost []conversation.Conversation
	var ids []string
	for _, c := range convs {
		if c.Platform == siprec.Platform && c.Node == dead {
			lost = append(lost, c)
			ids = append(ids, c.ID)
		}
	}
	if len(lost) == 0 {
		return nil
	}
	// A node beats before it answers any call: if dead still has not
	// beaten, every call listed above is one it held before it died.
	if alive, err := s.nodes.alive(ctx, dead); err != nil || alive {
		return err
	}
	if err := noteInterrupted(ctx, s.store, dead, ids); err != nil {
		return err
	}
	// While it ends them this node answers for dead's calls: each end's
	// stop is driven here (see recorderBackend), within the end's turn.
	s.nodes.take(dead)
	defer s.nodes.untake(dead)
	now := time.Now()
	note := fmt.Sprintf("recording interrupted: the recorder node %s stopped during the call (closed by node %s)", dead, s.node)
	for _, c := range lost {
		if err := interrupt(ctx, s.engine, c, now, note); err != nil {
			return fmt.Errorf("end %s: %w", c.ID, err)
		}
		s.log.Warn("recording interrupted: call closed after its recorder node stopped", "conversation", c.ID, "node", dead)
	}
	return nil
}

// noteInterrupted adds ids to the calls node must repair when it starts.
func noteInterrupted(ctx context.Context, st store.AdapterState, node string, ids []string) error {
	return updateInterrupted(ctx, st, node, func(have []string) []string {
		for _, id := range ids {
			if !slices.Contains(have, id) {
				have = append(have, id)
			}
		}
		return have
	})
}

// updateInterrupted changes node's list of calls to repair, retrying when
// another writer changed it first.
func updateInterrupted(ctx context.Context, st store.AdapterState, node string, change func([]string) []string) error {
	for {
		raw, version, err := st.AdapterState(ctx, interruptedState, node)
		if err != nil {
			return fmt.Errorf("read the calls to repair of node %s: %w", node, err)
		}
		var ids []string
		if raw != nil {
			if err := json.Unmarshal(raw, &ids); err != nil {
				return fmt.Errorf("decode the calls to repair of node %s: %w", node, err)
			}
		}
		b, _ := json.Marshal(change(ids))
		err = st.PutAdapterState(ctx, interruptedState, node, b, version)
		if !errors.Is(err, store.ErrConflict) || ctx.Err() != nil {
			return err
		}
	}
}

// repairClosedElsewhere repairs the files of this node's calls that
// another node closed while this one was down; the calls themselves are
// closed already and stay as they are.
func repairClosedElsewhere(ctx context.Context, s *Server, rec *media.Recorder) error {
	if s.nodes == nil {
		return nil
	}
	raw, _, err := s.store.AdapterState(ctx, interruptedState, s.node)
	if err != nil || raw == nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return fmt.Errorf("recorder restart: decode the calls to repair: %w", err)
	}
	for _, id := range ids {
		at := time.Now()
		if c, err := s.store.Conversation(ctx, id); err == nil && !c.EndedAt.IsZero() {
			at = c.EndedAt
		}
		if err := rec.Recover(id, at); err != nil {
			s.log.Error("recording interrupted; its files could not be repaired", "conversation", id, "err", err)
			continue
		}
		s.log.Warn("recording interrupted: files repaired of a call another node closed", "conversation", id)
	}
	// Only now that the files are repaired are they crossed off: a crash
	// before leaves them for the next start.
	return updateInterrupted(ctx, s.store, s.node, func(have []string) []string {
		return slices.DeleteFunc(have, func(id string) bool { return slices.Contains(ids, id) })
	})
}
