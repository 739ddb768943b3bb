// Package jsonenc appends JSON without reflection, byte for byte as
// encoding/json writes it, for the few values hush encodes on every
// command. Whatever it does not write itself (a string that needs escaping,
// a map, a value of no hot path) it leaves to encoding/json, so the bytes
// are always those json.Marshal would write.
package jsonenc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Buffer is JSON being appended. Commas are its own business: a key or a
// value that is not the first of its object or array gets one before it.
type Buffer struct {
	b   []byte
	err error
}

// NewBuffer returns a Buffer that appends to b.
func NewBuffer(b []byte) *Buffer { return &Buffer{b: b} }

// Bytes returns the JSON appended, or the error json.Marshal would have
// returned for it.
func (e *Buffer) Bytes() ([]byte, error) { return e.b, e.err }

// sep writes the comma before a member or an element that follows another.
func (e *Buffer) sep() {
	if n := len(e.b); n > 0 {
		if c := e.b[n-1]; c != '{' && c != '[' && c != ':' {
			e.b = append(e.b, ',')
		}
	}
}

// Open starts an object.
func (e *Buffer) Open() {
	e.sep()
	e.b = append(e.b, '{')
}

// Close ends an object.
func (e *Buffer) Close() { e.b = append(e.b, '}') }

// OpenArray starts an array.
func (e *Buffer) OpenArray() {
	e.sep()
	e.b = append(e.b, '[')
}

// CloseArray ends an array.
func (e *Buffer) CloseArray() { e.b = append(e.b, ']') }

// Key starts a member; k needs no escaping (a field name).
func (e *Buffer) Key(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

// String writes s quoted. Only printable ASCII that JSON and its HTML-safe
// escaping leave alone is copied here; anything else goes to encoding/json.
func (e *Buffer) String(s string) {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			e.Marshal(s)
			return
		}
	}
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, s...)
	e.b = append(e.b, '"')
}

// Time writes t as time.Time's MarshalJSON does.
func (e *Buffer) Time(t time.Time) {
	e.sep()
	e.b = append(e.b, '"')
	var err error
	if e.b, err = t.AppendText(e.b); err != nil && e.err == nil {
		e.err = fmt.Errorf("encode time: %w", err)
	}
	e.b = append(e.b, '"')
}

// Bool writes v.
func (e *Buffer) Bool(v bool) {
	e.sep()
	e.b = strconv.AppendBool(e.b, v)
}

// Int writes v.
func (e *Buffer) Int(v int64) {
	e.sep()
	e.b = strconv.AppendInt(e.b, v, 10)
}

// Null writes null.
func (e *Buffer) Null() {
	e.sep()
	e.b = append(e.b, "null"...)
}

// Marshal writes what json.Marshal writes for v.
func (e *Buffer) Marshal(v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return
	}
	e.sep()
	e.b = append(e.b, raw...)
}

// Member helpers: each writes key k and its value, the ones named Omit*
// only when the value is not empty, as `json:",omitempty"` does.

// OmitString writes k and s unless s is empty.
func (e *Buffer) OmitString(k, s string) {
	if s != "" {
		e.Key(k)
		e.String(s)
	}
}

// StringMember writes k and s.
func (e *Buffer) StringMember(k, s string) {
	e.Key(k)
	e.String(s)
}

// TimeMember writes k and t.
func (e *Buffer) TimeMember(k string, t time.Time) {
	e.Key(k)
	e.Time(t)
}

// OmitZeroTime writes k and t unless t is zero, as `json:",omitzero"` does.
func (e *Buffer) OmitZeroTime(k string, t time.Time) {
	if !t.IsZero() {
		e.Key(k)
		e.Time(t)
	}
}

// OmitEmptyArray writes k and an array of n elements, elem(i) writing each
// (with Open/Close for an object), unless n is 0.
func (e *Buffer) OmitEmptyArray(k string, n int, elem func(i int)) {
	if n == 0 {
		return
	}
	e.Key(k)
	e.OpenArray()
	for i := range n {
		elem(i)
	}
	e.CloseArray()
}

// BoolMember writes k and v.
func (e *Buffer) BoolMember(k string, v bool) {
	e.Key(k)
	e.Bool(v)
}
