// Package feed reads hush's event log once per wake-up and fans it out to
// every reader in the process: server-sent event streams read the same
// in-memory window instead of each polling the store.
//
// Several hush processes may share one store: the feed is woken by its own
// process's commits and polls for the others', so every reader still sees
// every event, in sequence order.
package feed

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// Source is what the feed reads: the event log, and conversations to learn
// who owns an event.
type Source interface {
	EventsAfter(ctx context.Context, after int64, conversationID string, limit int) ([]store.Event, error)
	LatestEventSeq(ctx context.Context) (int64, error)
	Conversation(ctx context.Context, id string) (conversation.Conversation, error)
}

// Item is one event of the log with the agent of its conversation, so
// readers filter for agents in memory.
type Item struct {
	store.Event
	// AgentID owns the event's conversation; empty for events of no
	// conversation or of one that could not be read.
	AgentID string
	// Frame is the event as a server-sent event, formatted once for every
	// stream that shows it.
	Frame []byte
}

// item annotates and frames one event.
func (f *Feed) item(ctx context.Context, ev store.Event) Item {
	frame := fmt.Appendf(nil, "id: %d\nevent: %s\ndata: %s\n\n", ev.Seq, ev.Type, ev.Data)
	return Item{Event: ev, AgentID: f.owner(ctx, ev), Frame: frame}
}

// Config tunes a feed.
type Config struct {
	Source Source
	// Wake returns a channel closed at the next local commit.
	Wake func() <-chan struct{}
	// Poll is how often the log is read for other processes' commits.
	Poll time.Duration
	// Window is how many recent events stay in memory; readers further
	// behind read the store themselves.
	Window int
	Logger *slog.Logger
}

const (
	page = 500
	// coalesce gathers the commits of a busy moment into one read.
	coalesce = 10 * time.Millisecond
	// maxOwners bounds the cache of conversation owners; an owner never
	// changes, so a forgotten one is only read again.
	maxOwners = 1 << 16
)

// Feed is the process's one reader of the event log.
type Feed struct {
	cfg Config

	mu      sync.Mutex
	running bool
	// window holds the events after base, oldest first, up to head.
	window  []Item
	base    int64
	head    int64
	changed chan struct{}
	owners  map[string]string
	stop    chan struct{}
	done    chan struct{}
}

