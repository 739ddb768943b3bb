package media

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"time"
)

// SegmentLost marks a stretch of the call the recorder was not there to
// record: it stopped (crashed or was killed) and was restarted.
const SegmentLost = "lost"

// Interrupted is the segment map's end reason for a recording the
// recorder's restart closed.
const Interrupted = "recorder-restarted"

// Recover closes, truthfully, the files of conversation id that an
// earlier run of the recorder left open when it stopped: the WAV header is
// repaired to the whole sample frames on disk, and the segment map,
// marked incomplete, accounts for them and ends with a lost span from the
// last audio written to at, the restart. A recording already complete is
// left alone.
func (r *Recorder) Recover(id string, at time.Time) error {
	if r.Call(id) != nil {
		return fmt.Errorf("media: conversation %q is recording", id)
	}
	wavPath, mapPath := r.Paths(id)
	m, err := ReadSegmentMap(mapPath)
	if err != nil {
		return fmt.Errorf("media: recover %s: %w", id, err)
	}
	if m.Complete || m.EndReason != "" {
		return removeJournal(mapPath)
	}
	start, err := time.Parse(timeLayout, m.Start)
	if err != nil {
		return fmt.Errorf("media: recover %s: segment map start: %w", id, err)
	}
	frames, err := repairWAV(wavPath)
	if err != nil {
		return fmt.Errorf("media: recover %s: %w", id, err)
	}
	tl := timeline{start: start}
	m.Segments = fitSegments(m.Segments, frames)
	end := int64(0)
	if n := len(m.Segments); n > 0 {
		end = m.Segments[n-1].EndSample
	}
	restart := max(tl.floor(at), end)
	m.Segments = append(m.Segments, Segment{Span: lostSpan(tl, end, restart), WAVStart: frames, WAVEnd: frames})
	if m.Transcription != nil {
		trEnd := int64(0)
		if n := len(m.Transcription); n > 0 {
			trEnd = m.Transcription[n-1].EndSample
		}
		m.Transcription = append(m.Transcription, lostSpan(tl, trEnd, max(restart, trEnd)))
	}
	m.WAVSamples, m.DurationMs = frames, ms(restart)
	m.Complete, m.EndReason = false, Interrupted
	if err := writeJSON(mapPath, m, true); err != nil {
		return err
	}
	if err := syncDir(r.dir); err != nil {
		return err
	}
	return removeJournal(mapPath)
}

// fitSegments makes segs cover exactly the first frames frames of the
// WAV: audio written after the map was last brought up to date extends
// its last segment (between map writes only that segment's end moves), and
// segments beyond what reached the disk are cut back.
func fitSegments(segs []Segment, frames int64) []Segment {
	segs = slices.Clone(segs)
	for len(segs) > 0 {
		last := &segs[len(segs)-1]
		audio := last.WAVEnd > last.WAVStart
		switch {
		case audio && last.WAVStart >= frames:
			segs = segs[:len(segs)-1] // none of its audio reached the disk
		case last.WAVEnd > frames:
			d := last.WAVEnd - frames
			last.WAVEnd, last.EndSample = frames, last.EndSample-d
			return segs
		case audio:
			d := frames - last.WAVEnd
			last.WAVEnd, last.EndSample = frames, last.EndSample+d
			return segs
		default:
			// A gap last: where audio written after it belongs on the
			// timeline was never mapped, so it stays unmapped.
			return segs
		}
	}
	return segs
}

func lostSpan(tl timeline, from, to int64) Span {
	return Span{
		State: SegmentLost, StartSample: from, EndSample: to, StartMs: ms(from), EndMs: ms(to),
		Start: tl.time(from).UTC().Format(timeLayout), End: tl.time(to).UTC().Format(timeLayout),
	}
}

// repairWAV rewrites the header of the WAV file at path to cover the whole
// sample frames after it, dropping a partial frame, and syncs it. It
// returns the frames.
func repairWAV(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("repair wav: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("repair wav: %w", err)
	}
	if fi.Size() < wavHeaderSize {
		return 0, errors.New("repair wav: shorter than its header")
	}
	data := (fi.Size() - wavHeaderSize) / wavBlockAlign * wavBlockAlign
	data = min(data, int64(wavMaxData)/wavBlockAlign*wavBlockAlign)
	if err := f.Truncate(wavHeaderSize + data); err != nil {
		return 0, fmt.Errorf("repair wav: %w", err)
	}
	if _, err := f.WriteAt(wavHeader(data), 0); err != nil {
		return 0, fmt.Errorf("repair wav header: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("repair wav: %w", err)
	}
	return data / wavBlockAlign, nil
}
