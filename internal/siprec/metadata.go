package siprec

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Metadata is the recording metadata of RFC 7865: who takes part in the
// recorded session and which stream carries whom.
type Metadata struct {
	// DataMode is "complete" or "partial" (an update naming only changes).
	DataMode     string        `json:"dataMode,omitempty"`
	Sessions     []Session     `json:"sessions,omitempty"`
	Participants []Participant `json:"participants,omitempty"`
	Streams      []MetaStream  `json:"streams,omitempty"`
}

// Session is a communication session being recorded.
type Session struct {
	ID string `json:"id"`
	// SIPSessionIDs are the Session-ID header values (RFC 7989) of the
	// recorded call.
	SIPSessionIDs []string `json:"sipSessionIds,omitempty"`
	StartTime     string   `json:"startTime,omitempty"`
	StopTime      string   `json:"stopTime,omitempty"`
}

// Participant is a party of the recorded session.
type Participant struct {
	ID   string   `json:"id"`
	AORs []string `json:"aors,omitempty"` // addresses of record, e.g. sip:alice@example.com
	Name string   `json:"name,omitempty"`
	// Send and Recv list the ids of the streams the participant sends and
	// receives.
	Send []string `json:"send,omitempty"`
	Recv []string `json:"recv,omitempty"`
}

// MetaStream is a recorded media stream; Label matches an SDP a=label.
type MetaStream struct {
	ID        string `json:"id"`
	SessionID string `json:"sessionId,omitempty"`
	Label     string `json:"label,omitempty"`
}

// Stream returns the metadata stream with the given id.
func (m Metadata) Stream(id string) (MetaStream, bool) {
	i := slices.IndexFunc(m.Streams, func(s MetaStream) bool { return s.ID == id })
	if i < 0 {
		return MetaStream{}, false
	}
	return m.Streams[i], true
}

// The XML shapes, written to accept both RFC 7865 and the earlier drafts
// that SBCs still send: ids as participant_id/stream_id/session_id or as
// id/session attributes, send/recv inside <participant> or in
// <participantstreamassoc>, AORs as a nameID attribute or an <aor>
// element. Names match in any namespace, since vendors disagree on it.
type xmlRecording struct {
	XMLName      xml.Name         `xml:"recording"`
	DataMode     string           `xml:"datamode"`
	Sessions     []xmlSession     `xml:"session"`
	Participants []xmlParticipant `xml:"participant"`
	Streams      []xmlStream      `xml:"stream"`
	Assocs       []xmlAssoc       `xml:"participantstreamassoc"`
}

type xmlSession struct {
	SessionID     string   `xml:"session_id,attr"`
	ID            string   `xml:"id,attr"`
	SIPSessionIDs []string `xml:"sipSessionID"`
	StartTime     string   `xml:"start-time"`
	StopTime      string   `xml:"stop-time"`
}

type xmlParticipant struct {
	ParticipantID string      `xml:"participant_id,attr"`
	ID            string      `xml:"id,attr"`
	NameIDs       []xmlNameID `xml:"nameID"`
	AORs          []string    `xml:"aor"`
	Names         []string    `xml:"name"`
	Send          []string    `xml:"send"`
	Recv          []string    `xml:"recv"`
}

type xmlNameID struct {
	AOR   string   `xml:"aor,attr"`
	Names []string `xml:"name"`
}

type xmlStream struct {
	StreamID  string `xml:"stream_id,attr"`
	ID        string `xml:"id,attr"`
	SessionID string `xml:"session_id,attr"`
	Session   string `xml:"session,attr"`
	Label     string `xml:"label"`
}

type xmlAssoc struct {
	ParticipantID string   `xml:"participant_id,attr"`
	ID            string   `xml:"id,attr"`
	Send          []string `xml:"send"`
	Recv          []string `xml:"recv"`
}

// ParseMetadata parses an application/rs-metadata+xml body. Malformed XML,
// or a document that is not a <recording>, is a 400 error.
func ParseMetadata(b []byte) (Metadata, error) {
	if len(b) > MaxBodySize {
		return Metadata{}, malformed("metadata of %d bytes", len(b))
	}
	var doc xmlRecording
	d := xml.NewDecoder(bytes.NewReader(b))
	d.CharsetReader = charsetReader
	if err := d.Decode(&doc); err != nil {
		return Metadata{}, malformed("recording metadata: %v", err)
	}
	m := Metadata{DataMode: clean(doc.DataMode)}
	for _, s := range doc.Sessions {
		m.Sessions = append(m.Sessions, Session{
			ID: first(s.SessionID, s.ID), SIPSessionIDs: cleanAll(s.SIPSessionIDs),
			StartTime: clean(s.StartTime), StopTime: clean(s.StopTime),
		})
	}
	for _, s := range doc.Streams {
		m.Streams = append(m.Streams, MetaStream{
			ID: first(s.StreamID, s.ID), SessionID: first(s.SessionID, s.Session), Label: clean(s.Label),
		})
	}
	for _, xp := range doc.Participants {
		m.Participants = append(m.Participants, participant(xp))
	}
	for _, a := range doc.Assocs {
		id := first(a.ParticipantID, a.ID)
		i := slices.IndexFunc(m.Participants, func(p Participant) bool { return p.ID == id })
		if i < 0 {
			m.Participants = append(m.Participants, Participant{ID: id})
			i = len(m.Participants) - 1
		}
		p := &m.Participants[i]
		p.Send = appendNew(p.Send, cleanAll(a.Send)...)
		p.Recv = appendNew(p.Recv, cleanAll(a.Recv)...)
	}
	return m, nil
}

func participant(xp xmlParticipant) Participant {
	p := Participant{ID: first(xp.ParticipantID, xp.ID)}
	for _, n := range xp.NameIDs {
		p.AORs = appendNew(p.AORs, cleanAll([]string{n.AOR})...)
		if p.Name == "" {
			p.Name = first(n.Names...)
		}
	}
	p.AORs = appendNew(p.AORs, cleanAll(xp.AORs)...)
	if p.Name == "" {
		p.Name = first(xp.Names...)
	}
	p.Send = cleanAll(xp.Send)
	p.Recv = cleanAll(xp.Recv)
	return p
}

// charsetReader accepts the encodings SBCs declare besides UTF-8.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	case "iso-8859-1", "latin1", "latin-1":
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		out := make([]byte, 0, len(b))
		for _, c := range b {
			out = utf8.AppendRune(out, rune(c))
		}
		return bytes.NewReader(out), nil
	}
	return nil, fmt.Errorf("unsupported encoding %q", label)
}

func clean(s string) string { return strings.TrimSpace(s) }

// cleanAll trims each value and drops the empty ones.
func cleanAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = clean(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// first returns the first non-empty value, trimmed.
func first(vs ...string) string {
	for _, v := range vs {
		if v = clean(v); v != "" {
			return v
		}
	}
	return ""
}

func appendNew(dst []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(dst, v) {
			dst = append(dst, v)
		}
	}
	return dst
}
