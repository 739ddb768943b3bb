package media

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// A call's segment map is written whole when the call opens and when it
// ends. In between, each checkpoint appends to a journal beside it only
// what changed: the segments from the last one the map or the journal
// already held (whose end may have moved) on. Appending to an open file
// costs a write; rewriting the map and renaming it over the old one cost
// a create and a rename in a directory every call shares. A checkpoint
// cut short by a crash leaves a torn last line, which readers ignore.

// mapUpdate is one line of a segment map's journal.
type mapUpdate struct {
	DurationMs int64 `json:"durationMs"`
	WAVSamples int64 `json:"wavSamples"`
	// Segments replace the map's segments from index From on.
	From     int       `json:"from"`
	Segments []Segment `json:"segments"`
	// Transcription, when the call is transcribed, replaces the map's
	// transcription spans from index TrFrom on.
	TrFrom        int    `json:"trFrom,omitempty"`
	Transcription []Span `json:"transcription,omitempty"`
}

// journalPath returns where the journal of the segment map at mapPath is.
func journalPath(mapPath string) string { return mapPath + ".journal" }

// appendJournal appends to the journal what changed in the segment map
// since it was last written or journaled. Called with c.mu held.
func (c *Call) appendJournal() error {
	_, mapPath := c.rec.Paths(c.id)
	if c.journal == nil {
		f, err := os.OpenFile(journalPath(mapPath), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			return fmt.Errorf("open segment map journal: %w", err)
		}
		c.journal = f
	}
	u := mapUpdate{
		DurationMs: ms(c.ring.base),
		WAVSamples: c.wav.Frames(),
		From:       max(c.mapRec-1, 0),
	}
	u.Segments = c.recLog.renderFrom(u.From)
	if c.sink != nil {
		u.TrFrom = max(c.mapTr-1, 0)
		u.Transcription = spansOf(c.trLog.renderFrom(u.TrFrom))
	}
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode segment map journal: %w", err)
	}
	c.mapAt, c.mapRec, c.mapTr = c.ring.base, len(c.recLog.segs), len(c.trLog.segs)
	if _, err := c.journal.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write segment map journal: %w", err)
	}
	return nil
}

// closeJournal closes the journal file, if it is open. Called with c.mu
// held.
func (c *Call) closeJournal() error {
	if c.journal == nil {
		return nil
	}
	err := c.journal.Close()
	c.journal = nil
	if err != nil {
		return fmt.Errorf("close segment map journal: %w", err)
	}
	return nil
}

// dropJournal closes and removes the journal, once the segment map it
// updated has been written whole. Called with c.mu held.
func (c *Call) dropJournal() error {
	err := c.closeJournal()
	_, mapPath := c.rec.Paths(c.id)
	return errors.Join(err, removeJournal(mapPath))
}

// removeJournal removes the journal of the segment map at mapPath, if
// there is one.
func removeJournal(mapPath string) error {
	if err := os.Remove(journalPath(mapPath)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove segment map journal: %w", err)
	}
	return nil
}

// ReadJournal decodes a journal's lines, one JSON value each, and passes
// them to apply in order, until apply returns false or a line does not
// decode (the torn end of a write a crash cut short).
func ReadJournal[T any](journal []byte, apply func(T) bool) {
	sc := bufio.NewScanner(bytes.NewReader(journal))
	sc.Buffer(nil, len(journal)+1)
	for sc.Scan() {
		var v T
		if json.Unmarshal(sc.Bytes(), &v) != nil || !apply(v) {
			return
		}
	}
}

// applyJournal brings m up to date with the journal lines that are newer
// than it, stopping at the first line that does not read. It reports
// whether m changed.
func applyJournal(m *SegmentMap, journal []byte) bool {
	changed := false
	ReadJournal(journal, func(u mapUpdate) bool {
		if u.From > len(m.Segments) || u.TrFrom > len(m.Transcription) {
			return false
		}
		if u.DurationMs <= m.DurationMs {
			return true // the map was written after this line
		}
		m.DurationMs, m.WAVSamples = u.DurationMs, u.WAVSamples
		m.Segments = append(m.Segments[:u.From], u.Segments...)
		if len(u.Transcription) > 0 {
			m.Transcription = append(m.Transcription[:u.TrFrom], u.Transcription...)
		}
		changed = true
		return true
	})
	return changed
}

// readJournaled reads the segment map at path and applies its journal,
// if it has one. raw is the file as it was, nil when the journal changed
// it.
func readJournaled(path string) (m SegmentMap, raw []byte, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return m, nil, fmt.Errorf("read segment map: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, nil, fmt.Errorf("parse segment map %s: %w", filepath.Base(path), err)
	}
	j, err := os.ReadFile(journalPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return m, b, nil
	}
	if err != nil {
		return m, nil, fmt.Errorf("read segment map journal: %w", err)
	}
	if !applyJournal(&m, j) {
		return m, b, nil
	}
	return m, nil, nil
}

// SegmentMapJSON returns conversation id's segment map as a document, up
// to date with its journal while the call runs.
func (r *Recorder) SegmentMapJSON(id string) ([]byte, error) {
	_, path := r.Paths(id)
	m, raw, err := readJournaled(path)
	if err != nil || raw != nil {
		return raw, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode segment map: %w", err)
	}
	return append(b, '\n'), nil
}
