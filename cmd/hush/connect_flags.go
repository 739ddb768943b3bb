package main

import (
	"flag"

	"github.com/hush-cc/hush/internal/server"
)

// connectFlags defines the Amazon Connect adapter's flags.
func connectFlags(fs *flag.FlagSet, c *server.ConnectConfig) {
	fs.StringVar(&c.InstanceARN, "connect-instance-arn", "", "Amazon Connect instance ARN: enables the Connect recording backend")
	fs.StringVar(&c.KinesisStream, "kinesis-stream", "", "Kinesis stream (name or ARN) of Connect agent events: enables the consumer")
}
