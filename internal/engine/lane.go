package engine

import (
	"hash/maphash"
	"sync"

	"github.com/hush-cc/hush/internal/clock"
	"github.com/hush-cc/hush/internal/conversation"
)

const laneShards = 64

// lanes maps conversation ids to their lanes. A lane runs one task at a time,
// in arrival order; different lanes run in parallel. There is no global lock:
// the map is sharded, and a lane with work is handed to an idle worker (see
// workers), so its turn runs on a goroutine whose stack has grown already;
// a caller that waits for its task on an idle lane runs it itself.
type lanes struct {
	seed    maphash.Seed
	shards  [laneShards]laneShard
	workers workers
}

type laneShard struct {
	mu sync.Mutex
	m  map[string]*lane
}

type lane struct {
	id      string
	queue   []func(*lane)
	running bool
	// conv caches the last persisted state; nil means read it from the store.
	conv *conversation.Conversation
	// timerMu guards timer: the lane's turn re-arms it after every change,
	// without waiting on the shard's other lanes.
	timerMu sync.Mutex
	timer   clock.Timer
}

func (ls *lanes) init() {
	ls.seed = maphash.MakeSeed()
	ls.workers.init()
	for i := range ls.shards {
		ls.shards[i].m = make(map[string]*lane)
	}
}

func (ls *lanes) shard(id string) *laneShard {
	return &ls.shards[maphash.String(ls.seed, id)%laneShards]
}

// submit queues task on id's lane and starts the lane on a worker if it is
// idle.
func (ls *lanes) submit(id string, task func(*lane)) {
	sh := ls.shard(id)
	sh.mu.Lock()
	l := sh.lane(id)
	l.queue = append(l.queue, task)
	start := !l.running
	l.running = true
	sh.mu.Unlock()
	if start {
		ls.workers.run(func() { ls.run(sh, l) })
	}
}

// runIdle runs task on the calling goroutine if id's lane is idle, and
// reports whether it did; a busy lane is left alone.
func (ls *lanes) runIdle(id string, task func(*lane)) bool {
	sh := ls.shard(id)
	sh.mu.Lock()
	l := sh.lane(id)
	if l.running {
		sh.mu.Unlock()
		return false
	}
	l.running = true
	sh.mu.Unlock()
	// Tasks queued meanwhile are a worker's: the caller has its answer. The
	// lane is handed on even if task panics, which the caller (an HTTP
	// handler, say) may recover from: the conversation's later inputs must
	// not wait for a turn that never ends.
	defer func() {
		sh.mu.Lock()
		idle := sh.stop(l)
		sh.mu.Unlock()
		if !idle {
			ls.workers.run(func() { ls.run(sh, l) })
		}
	}()
	task(l)
	return true
}

// lane returns id's lane, adding it if there is none; sh is locked.
func (sh *laneShard) lane(id string) *lane {
	l := sh.m[id]
	if l == nil {
		l = &lane{id: id}
		sh.m[id] = l
	}
	return l
}

func (ls *lanes) run(sh *laneShard, l *lane) {
	for {
		sh.mu.Lock()
		if sh.stop(l) {
			sh.mu.Unlock()
			return
		}
		task := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		sh.mu.Unlock()
		task(l)
	}
}

// stop ends l's run if nothing is queued and reports whether it did; sh,
// l's shard, is locked.
func (sh *laneShard) stop(l *lane) bool {
	if len(l.queue) > 0 {
		return false
	}
	l.running = false
	// Keep the lane of a live conversation: it holds the cache and the
	// expiry timer. Forget the rest.
	if l.conv == nil || !l.conv.Active() {
		l.stopTimer()
		delete(sh.m, l.id)
	}
	return true
}

func (ls *lanes) stopTimers() {
	for i := range ls.shards {
		sh := &ls.shards[i]
		sh.mu.Lock()
		for _, l := range sh.m {
			l.stopTimer()
		}
		sh.mu.Unlock()
	}
}

func (l *lane) stopTimer() {
	l.timerMu.Lock()
	defer l.timerMu.Unlock()
	l.stopTimerLocked()
}

func (l *lane) stopTimerLocked() {
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
}
