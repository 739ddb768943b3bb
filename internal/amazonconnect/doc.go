// Package amazonconnect adapts Amazon Connect to hush in both directions: it
// decodes the agent event stream (Kinesis records, or the same JSON posted by
// a forwarder) into hold, unhold and end inputs for conversations, and it
// drives Connect's contact recording API as an engine.Backend.
//
// The decoding half is pure: Decode turns bytes into an AgentEvent, and Plan
// compares that event with what the adapter remembers about the agent
// (Memory) to yield per-contact Actions. The Applier runs plans against the
// engine and stores each agent's memory once its actions are durable; it
// serves the Kinesis Consumer, the HTTP ingest route and the Lambda alike.
// The I/O lives in Backend (the recording API), Consumer (the Kinesis
// stream) and the store, where the adapter keeps agent memories, shard
// checkpoints and dead letters through store.AdapterState, store.Checkpoints
// and store.DeadLetters, encoding its own data (memories.go, deadletters.go).
package amazonconnect
