package main

import (
	"flag"
	"time"

	"github.com/hush-cc/hush/internal/detect"
	"github.com/hush-cc/hush/internal/server"
)

// recorderFlags defines the built-in recorder's flags.
func recorderFlags(fs *flag.FlagSet, c *server.RecorderConfig) {
	fs.StringVar(&c.SIPListen, "sip-listen", "", "SIPREC listen address (UDP and TCP), e.g. 127.0.0.1:5060: enables the recorder")
	fs.StringVar(&c.RTPPorts, "rtp-ports", "30000-30999", "UDP port range for RTP (each stream takes an even/odd pair)")
	fs.StringVar(&c.RTPAddress, "rtp-address", "", "address RTP is received on and SDP answers announce (default: the --sip-listen host)")
	fs.StringVar(&c.AgentPattern, "sip-agent-pattern", server.DefaultAgentPattern, "regular expression on participant AORs that picks the agent; the agentId is its (?P<agent>...) group, else its first group, else the AOR's user part")
	fs.StringVar(&c.Policy, "pause-policy", "silence", "what paused spans become in recordings: silence (keeps the timeline) or gap (removed)")
	fs.StringVar(&c.ASR, "asr", "auto", "transcription engine: auto (pocketsphinx if built in and installed, else energy), pocketsphinx, energy (speech segments, no words), none")
	fs.StringVar(&c.SIPTLSListen, "sip-tls-listen", "", "SIP over TLS listen address, e.g. 0.0.0.0:5061 (needs --sip-listen, --sip-tls-cert and --sip-tls-key)")
	fs.StringVar(&c.SIPTLSCert, "sip-tls-cert", "", "PEM certificate chain of the SIP over TLS listener")
	fs.StringVar(&c.SIPTLSKey, "sip-tls-key", "", "PEM private key of the SIP over TLS listener")
	fs.StringVar(&c.SIPTLSClientCA, "sip-tls-client-ca", "", "PEM file of the CAs that sign your SBCs' client certificates: TLS clients without one are refused")
	fs.StringVar(&c.SIPAllow, "sip-allow", "", "comma-separated addresses or CIDR prefixes allowed to open recording sessions (others get 403); empty allows any source")
	fs.BoolVar(&c.SIPStrict, "siprec-strict", false, "refuse INVITEs without Require: siprec or a +sip.src Contact, even when they carry recording metadata")
	fs.StringVar(&c.SRTP, "srtp", "optional", "media transport: off (plain RTP only), optional (SDES-SRTP or plain RTP), required (SDES-SRTP only; a plain offer gets 488)")
	fs.BoolVar(&c.LatchRTP, "rtp-latch", false, "take each stream's RTP from the first source it comes from instead of the address its SDP names (SBCs behind NAT)")
	fs.DurationVar(&c.RTPTimeout, "rtp-timeout", 60*time.Second, "end a call as media-timeout when no RTP arrives on any sending stream for this long (0: never)")
	fs.IntVar(&c.ASRWorkers, "asr-workers", 0, "concurrent transcriptions (0: one per CPU)")
	fs.BoolVar(&c.Digits, "detect-digits", true, "pause recording and transcription by themselves when a caller keys a card number: DTMF tones and RFC 4733 events; "+server.SpokenDigitsNote)
	fs.IntVar(&c.DigitRun, "digit-run", 4, "card digits within --digit-window that make a run and pause")
	fs.DurationVar(&c.DigitWindow, "digit-window", 5*time.Second, "span in which --digit-run digits must start")
	fs.DurationVar(&c.DigitGuard, "digit-guard", 300*time.Millisecond, "how long before the first digit an automatic pause starts")
	fs.DurationVar(&c.DigitQuiet, "digit-quiet", 4*time.Second, "time without a digit that ends an automatic pause")
	fs.BoolVar(&c.MaskTones, "mask-tones", true, "write DTMF tones as silence even when they make no run")
	spoken := detect.DefaultSpokenRunPolicy()
	fs.BoolVar(&c.SpokenDigits, "detect-spoken-digits", false, "with --detect-digits, also pause for card digits read aloud on the caller's stream (off by default: it misses some card digits read aloud and pauses much ordinary talk, see docs/RECORDER.md): "+server.SpokenDigitsNote)
	fs.StringVar(&c.SpokenDigitModel, "spoken-digit-model", "", "pocketsphinx acoustic model directory of the spoken-digit spotter (default: Debian's en-us, a 16 kHz model; an 8 kHz telephone model hears card digits read aloud far better, see docs/RECORDER.md); in builds that spot digits read aloud, hush does not start if it does not load")
	fs.IntVar(&c.SpokenDigitRun, "spoken-digit-run", spoken.MinDigits, "spoken digits within --spoken-digit-window that make a run and pause")
	fs.DurationVar(&c.SpokenDigitWindow, "spoken-digit-window", spoken.Window, "span in which --spoken-digit-run spoken digits must start")
	fs.DurationVar(&c.SpokenDigitGuard, "spoken-digit-guard", spoken.Guard, "how long before the first spoken digit an automatic pause starts")
	fs.DurationVar(&c.SpokenDigitQuiet, "spoken-digit-quiet", spoken.Quiet, "time without a spoken digit that ends an automatic pause")
}
