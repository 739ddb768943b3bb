//go:build pocketsphinx

package asr

import (
	"runtime"
	"testing"
)

// Without a worker count, the engine has a decoder per CPU, as the
// transcriber has a worker per CPU: otherwise all but one would wait.
func TestPocketsphinxDecoderPerWorker(t *testing.T) {
	eng, err := Open(EnginePocketsphinx, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if got, want := cap(eng.(*psEngine).pool), runtime.GOMAXPROCS(0); got != want {
		t.Fatalf("%d decoders, want %d", got, want)
	}
}
