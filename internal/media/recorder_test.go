package media

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

const rec, tr = conversation.Recording, conversation.Transcription

func TestRecordsBothChannels(t *testing.T) {
	s := newSim(t, Config{})
	s.run(3*time.Second, nil)
	s.stop()
	left, right := s.wav()
	if len(left) != 3*SampleRate {
		t.Fatalf("WAV holds %d samples, want %d", len(left), 3*SampleRate)
	}
	checkFrames(t, left, right, 0, 150, true)
	checkExact(t, left, right, 0, 0, 3*SampleRate)

	m := s.segments()
	if !m.Complete || len(m.Segments) != 1 || m.Segments[0].State != SegmentRecorded ||
		m.Segments[0].EndMs != 3000 || m.Segments[0].WAVEnd != 3*SampleRate {
		t.Fatalf("segment map = %+v", m)
	}
}

func TestPauseWritesSilence(t *testing.T) {
	s := newSim(t, Config{})
	s.run(3*time.Second, func(now time.Time) {
		switch now {
		case at(time.Second):
			s.pause(rec, now)
		case at(2 * time.Second):
			s.resume(rec, now)
		}
	})
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 50, true)
	checkFrames(t, left, right, 50, 100, false)
	checkFrames(t, left, right, 100, 150, true)
	checkExact(t, left, right, 16000, 16000, 24000)

	segs := s.segments().Segments
	if len(segs) != 3 {
		t.Fatalf("segments = %+v, want recorded, paused, recorded", segs)
	}
	p := segs[1]
	if p.State != SegmentPaused || p.StartMs != 1000 || p.EndMs != 2000 ||
		p.WAVStart != 8000 || p.WAVEnd != 16000 || p.Start != "2025-03-14T09:26:54.000Z" ||
		len(p.Reasons) != 1 || p.Reasons[0] != (SpanReason{Kind: conversation.Manual, ID: "agent-7"}) {
		t.Fatalf("paused segment = %+v", p)
	}
}

func TestPauseStartsAtNamedTime(t *testing.T) {
	s := newSim(t, Config{})
	named := at(1012500 * time.Microsecond) // sample 8100, inside frame 50
	s.run(3*time.Second, func(now time.Time) {
		switch now {
		case at(1500 * time.Millisecond):
			if got := s.pause(rec, named); !got.Equal(named) {
				t.Fatalf("pause applies from %v, want %v", got, named)
			}
		case at(2 * time.Second):
			s.resume(rec, now)
		}
	})
	s.stop()
	left, right := s.wav()
	checkExact(t, left, right, 0, 0, 8100)
	if !silent(left[8100:16000]) || !silent(right[8100:16000]) {
		t.Fatal("audio after the named time of the pause")
	}
	checkExact(t, left, right, 16000, 16000, 24000)
}

func TestRetroactivePauseRemovesBufferedAudio(t *testing.T) {
	s := newSim(t, Config{})
	s.run(3*time.Second, nil)
	// Asked at 3 s for a pause from 2 s: the audio of 2-3 s has already
	// arrived but is still inside the commit delay.
	s.pause(rec, at(2*time.Second))
	s.run(3500*time.Millisecond, nil)
	// A resume naming a past time applies from now.
	if got := s.resume(rec, at(2500*time.Millisecond)); !got.Equal(at(3500 * time.Millisecond)) {
		t.Fatalf("resume applies from %v, want now", got)
	}
	s.run(5*time.Second, nil)
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 100, true)
	checkFrames(t, left, right, 100, 175, false)
	checkFrames(t, left, right, 175, 250, true)
}

func TestPauseReachesBackAtMostTheCommitDelay(t *testing.T) {
	s := newSim(t, Config{CommitDelay: time.Second})
	s.run(5*time.Second, nil)
	got := s.pause(rec, at(time.Second))
	if !got.Equal(at(4 * time.Second)) {
		t.Fatalf("pause applies from %v, want the commit point 4s", got.Sub(t0))
	}
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 200, true)
	checkFrames(t, left, right, 200, 250, false)
}

func TestGapPolicyRemovesPausedSpan(t *testing.T) {
	s := newSim(t, Config{Policy: PolicyGap})
	s.run(3*time.Second, func(now time.Time) {
		switch now {
		case at(time.Second):
			s.pause(rec, now)
		case at(2 * time.Second):
			s.resume(rec, now)
		}
	})
	s.stop()
	left, right := s.wav()
	if len(left) != 2*SampleRate {
		t.Fatalf("WAV holds %d samples, want %d (3 s less the 1 s pause)", len(left), 2*SampleRate)
	}
	checkFrames(t, left, right, 0, 100, true)
	checkExact(t, left, right, 0, 0, 8000)
	checkExact(t, left, right, 8000, 16000, 24000)
	segs := s.segments().Segments
	if len(segs) != 3 || segs[1].WAVStart != 8000 || segs[1].WAVEnd != 8000 ||
		segs[2].WAVStart != 8000 || segs[2].StartSample != 16000 {
		t.Fatalf("segments = %+v", segs)
	}
}

