package server

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/store"
)

// sealer hashes finished recording files into the audit chain, one at a
// time, off the recorder's hot path: the recorder hands it a file and goes
// on. Close waits until every handed file is sealed.
type sealer struct {
	store   store.Audit
	log     *slog.Logger
	mu      sync.Mutex
	queue   []sealJob
	wake    chan struct{}
	done    chan struct{}
	stopped bool
}

type sealJob struct{ id, kind, path string }

func newSealer(st store.Audit, log *slog.Logger) *sealer {
	s := &sealer{store: st, log: log, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

// add queues a file; it never blocks.
func (s *sealer) add(id, kind, path string) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.log.Error("recording file finished after shutdown; not sealed", "conversation", id, "kind", kind)
		return
	}
	s.queue = append(s.queue, sealJob{id, kind, path})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sealer) run() {
	defer close(s.done)
	for {
		s.mu.Lock()
		jobs, stopped := s.queue, s.stopped
		s.queue = nil
		s.mu.Unlock()
		for _, j := range jobs {
			if _, err := integrity.SealFile(context.Background(), s.store, j.id, j.kind, j.path, time.Now()); err != nil {
				s.log.Error("recording file not sealed", "conversation", j.id, "kind", j.kind, "err", err)
			}
		}
		if stopped && len(jobs) == 0 {
			return
		}
		if len(jobs) == 0 {
			<-s.wake
		}
	}
}

// close seals what is queued, then stops.
func (s *sealer) close() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	<-s.done
}

// verifyRoute answers whether a conversation's recording and transcript
// files are the ones sealed when they were finished.
func verifyRoute(s *Server, dir string) api.Route {
	return api.Route{Method: "GET", Path: "/v1/conversations/{id}/recording/verify",
		Roles:    []auth.Role{auth.Admin, auth.Supervisor, auth.Agent},
		Summary:  "Whether the recording and transcript on disk are the files sealed into the audit when they were finished",
		Response: "RecordingVerification",
		Handler: func(w http.ResponseWriter, r *http.Request) {
			id := r.PathValue("id")
			if _, _, ok := s.api.Access(w, r, id); !ok {
				return
			}
			var out struct {
				Recording  integrity.Result `json:"recording"`
				Transcript integrity.Result `json:"transcript"`
			}
			var err error
			if out.Recording, err = integrity.Verify(r.Context(), s.store, dir, id, integrity.Recording); err == nil {
				out.Transcript, err = integrity.Verify(r.Context(), s.store, dir, id, integrity.Transcript)
			}
			if err != nil {
				s.log.Error("verify recording", "conversation", id, "err", err)
				api.WriteError(w, http.StatusInternalServerError, "internal", "could not verify the recording")
				return
			}
			api.WriteJSON(w, http.StatusOK, out)
		}}
}
