// Package corpus builds test calls in which a caller reads or keys a card
// number among other numbers and ordinary talk, with the ground truth of
// where every card digit sounds, so the recorder's digit detectors can be
// scored on what reached the disk.
package corpus

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Rate is the sample rate of the calls.
const Rate = 8000

// How the card number is given.
const (
	Spoken      = "spoken"       // read aloud
	KeyedInband = "keyed-inband" // DTMF tones in the audio
	KeyedEvents = "keyed-events" // RFC 4733 telephone events beside the audio
)

// Condition is what a call of the corpus varies.
type Condition struct {
	Mode  string  `json:"mode"`
	Voice string  `json:"voice"` // espeak-ng voice
	Speed int     `json:"speed"` // words per minute
	Noise float64 `json:"noise"` // white noise level, dBm0; 0 for none
	Music bool    `json:"music"` // hold music before the payment
}

// Name identifies the condition in reports.
func (c Condition) Name() string {
	n := fmt.Sprintf("%s/%s/%dwpm", c.Mode, c.Voice, c.Speed)
	if c.Noise != 0 {
		n += fmt.Sprintf("/noise%.0f", c.Noise)
	}
	if c.Music {
		n += "/music"
	}
	return n
}

// Span kinds of the ground truth.
const (
	SpanCard  = "card"  // card digits: must never reach the recording
	SpanPhone = "phone" // a phone number: digits a detector may pause for
	SpanDate  = "date"
	SpanTalk  = "talk"
	SpanMusic = "music"
)

// Span is a stretch of the caller's stream, [Start, End) in samples.
type Span struct {
	Kind  string `json:"kind"`
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	Text  string `json:"text,omitempty"`
}

// Key is one key press sent as RFC 4733 telephone events.
type Key struct {
	Symbol byte  `json:"symbol"`
	Start  int64 `json:"start"`
	End    int64 `json:"end"`
}

// Truth is what a call holds, written beside its audio.
type Truth struct {
	ID        string    `json:"id"`
	Condition Condition `json:"condition"`
	Card      string    `json:"card"`
	Spans     []Span    `json:"spans"`
	Keys      []Key     `json:"keys,omitempty"`
	Samples   int64     `json:"samples"`
}

// Call is a generated call: both streams at Rate, and its truth.
type Call struct {
	Truth
	Caller, Agent []int16
}

// Conditions returns the corpus's grid: every mode, two voices, two
// speeds, clean and noisy, with and without hold music.
func Conditions() []Condition {
	var out []Condition
	for _, mode := range []string{Spoken, KeyedInband, KeyedEvents} {
		for _, voice := range []string{"en-us", "en-gb+f3"} {
			for _, speed := range []int{140, 190} {
				for _, noise := range []float64{0, -35} {
					out = append(out, Condition{Mode: mode, Voice: voice, Speed: speed, Noise: noise, Music: speed == 190})
				}
			}
		}
	}
	return out
}

// Speaker renders text as speech at Rate.
type Speaker interface {
	Say(text, voice string, speed int) ([]int16, error)
}

// Build generates call id under condition c; r decides every choice, so a
// seed rebuilds the same call.
func Build(id string, c Condition, sp Speaker, r *rand.Rand) (Call, error) {
	b := &builder{r: r, sp: sp, c: c}
	card := cardNumber(r)
	b.turn(agentLines[r.IntN(len(agentLines))])
	b.say(SpanTalk, pick(r, talkLines))
	b.turn("can I have a phone number for the account")
	b.say(SpanTalk, "it is")
	b.say(SpanPhone, spell(phoneNumber(r)))
	b.turn("and your date of birth")
	b.say(SpanDate, pick(r, dateLines))
	if c.Music {
		b.turn("please hold while I open the payment screen")
		b.music(3 + r.Float64()*3)
	}
	b.turn("please give me the long number on the card")
	switch c.Mode {
	case Spoken:
		b.say(SpanTalk, "sure, it is")
		b.say(SpanCard, spellGrouped(card))
	default:
		b.say(SpanTalk, "I will key it in now")
		b.keys(card)
	}
	b.turn("thank you, that has gone through")
	b.say(SpanTalk, pick(r, talkLines))
	if b.err != nil {
		return Call{}, b.err
	}
	b.pad(Rate / 2)
	call := Call{Truth: Truth{ID: id, Condition: c, Card: card, Spans: b.spans, Keys: b.keyLog, Samples: int64(len(b.caller))},
		Caller: b.caller, Agent: b.agent}
	if c.Noise != 0 {
		addNoise(call.Caller, c.Noise, r)
		addNoise(call.Agent, c.Noise, r)
	}
	return call, nil
}

