package main

import (
	"flag"
	"time"

	"github.com/hush-cc/hush/internal/server"
)

// retentionFlags defines how long hush keeps recordings, events and
// delivery logs; the audit chain is kept forever.
func retentionFlags(fs *flag.FlagSet, c *server.RetentionConfig) {
	fs.DurationVar(&c.Recordings, "retention-recordings", 0, "delete a conversation's recording files this long after it ended (0: keep forever); legal holds exempt")
	fs.DurationVar(&c.Events, "retention-events", 0, "delete events older than this (0: keep forever); legal holds exempt")
	fs.DurationVar(&c.Deliveries, "retention-deliveries", 0, "delete webhook delivery log entries older than this (0: keep forever)")
	fs.DurationVar(&c.Every, "retention-sweep-every", time.Hour, "how often the retention sweep runs")
}
