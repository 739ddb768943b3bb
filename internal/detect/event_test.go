package detect

import "testing"

func te(event uint8, end bool, dur uint16) []byte {
	b := []byte{event, 10, byte(dur >> 8), byte(dur)}
	if end {
		b[1] |= 0x80
	}
	return b
}

// One key press arrives as a start, updates and three end packets, all
// with the event's timestamp: it is one digit, counted once, ended once.
func TestEventsOneKeyPress(t *testing.T) {
	var s Events
	pkts := []struct {
		p []byte
	}{{te(5, false, 0)}, {te(5, false, 160)}, {te(5, false, 320)}, {te(5, true, 480)}, {te(5, true, 480)}, {te(5, true, 480)}}
	var news, ends int
	for _, p := range pkts {
		d, ok, err := s.Feed(8000, p.p)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		if d.Symbol != '5' || d.StartTS != 8000 {
			t.Errorf("digit %+v", d)
		}
		if d.New {
			news++
		}
		if d.End {
			ends++
			if d.Duration != 480 {
				t.Errorf("end duration %d", d.Duration)
			}
		}
	}
	if news != 1 || ends != 1 {
		t.Errorf("new %d, end %d: want one each", news, ends)
	}
}

func TestEventsSameKeyTwiceAndReorder(t *testing.T) {
	var s Events
	if d, ok, _ := s.Feed(1000, te(1, true, 400)); !ok || !d.New || !d.End {
		t.Fatalf("first: %+v %v", d, ok)
	}
	if d, ok, _ := s.Feed(3000, te(1, false, 0)); !ok || !d.New {
		t.Fatalf("second press of the same key: %+v %v", d, ok)
	}
	if _, ok, _ := s.Feed(1000, te(1, true, 400)); ok {
		t.Fatal("a late packet of the earlier press counted again")
	}
	// Timestamps wrap around.
	var w Events
	w.Feed(0xffffff00, te(2, true, 100))
	if d, ok, _ := w.Feed(0x00000100, te(3, false, 0)); !ok || !d.New || d.Symbol != '3' {
		t.Fatalf("after wrap: %+v %v", d, ok)
	}
}

func TestEventsRefusesNonKeysAndBadLengths(t *testing.T) {
	var s Events
	if _, _, err := s.Feed(0, te(16, false, 0)); err == nil {
		t.Error("flash (event 16) accepted as a key")
	}
	if _, _, err := s.Feed(0, []byte{1, 2, 3}); err == nil {
		t.Error("3-byte payload accepted")
	}
	keys := ""
	for e := range uint8(16) {
		sym, err := TelephoneEvent{Event: e}.Symbol()
		if err != nil {
			t.Fatal(err)
		}
		keys += string(sym)
	}
	if keys != "0123456789*#ABCD" {
		t.Errorf("keys %q", keys)
	}
}

func FuzzParseTelephoneEvent(f *testing.F) {
	f.Add([]byte{5, 0x8a, 1, 0xe0})
	f.Add([]byte{})
	f.Add([]byte{255, 255, 255, 255})
	f.Add([]byte{1, 2, 3, 4, 5})
	f.Fuzz(func(t *testing.T, p []byte) {
		var s Events
		d, ok, err := s.Feed(1, p)
		if err != nil && ok {
			t.Fatal("error and a digit")
		}
		if ok && (d.Symbol == 0 || !d.New) {
			t.Fatalf("first packet %+v not new", d)
		}
	})
}
