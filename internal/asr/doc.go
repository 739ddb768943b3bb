// Package asr transcribes the gated audio of the built-in recorder. The
// recorder hands each conversation's audio, frame by frame and only where
// the transcription gate is open, to a Transcriber sink; the sink cuts it
// into utterances per channel by energy, and a pool of workers passes them
// to an Engine. The transcript, segments on the conversation's timeline,
// is written beside the recording.
//
// The offline engine is pocketsphinx from Debian's packages, bound with
// cgo behind the build tag "pocketsphinx" so that the default build stays
// CGO-free. Without the tag the Energy engine finds the speech but
// transcribes no words.
//
// A DigitSpotter listens to a caller's stream before the recorder commits
// it and reports the digit words it hears in sequences, decoding them in
// context among common words, so that a run of them can pause the
// recording from the first digit. It needs pocketsphinx
// too: SpokenDigits says whether this build has it.
package asr
