// Package demo is hush's traffic generator: a stand-in for an SBC that
// forks calls to the built-in recorder over SIPREC, with RTP on both
// streams, holds, secure payments and retroactive pauses. `hush demo` runs
// it so a newcomer sees conversations, pauses, recordings and transcripts
// at once; the load tool drives many of its calls at a time.
package demo