// Write stores a call in dir/ID: caller.raw and agent.raw (16-bit little
// endian at Rate) and truth.json.
func (c Call) Write(dir string) error {
	d := filepath.Join(dir, c.ID)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	for name, pcm := range map[string][]int16{"caller.raw": c.Caller, "agent.raw": c.Agent} {
		if err := os.WriteFile(filepath.Join(d, name), encodePCM(pcm), 0o644); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(c.Truth, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(d, "truth.json"), b, 0o644)
}

// Read loads a call written by Write.
func Read(dir string) (Call, error) {
	var c Call
	b, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c.Truth); err != nil {
		return c, fmt.Errorf("%s: %w", dir, err)
	}
	for name, dst := range map[string]*[]int16{"caller.raw": &c.Caller, "agent.raw": &c.Agent} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return c, err
		}
		*dst = decodePCM(b)
	}
	return c, nil
}

var agentLines = []string{
	"good morning, thank you for calling, how can I help",
	"hello, you are through to payments, what can I do for you",
}

var talkLines = []string{
	"I would like to pay the balance on my account please",
	"the weather has been lovely this week, has it not",
	"I think that is everything, thank you very much",
	"could you tell me when the next bill will arrive",
}

var dateLines = []string{
	"the twelfth of March, nineteen eighty four",
	"fourth of July, two thousand and one",
	"the twenty third of November, nineteen seventy",
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

var digitWords = [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// spell reads digits one by one.
func spell(digits string) string {
	var w []string
	for _, d := range digits {
		w = append(w, digitWords[d-'0'])
	}
	return strings.Join(w, " ")
}

// spellGrouped reads a card number in groups of four, as people do.
func spellGrouped(digits string) string {
	var groups []string
	for i := 0; i < len(digits); i += 4 {
		groups = append(groups, spell(digits[i:min(i+4, len(digits))]))
	}
	return strings.Join(groups, ", ")
}

// cardNumber returns a 16-digit number that passes the Luhn check.
func cardNumber(r *rand.Rand) string {
	d := make([]byte, 16)
	d[0] = "3456"[r.IntN(4)]
	for i := 1; i < 15; i++ {
		d[i] = byte('0' + r.IntN(10))
	}
	sum := 0
	for i := 14; i >= 0; i-- {
		v := int(d[i] - '0')
		if (14-i)%2 == 0 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[15] = byte('0' + (10-sum%10)%10)
	return string(d)
}

func phoneNumber(r *rand.Rand) string {
	b := []byte("07")
	for range 9 {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return string(b)
}

func addNoise(pcm []int16, dBm0 float64, r *rand.Rand) {
	rms := 22300 * math.Pow(10, dBm0/20) / math.Sqrt2
	for i, v := range pcm {
		pcm[i] = clip(float64(v) + r.NormFloat64()*rms)
	}
}

func clip(v float64) int16 { return int16(max(-32768, min(32767, math.Round(v)))) }

func encodePCM(pcm []int16) []byte {
	b := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		b[2*i], b[2*i+1] = byte(v), byte(uint16(v)>>8)
	}
	return b
}

func decodePCM(b []byte) []int16 {
	pcm := make([]int16, len(b)/2)
	for i := range pcm {
		pcm[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
	}
	return pcm
}
