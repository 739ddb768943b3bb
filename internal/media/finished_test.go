package media

import (
	"os"
	"testing"
	"time"
)

// Finished hears of a recording once, after its WAV file is final: the
// file does not change after the call.
func TestFinishedIsToldOnceWhenTheFileIsFinal(t *testing.T) {
	var got []string
	var sizeThen int64
	s := newSim(t, Config{Finished: func(id, wav string) {
		got = append(got, id+" "+wav)
		fi, err := os.Stat(wav)
		if err != nil {
			t.Error(err)
			return
		}
		sizeThen = fi.Size()
	}})
	s.run(time.Second, nil)
	if len(got) != 0 {
		t.Fatalf("told before the end: %v", got)
	}
	s.stop()
	s.stop()
	wav, _ := s.rec.Paths("conv-1")
	if len(got) != 1 || got[0] != "conv-1 "+wav {
		t.Fatalf("told %v", got)
	}
	fi, err := os.Stat(wav)
	if err != nil || fi.Size() != sizeThen || sizeThen != wavHeaderSize+SampleRate*wavBlockAlign {
		t.Fatalf("file size %v then, %v now (%v)", sizeThen, fi, err)
	}
}
