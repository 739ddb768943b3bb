package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// Defaults of the recorder.
const (
	DefaultCommitDelay     = 5 * time.Second
	DefaultCheckpointEvery = time.Second
	DefaultTick            = 250 * time.Millisecond
	// lookahead is how far ahead of the commit point audio can be held: the
	// resync threshold plus room for commits that come late, as they do
	// when the machine is short of CPU. Audio further ahead is dropped
	// (counted as early) rather than committed before its delay is up.
	lookahead = 4 * time.Second
)

// Config configures a Recorder.
type Config struct {
	// Dir receives <id>.wav and <id>.segments.json per conversation.
	Dir string
	// CommitDelay is how long audio waits before it is committed, and so how
	// far back a pause can reach. Zero means DefaultCommitDelay.
	CommitDelay time.Duration
	// Policy says what paused spans become in the WAV file.
	Policy Policy
	// Ports hands out RTP ports; Host is the address they bind to (default
	// 127.0.0.1). Without Ports, calls take packets only through Push.
	Ports *Ports
	Host  netip.Addr
	// Transcriber, if set, opens the sink that receives a conversation's
	// transcription audio.
	Transcriber func(ctx context.Context, id string, start time.Time) (Sink, error)
	// CheckpointEvery is how much committed audio may go by before the WAV
	// header and the segment map are brought up to date. Zero means
	// DefaultCheckpointEvery.
	CheckpointEvery time.Duration
	// Tick is how often Run commits audio. Zero means DefaultTick.
	Tick time.Duration
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics, if set, counts rejected packets and media timeouts.
	Metrics *Metrics
	// RTPTimeout, if positive, is how long a call may go without RTP on
	// every stream whose peer should be sending before OnMediaTimeout is
	// called with its conversation id (once, on its own goroutine), which
	// should end it.
	RTPTimeout     time.Duration
	OnMediaTimeout func(id string)
	// Finished, if set, is told of each recording whose WAV file is final
	// and durable. It is called with the call's lock held: it must hand
	// the work off, not do it.
	Finished func(id, wavPath string)
	// Encrypt, if set, wraps each WAV file's writer: the recording is
	// written through it, never in the clear.
	Encrypt func(io.Writer) (io.WriteCloser, error)
	// Digits, if set, listens to each call for card digits before its
	// audio is committed (see Digits).
	Digits *Digits
}

// Recorder records the conversations of the built-in SIPREC recorder. It
// implements engine.Backend: the engine pauses, resumes and stops
// recording and transcription through Drive.
type Recorder struct {
	dir             string
	delay           time.Duration
	policy          Policy
	ports           *Ports
	host            netip.Addr
	transcriber     func(ctx context.Context, id string, start time.Time) (Sink, error)
	checkpointEvery int64
	tick            time.Duration
	now             func() time.Time
	realClock       bool // now is time.Now: kernel receive times may be used
	log             *slog.Logger
	metrics         *Metrics
	rtpTimeout      time.Duration
	onMediaTimeout  func(id string)
	onFinished      func(id, wavPath string)
	encrypt         func(io.Writer) (io.WriteCloser, error)
	digits          *Digits
	pages           *pagePool
	rx              *receivers
	wavBufs         *sync.Pool

	mu    sync.Mutex
	calls map[string]*Call
	// phases counts the calls opened, to spread them over commitPhases.
	phases int
}

