//go:build pocketsphinx

package asr

/*
#cgo pkg-config: pocketsphinx
#include <stdlib.h>
#include <pocketsphinx.h>

// cmd_ln_init is variadic, which cgo cannot call: these wrappers fix the
// arguments. The decoder keeps its own reference to the configuration.
static ps_decoder_t *hush_ps_new(const char *hmm, const char *lm, const char *dict) {
	cmd_ln_t *config = cmd_ln_init(NULL, ps_args(), TRUE,
		"-hmm", hmm, "-lm", lm, "-dict", dict, "-logfn", "/dev/null", NULL);
	if (config == NULL) {
		return NULL;
	}
	ps_decoder_t *ps = ps_init(config);
	cmd_ln_free_r(config);
	return ps;
}

static const char *hush_ps_decode(ps_decoder_t *ps, const int16 *pcm, size_t n) {
	int32 score;
	if (ps_start_utt(ps) < 0) {
		return NULL;
	}
	if (ps_process_raw(ps, pcm, n, FALSE, TRUE) < 0) {
		ps_end_utt(ps);
		return NULL;
	}
	if (ps_end_utt(ps) < 0) {
		return NULL;
	}
	const char *hyp = ps_get_hyp(ps, &score);
	return hyp == NULL ? "" : hyp;
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"os"
	"unsafe"
)

// Pocketsphinx reports whether this build can use pocketsphinx.
const Pocketsphinx = true

// psEngine recognizes with a pool of pocketsphinx decoders: a decoder
// serves one utterance at a time, and each holds its own copy of the
// model, so there are only as many as workers.
type psEngine struct {
	model Model
	pool  chan *C.ps_decoder_t
}

// openPocketsphinx loads the model into n decoders.
func openPocketsphinx(m Model, n int) (Engine, error) {
	for _, p := range []string{m.HMM, m.LM, m.Dict} {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("asr: pocketsphinx model: %w (install pocketsphinx-en-us)", err)
		}
	}
	n = max(n, 1)
	e := &psEngine{model: m, pool: make(chan *C.ps_decoder_t, n)}
	for range n {
		ps, err := newDecoder(m)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.pool <- ps
	}
	return e, nil
}

func newDecoder(m Model) (*C.ps_decoder_t, error) {
	hmm, lm, dict := C.CString(m.HMM), C.CString(m.LM), C.CString(m.Dict)
	defer C.free(unsafe.Pointer(hmm))
	defer C.free(unsafe.Pointer(lm))
	defer C.free(unsafe.Pointer(dict))
	ps := C.hush_ps_new(hmm, lm, dict)
	if ps == nil {
		return nil, errors.New("asr: pocketsphinx could not load its model")
	}
	return ps, nil
}

// Name implements Engine.
func (e *psEngine) Name() string { return EnginePocketsphinx }

// Recognize implements Engine. The model is 16 kHz: 8 kHz audio is
// upsampled first.
func (e *psEngine) Recognize(ctx context.Context, u Utterance) (Result, error) {
	pcm := u.PCM
	switch u.Rate {
	case 16000:
	case 8000:
		pcm = Upsample2(nil, pcm)
	default:
		return Result{}, fmt.Errorf("asr: pocketsphinx takes 8 or 16 kHz audio, not %d Hz", u.Rate)
	}
	if len(pcm) == 0 {
		return Result{}, nil
	}
	var ps *C.ps_decoder_t
	select {
	case ps = <-e.pool:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	defer func() { e.pool <- ps }()
	// C needs the samples where the Go collector cannot move them.
	buf := (*C.int16)(C.malloc(C.size_t(len(pcm)) * 2))
	defer C.free(unsafe.Pointer(buf))
	copy(unsafe.Slice((*int16)(unsafe.Pointer(buf)), len(pcm)), pcm)
	hyp := C.hush_ps_decode(ps, buf, C.size_t(len(pcm)))
	if hyp == nil {
		return Result{}, errors.New("asr: pocketsphinx failed to decode")
	}
	return Result{Text: C.GoString(hyp)}, nil
}

// Close implements Engine: it frees the decoders.
func (e *psEngine) Close() error {
	for {
		select {
		case ps := <-e.pool:
			C.ps_free(ps)
		default:
			return nil
		}
	}
}
