package asr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/hush-cc/hush/internal/media"
)

// Config configures a Transcriber.
type Config struct {
	Engine Engine
	// Write stores a conversation's transcript; final asks for it to be
	// durable. The recorder's WriteSidecar fits.
	Write func(id string, t Transcript, final bool) error
	// Append, when set, stores one segment of a live transcript (see
	// AppendSegment); the transcript is then written whole only when it
	// opens and once complete. Without it the live transcript is
	// rewritten at most once per saveEvery of audio.
	Append func(id string, seg Segment) error
	// Workers run the engine; zero means one per CPU.
	Workers int
	// Queue bounds the utterances waiting for a worker; past it new ones
	// are dropped rather than delaying the recorder. Zero means 256.
	Queue  int
	Logger *slog.Logger
}

// Transcriber opens a transcription sink per conversation and runs the
// engine for all of them on a pool of workers.
type Transcriber struct {
	cfg  Config
	jobs chan job
	wg   sync.WaitGroup
	once sync.Once
	mu   sync.Mutex
	done bool
}

// job is one utterance to recognize, or a live transcript to save.
type job struct {
	sink *sink
	ch   int
	u    utterance
	save bool
}

// New starts a transcriber's workers; Close stops them.
func New(cfg Config) (*Transcriber, error) {
	if cfg.Engine == nil || cfg.Write == nil {
		return nil, errors.New("asr: transcriber needs an engine and a writer")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 256
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	t := &Transcriber{cfg: cfg, jobs: make(chan job, cfg.Queue)}
	for range cfg.Workers {
		t.wg.Add(1)
		go t.work()
	}
	return t, nil
}

// Engine returns the engine in use.
func (t *Transcriber) Engine() Engine { return t.cfg.Engine }

// Open starts transcribing conversation id, whose timeline starts at
// start. It has the signature media.Config.Transcriber expects.
func (t *Transcriber) Open(_ context.Context, id string, start time.Time) (media.Sink, error) {
	keep := !audioFree(t.cfg.Engine)
	s := &sink{t: t, id: id, start: start, segs: [2]*segmenter{newSegmenter(keep), newSegmenter(keep)}}
	s.doc = Transcript{ConversationID: id, Engine: t.cfg.Engine.Name(), Start: formatTime(start), Segments: []Segment{}}
	if err := t.cfg.Write(id, s.doc, false); err != nil {
		return nil, fmt.Errorf("asr: open transcript: %w", err)
	}
	return s, nil
}

// enqueue hands an utterance to the workers without waiting.
func (t *Transcriber) enqueue(j job) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false
	}
	select {
	case t.jobs <- j:
		return true
	default:
		return false
	}
}

func (t *Transcriber) work() {
	defer t.wg.Done()
	var up []int16
	for j := range t.jobs {
		if j.save {
			j.sink.save()
			continue
		}
		var res Result
		var err error
		if j.u.pcm != nil {
			up = Upsample2(up[:0], j.u.pcm)
			res, err = t.cfg.Engine.Recognize(context.Background(), Utterance{Rate: 2 * rate8k, PCM: up})
		}
		j.sink.recognized(j, res, err)
	}
}

// Close waits for the utterances queued so far, then stops the workers
// and the engine.
func (t *Transcriber) Close() error {
	var err error
	t.once.Do(func() {
		t.mu.Lock()
		t.done = true
		close(t.jobs)
		t.mu.Unlock()
		t.wg.Wait()
		err = t.cfg.Engine.Close()
	})
	return err
}

// timeLayout matches the segment map's.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// audioFree reports whether an engine needs no samples, only where speech
// is: the transcriber then keeps none, which saves most of its memory.
func audioFree(e Engine) bool {
	_, ok := e.(Energy)
	return ok
}
