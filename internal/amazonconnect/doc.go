// Package amazonconnect adapts Amazon Connect to hush in both directions: it
// decodes the agent event stream (Kinesis records, or the same JSON posted by
// a forwarder) into hold, unhold and end inputs for conversations, and it
// drives Connect's contact recording API as an engine.Backend.
//
// The decoding half is pure: Decode turns bytes into an AgentEvent, and Plan
// compares that event with what the adapter remembers about the agent
// (Memory) to yield per-contact Actions. The I/O lives in Backend (the
// recording API) and Consumer (the Kinesis stream).
package amazonconnect