// New returns a feed; it starts reading at its first Read.
func New(cfg Config) *Feed {
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Window <= 0 {
		cfg.Window = 4096
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Wake == nil {
		never := make(chan struct{})
		cfg.Wake = func() <-chan struct{} { return never }
	}
	return &Feed{cfg: cfg, changed: make(chan struct{}), owners: map[string]string{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// Latest returns the sequence number of the newest event in the store:
// where a reader that wants only what happens from now on starts.
func (f *Feed) Latest(ctx context.Context) (int64, error) {
	return f.cfg.Source.LatestEventSeq(ctx)
}

// Read returns up to max events with Seq > after, oldest first, and a
// channel closed when more may be available. An empty answer means the
// reader is up to date: wait on the channel.
func (f *Feed) Read(ctx context.Context, after int64, max int) ([]Item, <-chan struct{}, error) {
	if err := f.start(ctx); err != nil {
		return nil, nil, err
	}
	f.mu.Lock()
	changed := f.changed
	if after >= f.head {
		f.mu.Unlock()
		return nil, changed, nil
	}
	if after >= f.base {
		i := f.index(after)
		n := min(max, len(f.window)-i)
		out := make([]Item, n)
		copy(out, f.window[i:i+n])
		f.mu.Unlock()
		return out, changed, nil
	}
	f.mu.Unlock()
	// Behind the window: history is read from the store, as it was.
	evs, err := f.cfg.Source.EventsAfter(ctx, after, "", min(max, page))
	if err != nil {
		return nil, nil, err
	}
	out := make([]Item, 0, len(evs))
	for _, ev := range evs {
		out = append(out, f.item(ctx, ev))
	}
	if len(out) == 0 {
		// Nothing after it in the store yet: the window will bring it.
		return nil, changed, nil
	}
	return out, closedChan, nil
}

var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// index returns the position of the first windowed event with Seq > after.
func (f *Feed) index(after int64) int {
	lo, hi := 0, len(f.window)
	for lo < hi {
		m := (lo + hi) / 2
		if f.window[m].Seq <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// start begins reading the log, once.
func (f *Feed) start(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.running {
		return nil
	}
	select {
	case <-f.stop:
		return context.Canceled
	default:
	}
	head, err := f.cfg.Source.LatestEventSeq(ctx)
	if err != nil {
		return err
	}
	f.base, f.head, f.running = head, head, true
	go f.run()
	return nil
}

// Close stops the reader and wakes every waiting reader; it waits until
// the reader has stopped.
func (f *Feed) Close() {
	f.mu.Lock()
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
	running := f.running
	f.mu.Unlock()
	if running {
		<-f.done
	}
}

// Done is closed when the feed is closed.
func (f *Feed) Done() <-chan struct{} { return f.stop }

func (f *Feed) run() {
	defer close(f.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-f.stop
		cancel()
	}()
	poll := time.NewTicker(f.cfg.Poll)
	defer poll.Stop()
	for {
		wake := f.cfg.Wake()
		n, err := f.readOnce(ctx)
		if err != nil && ctx.Err() == nil {
			f.cfg.Logger.Error("read the event log", "err", err)
		}
		if n == page {
			continue
		}
		select {
		case <-f.stop:
			f.mu.Lock()
			close(f.changed)
			f.changed = make(chan struct{})
			f.mu.Unlock()
			return
		case <-wake:
			select {
			case <-f.stop:
			case <-time.After(coalesce):
			}
		case <-poll.C:
		}
	}
}

// readOnce reads the next page of the log into the window and wakes the
// readers; it returns how many events it read.
func (f *Feed) readOnce(ctx context.Context) (int, error) {
	f.mu.Lock()
	head := f.head
	f.mu.Unlock()
	evs, err := f.cfg.Source.EventsAfter(ctx, head, "", page)
	if err != nil || len(evs) == 0 {
		return 0, err
	}
	items := make([]Item, 0, len(evs))
	for _, ev := range evs {
		items = append(items, f.item(ctx, ev))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.window = append(f.window, items...)
	if over := len(f.window) - f.cfg.Window; over > 0 {
		f.base = f.window[over-1].Seq
		f.window = append(f.window[:0:0], f.window[over:]...)
	}
	f.head = items[len(items)-1].Seq
	close(f.changed)
	f.changed = make(chan struct{})
	return len(evs), nil
}

// owner returns the agent of an event's conversation: conversation events
// carry it, others are looked up once per conversation.
func (f *Feed) owner(ctx context.Context, ev store.Event) string {
	if ev.ConversationID == "" {
		return ""
	}
	if strings.HasPrefix(ev.Type, "conversation.") {
		var v struct {
			AgentID string `json:"agentId"`
		}
		if json.Unmarshal(ev.Data, &v) == nil {
			f.remember(ev.ConversationID, v.AgentID)
			return v.AgentID
		}
	}
	f.mu.Lock()
	agent, ok := f.owners[ev.ConversationID]
	f.mu.Unlock()
	if ok {
		return agent
	}
	c, err := f.cfg.Source.Conversation(ctx, ev.ConversationID)
	if err != nil {
		// Unknown owner: no agent sees it; those who see all still do.
		return ""
	}
	f.remember(ev.ConversationID, c.AgentID)
	return c.AgentID
}

func (f *Feed) remember(conversationID, agentID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.owners) >= maxOwners {
		clear(f.owners)
	}
	f.owners[conversationID] = agentID
}
