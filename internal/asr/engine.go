package asr

import (
	"context"
	"fmt"
	"runtime"
)

// Utterance is a stretch of speech on one channel.
type Utterance struct {
	// Rate is the sampling rate of PCM, samples per second.
	Rate int
	// PCM is mono 16-bit audio; an engine must not keep it.
	PCM []int16
}

// Result is what an engine heard in an utterance.
type Result struct {
	Text string
}

// Engine turns utterances into text. Recognize may be called from several
// goroutines at once.
type Engine interface {
	// Name identifies the engine in transcripts.
	Name() string
	Recognize(ctx context.Context, u Utterance) (Result, error)
	Close() error
}

// Energy is the engine of builds without a speech recognizer: the
// transcriber still finds where each side speaks, and the transcript
// lists those segments without words.
type Energy struct{}

// Name implements Engine.
func (Energy) Name() string { return "energy" }

// Recognize implements Engine: it recognizes no words.
func (Energy) Recognize(context.Context, Utterance) (Result, error) { return Result{}, nil }

// Close implements Engine.
func (Energy) Close() error { return nil }

// Engine names accepted by Open.
const (
	EngineAuto         = "auto"
	EngineEnergy       = "energy"
	EnginePocketsphinx = "pocketsphinx"
	EngineNone         = "none"
)

// Open returns the engine called name, able to serve workers
// recognitions at once (zero means one per CPU, as Transcriber's workers).
// "auto" is pocketsphinx when this build has it and its model is
// installed, else Energy; "none" returns nil, nil (no transcription).
func Open(name string, workers int) (Engine, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	switch name {
	case EngineNone:
		return nil, nil
	case EngineEnergy:
		return Energy{}, nil
	case EnginePocketsphinx:
		return openPocketsphinx(DefaultModel(), workers)
	case "", EngineAuto:
		if e, err := openPocketsphinx(DefaultModel(), workers); err == nil {
			return e, nil
		}
		return Energy{}, nil
	}
	return nil, fmt.Errorf("asr: unknown engine %q (want auto, pocketsphinx, energy or none)", name)
}

// Model locates a pocketsphinx acoustic model, language model and
// dictionary.
type Model struct {
	HMM, LM, Dict string
}

// DefaultModel is Debian's pocketsphinx-en-us.
func DefaultModel() Model {
	const dir = "/usr/share/pocketsphinx/model/en-us/"
	return Model{HMM: dir + "en-us", LM: dir + "en-us.lm.bin", Dict: dir + "cmudict-en-us.dict"}
}
