package demo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/zaf/g711"

	"github.com/hush-cc/hush/internal/media"
)

// dialogue is what the demo's caller and agent say, in turns.
var dialogue = [][2]string{
	{"", "good morning, thank you for calling, how can I help you today"},
	{"hello, I would like to pay my electricity bill please", ""},
	{"", "certainly, can I have your account number"},
	{"yes, my account number is four four two one seven", ""},
	{"", "thank you, I will take the payment now, please enter your card"},
	{"my card number is four one one one, one one one one, one one one one", ""},
	{"", "the payment went through, is there anything else"},
	{"no, thank you, goodbye", ""},
}

// Voices returns the caller's and the agent's side of a looped
// conversation as PCMU at 8 kHz, both the same length, and says where the
// audio came from: speech synthesized with espeak-ng when it is installed,
// Debian's pocketsphinx test recordings else, tones as a last resort.
func Voices(ctx context.Context, dir string) (caller, agent []byte, source string) {
	if c, a, err := spoken(ctx, dir); err == nil {
		return ulaw(c), ulaw(a), "espeak-ng"
	}
	if c, a, err := recorded(); err == nil {
		return ulaw(c), ulaw(a), "pocketsphinx-testdata"
	}
	c, a := tones()
	return ulaw(c), ulaw(a), "tones"
}

// spoken synthesizes the dialogue, turn by turn.
func spoken(ctx context.Context, dir string) ([]int16, []int16, error) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		return nil, nil, err
	}
	var turns [][]int16
	for i, turn := range dialogue {
		text, voice := turn[0], "en-us+m3"
		if text == "" {
			text, voice = turn[1], "en-us+f3"
		}
		path := filepath.Join(dir, fmt.Sprintf("turn-%d.wav", i))
		cmd := exec.CommandContext(ctx, "espeak-ng", "-v", voice, "-s", "150", "-w", path, text)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("espeak-ng: %v: %s", err, out)
		}
		pcm, rate, err := readWAV(path)
		if err != nil {
			return nil, nil, err
		}
		turns = append(turns, resample(pcm, rate, media.SampleRate))
	}
	c, a := interleave(turns, func(i int) bool { return dialogue[i][0] != "" })
	return c, a, nil
}

// recorded uses Debian's pocketsphinx test recordings (16 kHz).
func recorded() ([]int16, []int16, error) {
	const dir = "/usr/share/pocketsphinx/test/data/"
	var turns [][]int16
	for _, f := range []string{"goforward.raw", "something.raw", "numbers.raw"} {
		b, err := os.ReadFile(dir + f)
		if err != nil {
			return nil, nil, err
		}
		pcm := make([]int16, len(b)/2)
		for i := range pcm {
			pcm[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
		}
		turns = append(turns, resample(pcm, 16000, media.SampleRate))
	}
	c, a := interleave(turns, func(i int) bool { return i%2 == 1 })
	return c, a, nil
}

// tones alternate a low and a high beep, a second each.
func tones() ([]int16, []int16) {
	beep := func(freq float64) []int16 {
		out := make([]int16, media.SampleRate)
		for i := range out {
			out[i] = int16(5000 * math.Sin(2*math.Pi*freq*float64(i)/media.SampleRate))
		}
		return out
	}
	return interleave([][]int16{beep(440), beep(620), beep(440), beep(620)}, func(i int) bool { return i%2 == 0 })
}

// interleave lays the turns end to end, each on its speaker's side with
// silence on the other, and a short gap between turns.
func interleave(turns [][]int16, isCaller func(int) bool) (caller, agent []int16) {
	gap := make([]int16, media.SampleRate*6/10)
	for i, t := range turns {
		quiet := make([]int16, len(t))
		if isCaller(i) {
			caller, agent = append(caller, t...), append(agent, quiet...)
		} else {
			caller, agent = append(caller, quiet...), append(agent, t...)
		}
		caller, agent = append(caller, gap...), append(agent, gap...)
	}
	return caller, agent
}

// ulaw encodes pcm as PCMU, padded to whole packets.
func ulaw(pcm []int16) []byte {
	n := (len(pcm) + packetSamples - 1) / packetSamples * packetSamples
	out := make([]byte, n)
	for i := range out {
		var v int16
		if i < len(pcm) {
			v = pcm[i]
		}
		out[i] = g711.EncodeUlawFrame(v)
	}
	return out
}

// resample converts pcm from rate to the target rate: a moving-average
// low-pass against aliasing, then linear interpolation.
func resample(pcm []int16, rate, target int) []int16 {
	if rate == target || len(pcm) == 0 {
		return pcm
	}
	smooth := pcm
	if rate > target {
		w := max(1, rate/target)
		smooth = make([]int16, len(pcm))
		var sum int
		for i := range pcm {
			sum += int(pcm[i])
			if i >= w {
				sum -= int(pcm[i-w])
			}
			smooth[i] = int16(sum / min(i+1, w))
		}
	}
	n := len(pcm) * target / rate
	out := make([]int16, n)
	for i := range out {
		x := float64(i) * float64(rate) / float64(target)
		j := int(x)
		f := x - float64(j)
		a, b := float64(smooth[j]), float64(smooth[min(j+1, len(smooth)-1)])
		out[i] = int16(a + f*(b-a))
	}
	return out
}

// readWAV reads a mono 16-bit PCM WAV file.
func readWAV(path string) ([]int16, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	info, err := media.ReadWAVInfo(bytes.NewReader(b))
	if err != nil {
		return nil, 0, err
	}
	if info.Bits != 16 || info.Channels != 1 {
		return nil, 0, fmt.Errorf("%s: want mono 16-bit", path)
	}
	end := info.DataOffset + info.DataSize
	if info.DataSize == 0 || end > int64(len(b)) {
		end = int64(len(b)) // espeak-ng writing to a file leaves the size 0 when it cannot seek
	}
	data := b[info.DataOffset:end]
	pcm := make([]int16, len(data)/2)
	if err := binary.Read(bytes.NewReader(data[:2*len(pcm)]), binary.LittleEndian, pcm); err != nil && err != io.EOF {
		return nil, 0, err
	}
	return pcm, info.SampleRate, nil
}
