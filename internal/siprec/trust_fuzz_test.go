package siprec

import (
	"context"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/time/rate"
	"pgregory.net/rapid"
)

func FuzzParseAllow(f *testing.F) {
	f.Add("10.0.0.0/8, 192.0.2.7")
	f.Fuzz(func(t *testing.T, s string) {
		list, err := ParseAllow(s)
		if err != nil {
			if Status(err) != StatusBadRequest {
				t.Fatalf("error with status %d: %v", Status(err), err)
			}
			return
		}
		for _, p := range list {
			if !p.IsValid() || p != p.Masked() {
				t.Fatalf("prefix %v from %q is not canonical", p, s)
			}
		}
		again, err := ParseAllow(joinPrefixes(list))
		if err != nil || len(again) != len(list) {
			t.Fatalf("%v does not parse back: %v, %v", list, again, err)
		}
	})
}

func joinPrefixes(list []netip.Prefix) string {
	var b strings.Builder
	for i, p := range list {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// recordSink keeps the records a handler passes on.
type recordSink struct{ records []slog.Record }

func (s *recordSink) Enabled(context.Context, slog.Level) bool { return true }
func (s *recordSink) Handle(_ context.Context, r slog.Record) error {
	s.records = append(s.records, r.Clone())
	return nil
}
func (s *recordSink) WithAttrs([]slog.Attr) slog.Handler { return s }
func (s *recordSink) WithGroup(string) slog.Handler      { return s }

// Whatever a peer puts in a record, what reaches the log holds at most
// maxLogRecord bytes of message, keys and values, as valid UTF-8.
func TestBoundedLogRecordProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sink := &recordSink{}
		log := slog.New(&boundedHandler{next: sink, state: &boundedState{lim: rate.NewLimiter(rate.Inf, 1)}})
		msg := rapid.String().Draw(t, "msg")
		n := rapid.IntRange(0, 6).Draw(t, "attrs")
		args := []any{}
		for i := range n {
			args = append(args, rapid.StringMatching(`[a-z]{1,8}`).Draw(t, "key"), rapid.OneOf(
				rapid.Map(rapid.String(), func(s string) any { return s }),
				rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) any { return string(b) + strings.Repeat("x", i*200) }),
				rapid.Map(rapid.Int(), func(v int) any { return v }),
			).Draw(t, "value"))
		}
		log.Info(msg, args...)
		if len(sink.records) != 1 {
			t.Fatalf("%d records", len(sink.records))
		}
		r := sink.records[0]
		size := len(r.Message)
		ok := utf8.ValidString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "truncated" {
				return true
			}
			size += len(a.Key) + len(a.Value.String())
			ok = ok && utf8.ValidString(a.Value.String())
			return true
		})
		if size > maxLogRecord || !ok {
			t.Fatalf("record of %d bytes (valid UTF-8: %v)", size, ok)
		}
	})
}