func TestHeaderValidWhileRecording(t *testing.T) {
	s := newSim(t, Config{CommitDelay: time.Second})
	s.run(3500*time.Millisecond, nil)
	path, _ := s.rec.Paths(s.call.ID())
	info, left, right := readWAV(t, path)
	if info.DataSize < 2*SampleRate*4 {
		t.Fatalf("mid-call header covers %d bytes, want at least the 2 s checkpointed", info.DataSize)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.DataOffset+info.DataSize > fi.Size() {
		t.Fatalf("header claims %d bytes of data, file holds %d", info.DataSize, fi.Size()-info.DataOffset)
	}
	checkExact(t, left, right, 0, 0, len(left))
	m := s.segments()
	if m.Complete || m.WAVSamples == 0 || m.WAVSamples > int64(len(left)) {
		t.Fatalf("mid-call segment map = %+v, want incomplete, within the %d samples of the WAV", m, len(left))
	}

	s.run(4*time.Second, nil)
	s.stop()
	left, _ = s.wav()
	if len(left) != 4*SampleRate || !s.segments().Complete {
		t.Fatalf("final WAV holds %d samples, want %d", len(left), 4*SampleRate)
	}
}

func TestEmptyRecording(t *testing.T) {
	s := newSim(t, Config{})
	s.stop()
	path, _ := s.rec.Paths(s.call.ID())
	info, left, _ := readWAV(t, path)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.DataSize != 0 || len(left) != 0 || fi.Size() != wavHeaderSize {
		t.Fatalf("empty recording: header %+v, file %d bytes", info, fi.Size())
	}
	if m := s.segments(); !m.Complete || len(m.Segments) != 0 {
		t.Fatalf("segment map = %+v", m)
	}
}

func TestTranscriptionGateIsIndependent(t *testing.T) {
	sink := &collector{}
	s := newSim(t, Config{Transcriber: func(context.Context, string, time.Time) (Sink, error) { return sink, nil }})
	s.run(3*time.Second, func(now time.Time) {
		switch now {
		case at(time.Second):
			s.pause(tr, now)
		case at(2 * time.Second):
			s.resume(tr, now)
		}
	})
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 150, true)

	if !sink.closed {
		t.Fatal("sink not closed")
	}
	next := int64(0)
	for _, f := range sink.frames {
		if f.Offset < 16000 && f.Offset+int64(len(f.Caller)) > 8000 {
			t.Fatalf("transcriber got audio at %d-%d, inside the pause", f.Offset, f.Offset+int64(len(f.Caller)))
		}
		if f.Offset == 8000 || f.Offset != next && f.Offset != 16000 {
			t.Fatalf("frame at %d, want %d", f.Offset, next)
		}
		if !f.Time.Equal(at(time.Duration(f.Offset) * 125 * time.Microsecond)) {
			t.Fatalf("frame at %d has time %v", f.Offset, f.Time)
		}
		want := callerTone.expected(int(f.Offset), int(f.Offset)+len(f.Caller))
		for i := range want {
			if f.Caller[i] != want[i] {
				t.Fatalf("transcriber sample %d differs", f.Offset+int64(i))
			}
		}
		next = f.Offset + int64(len(f.Caller))
	}
	if next != 3*SampleRate {
		t.Fatalf("transcriber got audio up to %d, want %d", next, 3*SampleRate)
	}
	if tsegs := s.segments().Transcription; len(tsegs) != 3 || tsegs[1].State != SegmentPaused {
		t.Fatalf("transcription spans = %+v", tsegs)
	}
}

