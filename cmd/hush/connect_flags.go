package main

import (
	"flag"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/server"
)

// connectFlags defines the Amazon Connect adapter's flags.
func connectFlags(fs *flag.FlagSet, c *server.ConnectConfig) {
	fs.StringVar(&c.InstanceARN, "connect-instance-arn", "", "Amazon Connect instance ARN: enables the Connect recording backend and POST /v1/ingest/connect/agent-events")
	fs.StringVar(&c.KinesisStream, "kinesis-stream", "", "Kinesis stream (name or ARN) of Connect agent events: enables the consumer (needs --connect-instance-arn)")
	fs.StringVar(&c.RecordingTypes, "connect-recording-types", "", "recordings each pause reason suspends, as KIND=TYPE[+TYPE],... (TYPE: AGENT, IVR, SCREEN); named kinds replace their default of "+amazonconnect.DefaultRecordingTypes().String())
	fs.Float64Var(&c.Rate, "connect-rate", 2, "Connect recording calls per second (the account quota is 2 per operation)")
	fs.IntVar(&c.Burst, "connect-burst", 5, "Connect recording calls allowed in a burst")
	fs.StringVar(&c.AgentID, "connect-agent-id", "username", "agentId of Connect conversations: username or arn")
	fs.StringVar(&c.RecordingState, "connect-recording-state", "in-progress", "recording state of a new Connect contact: in-progress (the contact flow started it) or not-started")
	fs.StringVar(&c.StartPosition, "kinesis-start", "LATEST", "where a shard without a checkpoint is read from: LATEST (from now) or TRIM_HORIZON (the oldest record kept)")
	fs.DurationVar(&c.MaxRecordAge, "connect-max-record-age", amazonconnect.DefaultMaxRecordAge, "agent events older than this update hush's memory but never suspend or resume a recording (0: no bound)")
	fs.DurationVar(&c.KinesisLease, "kinesis-lease", amazonconnect.DefaultLease, "how long a node's lease on a Kinesis shard lasts unrenewed: nodes sharing the store share the shards, and a dead node's shards are read elsewhere within it")
	fs.DurationVar(&c.PollInterval, "kinesis-poll", 200*time.Millisecond, "interval between reads of each shard (at least 200ms, the Kinesis limit of 5 reads per second)")
}
