package corpus

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/hush-cc/hush/internal/detect"
)

func build(t *testing.T, c Condition, seed uint64) Call {
	t.Helper()
	call, err := Build("c1", c, &Espeak{Ctx: context.Background(), Dir: t.TempDir()}, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return call
}

// The card number is valid, the truth names one card span, spans lie
// inside the call in order, and both streams are as long as the call.
func TestBuildSpokenCall(t *testing.T) {
	c := build(t, Condition{Mode: Spoken, Voice: "en-us", Speed: 160, Music: true}, 7)
	if len(c.Card) != 16 || !luhn(c.Card) {
		t.Errorf("card %q fails the Luhn check", c.Card)
	}
	if int64(len(c.Caller)) != c.Samples || len(c.Agent) != len(c.Caller) {
		t.Fatalf("streams %d/%d, truth %d", len(c.Caller), len(c.Agent), c.Samples)
	}
	kinds := map[string]int{}
	var last int64
	for _, s := range c.Spans {
		kinds[s.Kind]++
		if s.Start < last || s.End <= s.Start || s.End > c.Samples {
			t.Errorf("span %+v out of order or bounds", s)
		}
		last = s.End
	}
	for _, k := range []string{SpanCard, SpanPhone, SpanDate, SpanTalk, SpanMusic} {
		if kinds[k] == 0 {
			t.Errorf("no %s span in %v", k, kinds)
		}
	}
	if kinds[SpanCard] != 1 {
		t.Errorf("%d card spans", kinds[SpanCard])
	}
}

// Keyed in band, the detector hears exactly the card number, each key
// inside the truth's card span.
func TestBuildKeyedCallIsHeard(t *testing.T) {
	c := build(t, Condition{Mode: KeyedInband, Voice: "en-gb+f3", Speed: 190, Noise: -35}, 3)
	d := detect.NewDTMF(detect.DefaultDTMF())
	var heard []byte
	for i := 0; i < len(c.Caller); i += 160 {
		for _, e := range d.Feed(int64(i), c.Caller[i:min(i+160, len(c.Caller))]) {
			if !e.Final {
				heard = append(heard, e.Symbol)
			}
		}
	}
	if string(heard) != c.Card {
		t.Fatalf("heard %q, card %q", heard, c.Card)
	}
	if len(c.Keys) != 16 {
		t.Fatalf("%d keys logged", len(c.Keys))
	}
}

func TestWriteRead(t *testing.T) {
	c := build(t, Condition{Mode: KeyedEvents, Voice: "en-us", Speed: 140}, 5)
	dir := t.TempDir()
	if err := c.Write(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir + "/c1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Fatal("read back a different call")
	}
}

func luhn(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		v := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}