func TestNotStartedUntilDriven(t *testing.T) {
	clock := &fakeClock{t: t0}
	r, err := NewRecorder(Config{Dir: t.TempDir(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	call, err := r.Open(context.Background(), "c", CallOptions{Start: t0, Recording: conversation.NotStarted})
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{t: t, clock: clock, rec: r, call: call}
	if st := call.State(rec); st != conversation.NotStarted {
		t.Fatalf("state = %s", st)
	}
	s.run(2*time.Second, func(now time.Time) {
		if now == at(time.Second) {
			drive(t, r, conversation.Drive{Capability: rec, Target: conversation.InProgress, At: now}, conversation.InProgress)
		}
	})
	s.stop()
	left, right := s.wav()
	checkFrames(t, left, right, 0, 50, false)
	checkFrames(t, left, right, 50, 100, true)
	if segs := s.segments().Segments; len(segs) != 2 || segs[0].State != SegmentNotStarted {
		t.Fatalf("segments = %+v", segs)
	}
}

func drive(t *testing.T, r *Recorder, d conversation.Drive, want conversation.State) {
	t.Helper()
	got, err := r.Drive(context.Background(), conversation.Conversation{ID: "c"}, d)
	if err != nil || got != want {
		t.Fatalf("Drive(%s %s) = %s, %v; want %s", d.Capability, d.Target, got, err, want)
	}
}

func TestDrive(t *testing.T) {
	clock := &fakeClock{t: t0}
	r, err := NewRecorder(Config{Dir: t.TempDir(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(context.Background(), "c", CallOptions{Start: t0}); err != nil {
		t.Fatal(err)
	}
	reasons := []conversation.Reason{{Kind: conversation.Hold, Since: t0}}
	drive(t, r, conversation.Drive{Capability: rec, Target: conversation.Paused, At: t0, Reasons: reasons}, conversation.Paused)
	drive(t, r, conversation.Drive{Capability: rec, Target: conversation.Paused, At: t0, Reasons: reasons}, conversation.Paused)
	drive(t, r, conversation.Drive{Capability: tr, Target: conversation.Paused, At: t0, Reasons: reasons}, conversation.Paused)
	drive(t, r, conversation.Drive{Capability: rec, Target: conversation.InProgress, At: t0}, conversation.InProgress)
	if st := r.Call("c").State(tr); st != conversation.Paused {
		t.Fatalf("transcription = %s after resuming recording", st)
	}
	drive(t, r, conversation.Drive{Capability: rec, Target: conversation.Stopped, At: t0}, conversation.Stopped)

	_, err = r.Drive(context.Background(), conversation.Conversation{ID: "c"},
		conversation.Drive{Capability: rec, Target: conversation.InProgress, At: t0})
	if !engine.IsPermanent(err) {
		t.Fatalf("resuming a stopped recording: %v, want a permanent error", err)
	}
	drive(t, r, conversation.Drive{Capability: tr, Target: conversation.Stopped, At: t0}, conversation.Stopped)
	if r.Call("c") != nil {
		t.Fatal("call still open after both capabilities stopped")
	}
	drive(t, r, conversation.Drive{Capability: rec, Target: conversation.Stopped, At: t0}, conversation.Stopped)

	_, err = r.Drive(context.Background(), conversation.Conversation{ID: "nope"},
		conversation.Drive{Capability: rec, Target: conversation.Paused, At: t0})
	if !engine.IsPermanent(err) {
		t.Fatalf("unknown conversation: %v, want a permanent error", err)
	}
}

func TestOpenNeverOverwrites(t *testing.T) {
	r, err := NewRecorder(Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Open(context.Background(), "../x/y", CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(context.Background(), "../x/y", CallOptions{}); err == nil {
		t.Fatal("second Open of a running conversation succeeded")
	}
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(context.Background(), "../x/y", CallOptions{}); err == nil {
		t.Fatal("Open replaced a finished recording")
	}
	wav, _ := r.Paths(c.ID())
	if _, err := os.Stat(wav); err != nil {
		t.Fatalf("recording not inside the directory: %v", err)
	}
}

func TestStopKeepsTheOtherCapabilityRetroactive(t *testing.T) {
	sink := &collector{}
	s := newSim(t, Config{Transcriber: func(context.Context, string, time.Time) (Sink, error) { return sink, nil }})
	s.run(3*time.Second, nil)
	if err := s.call.Stop(context.Background(), rec, s.now()); err != nil {
		t.Fatal(err)
	}
	if st := s.call.State(rec); st != conversation.Stopped {
		t.Fatalf("recording = %s after its stop", st)
	}
	if _, err := s.call.Pause(rec, s.now(), nil); err != ErrStopped {
		t.Fatalf("pausing a stopped recording: %v, want ErrStopped", err)
	}
	// Stopping the recording must not hand the transcriber the audio still
	// in the commit delay: a pause naming 1 s still reaches it.
	if got := s.pause(tr, at(time.Second)); !got.Equal(at(time.Second)) {
		t.Fatalf("transcription pause applies from %v, want 1s", got.Sub(t0))
	}
	s.run(4*time.Second, nil)
	s.stop()
	for _, f := range sink.frames {
		if f.Offset+int64(len(f.Caller)) > SampleRate {
			t.Fatalf("transcriber got audio at %d-%d, after the pause", f.Offset, f.Offset+int64(len(f.Caller)))
		}
	}
	left, right := s.wav()
	if len(left) != 3*SampleRate {
		t.Fatalf("WAV holds %d samples, want the 3 s before the stop", len(left))
	}
	checkExact(t, left, right, 0, 0, 3*SampleRate)
	if m := s.segments(); !m.Complete {
		t.Fatalf("segment map not complete: %+v", m)
	}
	if s.rec.Call(s.call.ID()) != nil {
		t.Fatal("call still open after both capabilities stopped")
	}
}

// The segment map calls a recording complete only when its WAV file was
// finalized: here the file is gone from under the writer, so its final
// header and sync fail.
func TestFailedFinalizeIsNotComplete(t *testing.T) {
	s := newSim(t, Config{})
	// At 7 s the first 2 s are committed and checkpointed: nothing is left
	// to write but the final header.
	s.run(7*time.Second, nil)
	s.call.mu.Lock()
	s.call.wav.f.Close()
	s.call.mu.Unlock()
	if err := s.call.Stop(context.Background(), rec, at(2*time.Second)); err == nil {
		t.Fatal("Stop reported success for a WAV it could not finalize")
	}
	if m := s.segments(); m.Complete {
		t.Fatalf("segment map says complete: %+v", m)
	}
}
