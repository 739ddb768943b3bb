package asr_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/hush-cc/hush/internal/asr"
	"github.com/hush-cc/hush/internal/media"
	"github.com/hush-cc/hush/internal/testwait"
)

func writeDoc(t *testing.T, path string, doc asr.Transcript) {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A live transcript with a journal is written whole only when it opens and
// when it is complete; readers see every segment in between.
func TestLiveTranscriptJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c1.transcript.json")
	var whole atomic.Int32
	tr, err := asr.New(asr.Config{Engine: &heard{}, Workers: 1,
		Write: func(_ string, doc asr.Transcript, final bool) error {
			whole.Add(1)
			writeDoc(t, path, doc)
			if final {
				return asr.RemoveJournal(path)
			}
			return nil
		},
		Append: func(_ string, seg asr.Segment) error { return asr.AppendSegment(path, seg) },
	})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := tr.Open(context.Background(), "c1", t0)
	if err != nil {
		t.Fatal(err)
	}
	talk := make([]int16, media.FrameSamples)
	for k := range talk {
		talk[k] = 6000 * int16(1-2*(k/10%2))
	}
	quiet := make([]int16, media.FrameSamples)
	// Ten utterances: 0.6 s of talk in every 1.2 s, on alternate channels.
	for i := range 600 {
		caller, agent := quiet, quiet
		if i%60 < 30 {
			if i/60%2 == 0 {
				caller = talk
			} else {
				agent = talk
			}
		}
		if err := sink.Write(context.Background(), media.Frame{Offset: int64(i * media.FrameSamples), Caller: caller, Agent: agent}); err != nil {
			t.Fatal(err)
		}
	}
	testwait.Eventually(t, func() (bool, error) {
		doc, err := asr.ReadTranscript(path)
		return err == nil && len(doc.Segments) == 10, fmt.Errorf("%d segments, %v", len(doc.Segments), err)
	}, "the journal to hold the ten utterances")
	doc, err := asr.ReadTranscript(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, seg := range doc.Segments {
		if i > 0 && seg.StartMs < doc.Segments[i-1].StartMs {
			t.Fatalf("segments out of order: %+v", doc.Segments)
		}
	}
	if doc.Complete || whole.Load() != 1 {
		t.Fatalf("live transcript complete=%v, written whole %d times, want once (when it opened)", doc.Complete, whole.Load())
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	doc, err = asr.ReadTranscript(path)
	if err != nil || !doc.Complete || len(doc.Segments) != 10 {
		t.Fatalf("final transcript = %+v, %v; want 10 segments, complete", doc, err)
	}
	if _, err := os.Stat(asr.JournalPath(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("journal still there after the transcript was complete: %v", err)
	}
}

// A line a crash cut short ends the journal; a complete transcript
// ignores a journal left beside it.
func TestTranscriptJournalReading(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c1.transcript.json")
	writeDoc(t, path, asr.Transcript{ConversationID: "c1", Segments: []asr.Segment{}})
	for _, seg := range []asr.Segment{{Channel: "agent", StartMs: 2000, EndMs: 2500}, {Channel: "caller", StartMs: 1000, EndMs: 1500}} {
		if err := asr.AppendSegment(path, seg); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(asr.JournalPath(path), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"channel":"caller","startMs":30`)
	f.Close()
	b, err := asr.TranscriptJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc asr.Transcript
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Segments) != 2 || doc.Segments[0].StartMs != 1000 || doc.Segments[1].StartMs != 2000 {
		t.Fatalf("segments = %+v, want the two whole lines in time order", doc.Segments)
	}
	writeDoc(t, path, asr.Transcript{ConversationID: "c1", Complete: true, Segments: []asr.Segment{{Channel: "caller", StartMs: 1000}}})
	if doc, err := asr.ReadTranscript(path); err != nil || len(doc.Segments) != 1 {
		t.Fatalf("complete transcript read as %+v, %v; want its own one segment", doc, err)
	}
}