// NewRecorder checks cfg and creates the recordings directory.
func NewRecorder(cfg Config) (*Recorder, error) {
	if cfg.Dir == "" {
		return nil, errors.New("media: recorder needs a directory")
	}
	if cfg.CommitDelay < 0 || cfg.CheckpointEvery < 0 || cfg.Tick < 0 {
		return nil, errors.New("media: negative durations in recorder config")
	}
	policy, err := ParsePolicy(string(cfg.Policy))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("media: recordings dir: %w", err)
	}
	r := &Recorder{
		dir: cfg.Dir, delay: orDefault(cfg.CommitDelay, DefaultCommitDelay), policy: policy,
		ports: cfg.Ports, host: cfg.Host, transcriber: cfg.Transcriber,
		checkpointEvery: samples(orDefault(cfg.CheckpointEvery, DefaultCheckpointEvery)),
		tick:            orDefault(cfg.Tick, DefaultTick),
		now:             cfg.Now, log: cfg.Logger, calls: map[string]*Call{},
		metrics: cfg.Metrics, rtpTimeout: cfg.RTPTimeout, onMediaTimeout: cfg.OnMediaTimeout,
		onFinished: cfg.Finished, digits: cfg.Digits,
		encrypt: cfg.Encrypt, pages: newPagePool(true), rx: newReceivers(), wavBufs: newWAVBuffers(),
	}
	if !r.host.IsValid() {
		r.host = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	if r.now == nil {
		r.now, r.realClock = time.Now, true
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	return r, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Paths returns where the WAV file and the segment map of conversation id
// are written. The id is escaped so it cannot name another directory.
func (r *Recorder) Paths(id string) (wav, segments string) {
	base := url.PathEscape(id)
	return filepath.Join(r.dir, base+".wav"), filepath.Join(r.dir, base+".segments.json")
}

// CallOptions describe a new call.
type CallOptions struct {
	// Start is timeline position 0; zero means now.
	Start time.Time
	// Recording and Transcription are the capabilities' initial states:
	// conversation.InProgress (also when empty) or conversation.NotStarted,
	// which keeps the gate shut until the engine starts the capability.
	Recording, Transcription conversation.State
}

// Open starts recording conversation id. Its files must not exist yet: a
// recording is never overwritten.
func (r *Recorder) Open(ctx context.Context, id string, opts CallOptions) (*Call, error) {
	if id == "" {
		return nil, errors.New("media: conversation id is empty")
	}
	r.mu.Lock()
	_, dup := r.calls[id]
	r.mu.Unlock()
	if dup {
		return nil, fmt.Errorf("media: conversation %q is already recording", id)
	}
	if opts.Start.IsZero() {
		opts.Start = r.now()
	}
	c := &Call{
		id: id, rec: r, log: r.log.With("conversation", id),
		tl: timeline{start: opts.Start}, delay: samples(r.delay),
		ring:    newRing(samples(r.delay+lookahead)+FrameSamples, 0, r.pages),
		streams: [2]*stream{newStream(nil), newStream(nil)},
		stopAt:  [2]int64{open, open},
	}
	if r.digits != nil {
		c.dig = newDigits(r.digits)
	}
	c.recLog.tl, c.trLog.tl = c.tl, c.tl
	for i, st := range []conversation.State{opts.Recording, opts.Transcription} {
		switch st {
		case "", conversation.InProgress:
		case conversation.NotStarted:
			c.gates[i].spans = []span{{start: 0, end: open, notStarted: true}}
		default:
			return nil, fmt.Errorf("media: a call cannot open %s", st)
		}
	}
	if r.transcriber == nil && opts.Transcription == conversation.NotStarted {
		// Nothing can ever be transcribed: the capability is over before
		// it began, so the call ends with its recording.
		c.done[1], c.stopAt[1] = true, 0
	}
	if err := r.openOutputs(ctx, c); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.calls[id]; dup {
		c.abort()
		return nil, fmt.Errorf("media: conversation %q is already recording", id)
	}
	r.calls[id] = c
	c.phase = r.phases % commitPhases
	r.phases++
	return c, nil
}

// openOutputs creates the WAV file, the first segment map and the sink.
func (r *Recorder) openOutputs(ctx context.Context, c *Call) error {
	wavPath, _ := r.Paths(c.id)
	var w *WAVWriter
	var err error
	if r.encrypt != nil {
		w, err = CreateEncryptedWAV(wavPath, r.encrypt)
	} else {
		w, err = CreateWAV(wavPath)
	}
	if err != nil {
		return fmt.Errorf("media: open recording: %w", err)
	}
	w.pool = r.wavBufs
	c.wav = w
	if r.transcriber != nil {
		if c.sink, err = r.transcriber(ctx, c.id, c.tl.start); err != nil {
			c.abort()
			return fmt.Errorf("media: open transcriber: %w", err)
		}
	}
	if err := c.writeMap(false); err != nil {
		c.abort()
		return fmt.Errorf("media: open recording: %w", err)
	}
	return nil
}

// Call returns the running call of conversation id, or nil.
func (r *Recorder) Call(id string) *Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

func (r *Recorder) remove(c *Call) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.calls[c.id] == c {
		delete(r.calls, c.id)
	}
}

// Advance commits the due audio of every call.
func (r *Recorder) Advance(ctx context.Context, now time.Time) {
	r.mu.Lock()
	calls := make([]*Call, 0, len(r.calls))
	for _, c := range r.calls {
		calls = append(calls, c)
	}
	r.mu.Unlock()
	for _, c := range calls {
		if err := c.Advance(ctx, now); err != nil {
			c.log.Error("commit audio", "err", err)
		}
	}
}

// Run commits each call's audio every tick until ctx ends. Calls are
// committed in commitPhases groups spread over the tick, by a
// pool of workers, each call by one worker at a time, and a tick does not
// wait for a call still busy with the last one: a call whose disk write is
// slow holds up no other.
func (r *Recorder) Run(ctx context.Context) error {
	work := make(chan *Call, 1024)
	var wg sync.WaitGroup
	for range advanceWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if err := c.Advance(ctx, r.now()); err != nil {
					c.log.Error("commit audio", "err", err)
				}
				c.advancing.Store(false)
				// A tick's commits keep every core busy for tens of
				// milliseconds; yielding between calls lets an API request
				// or a pause waiting for a core in, instead of behind
				// every worker's full time slice.
				runtime.Gosched()
			}
		}()
	}
	defer func() {
		close(work)
		wg.Wait()
	}()
	t := time.NewTicker(r.tick / commitPhases)
	defer t.Stop()
	var calls []*Call
	for phase := 0; ; phase = (phase + 1) % commitPhases {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		calls = r.snapshot(calls[:0])
		if phase == 0 {
			r.checkSilence(calls)
		}
		for _, c := range calls {
			if c.phase != phase || !c.advancing.CompareAndSwap(false, true) {
				continue
			}
			select {
			case work <- c:
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// advanceWorkers commit calls' audio in parallel; more than the cores, so
// that calls waiting on the disk leave the others going.
const advanceWorkers = 16

// commitPhases is how many groups the calls are committed in, a group
// every tick/commitPhases, each call once a tick: the commits of a tick
// are spread over it instead of taking every core at once, which would
// keep an API request or a pause waiting for a core until they end.
const commitPhases = 5

// snapshot appends the running calls to dst.
func (r *Recorder) snapshot(dst []*Call) []*Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.calls {
		dst = append(dst, c)
	}
	return dst
}

// Close stops every call now, committing what is buffered, and finalizes
// their files.
func (r *Recorder) Close(ctx context.Context) error {
	r.mu.Lock()
	calls := make([]*Call, 0, len(r.calls))
	for _, c := range r.calls {
		calls = append(calls, c)
	}
	r.mu.Unlock()
	var err error
	now := r.now()
	for _, c := range calls {
		for _, k := range conversation.AllCapabilities() {
			err = errors.Join(err, c.Stop(ctx, k, now))
		}
	}
	return err
}

// SidecarPath returns the path of the JSON document called name that sits
// beside conversation id's WAV file, such as its transcript or its
// recording metadata.
func (r *Recorder) SidecarPath(id, name string) string {
	return filepath.Join(r.dir, url.PathEscape(id)+"."+name+".json")
}

// WriteSidecar replaces the sidecar document name of conversation id with
// v, atomically; sync makes it durable.
func (r *Recorder) WriteSidecar(id, name string, v any, sync bool) error {
	return writeJSON(r.SidecarPath(id, name), v, sync)
}

// CommitDelay returns how long audio waits before it is committed.
func (r *Recorder) CommitDelay() time.Duration { return r.delay }

// Transcribes reports whether calls get a transcriber.
func (r *Recorder) Transcribes() bool { return r.transcriber != nil }
