package media

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
)

// roundTrip returns m as a reader of its JSON sees it.
func roundTrip(t *testing.T, m SegmentMap) SegmentMap {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out SegmentMap
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The segment map read back through its journal equals the map written
// whole at the same point, after every line a call whose gates open and
// shut appends; a journal cut anywhere (a crash in the middle of a
// write) reads as the map at its last whole line; once the call ends the
// journal is gone, and a stale one left beside the final map changes
// nothing.
func TestJournaledMapEqualsFullMap(t *testing.T) {
	sink := &collector{}
	s := newSim(t, Config{CheckpointEvery: 200 * time.Millisecond,
		Transcriber: func(context.Context, string, time.Time) (Sink, error) { return sink, nil }})
	_, mapPath := s.rec.Paths(s.call.ID())
	opened := s.segments()
	var snaps []SegmentMap // the whole map as of each journal line
	check := func() {
		j, err := os.ReadFile(journalPath(mapPath))
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(j, []byte("\n")) == len(snaps) {
			return
		}
		s.call.mu.Lock()
		full := roundTrip(t, s.call.segmentMap(false))
		s.call.mu.Unlock()
		if got := s.segments(); !reflect.DeepEqual(got, full) {
			t.Fatalf("journal line %d: map read back\n%+v\nwant the whole map\n%+v", len(snaps)+1, got, full)
		}
		snaps = append(snaps, full)
	}
	s.run(16*time.Second, func(now time.Time) {
		check()
		switch now {
		case at(2 * time.Second):
			s.pause(conversation.Recording, at(1500*time.Millisecond))
		case at(3 * time.Second):
			s.resume(conversation.Recording, now)
		case at(4 * time.Second):
			s.pause(conversation.Transcription, now)
		case at(6 * time.Second):
			s.resume(conversation.Transcription, now)
		case at(7 * time.Second):
			s.pause(conversation.Recording, at(6*time.Second))
		case at(9 * time.Second):
			s.resume(conversation.Recording, now)
		}
	})
	check()
	if len(snaps) < 5 {
		t.Fatalf("%d journal lines, want a line per new segment and more", len(snaps))
	}
	if n := len(snaps[len(snaps)-1].Segments); n < 5 {
		t.Fatalf("%d recording segments, want the paused and recorded spans", n)
	}

	journal, err := os.ReadFile(journalPath(mapPath))
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	crashed := filepath.Join(t.TempDir(), "c.segments.json")
	if err := os.WriteFile(crashed, base, 0o600); err != nil {
		t.Fatal(err)
	}
	// Cut at each line's start, middle and end, and either side of them.
	var cuts []int
	for a := 0; a < len(journal); {
		b := a + bytes.IndexByte(journal[a:], '\n')
		cuts = append(cuts, a, a+1, (a+b)/2, b-1, b, b+1)
		a = b + 1
	}
	for _, cut := range cuts {
		if err := os.WriteFile(journalPath(crashed), journal[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		whole := bytes.Count(journal[:cut], []byte("\n"))
		if cut < len(journal) && journal[cut] == '\n' {
			whole++ // the line is all there but its end
		}
		want := opened
		if whole > 0 {
			want = snaps[whole-1]
		}
		got, err := ReadSegmentMap(crashed)
		if err != nil {
			t.Fatalf("journal cut at %d: %v", cut, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("journal cut at byte %d (%d whole lines): %+v, want %+v", cut, whole, got, want)
		}
	}

	s.stop()
	if _, err := os.Stat(journalPath(mapPath)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("journal left after the call ended: %v", err)
	}
	final := s.segments()
	if !final.Complete {
		t.Fatal("final map not complete")
	}
	if err := os.WriteFile(journalPath(mapPath), journal, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := s.segments(); !reflect.DeepEqual(got, final) {
		t.Fatalf("a stale journal changed the final map: %+v, want %+v", got, final)
	}
	doc, err := s.rec.SegmentMapJSON(s.call.ID())
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(mapPath); !bytes.Equal(doc, raw) {
		t.Fatal("SegmentMapJSON of a final map is not the file")
	}
}
