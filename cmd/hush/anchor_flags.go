package main

import (
	"flag"
	"time"

	"github.com/hush-cc/hush/internal/server"
)

// anchorFlags defines where signed checkpoints of the audit chain go.
func anchorFlags(fs *flag.FlagSet, c *server.AnchorConfig) {
	fs.StringVar(&c.KeyFile, "checkpoint-key", "", "Ed25519 key (PKCS #8 PEM) that signs checkpoints (default: checkpoint.key in the data directory, created if missing)")
	fs.DurationVar(&c.Every, "checkpoint-every", time.Minute, "sign and publish the audit chain's head this often, if it grew")
	fs.Int64Var(&c.Entries, "checkpoint-entries", 1000, "also publish as soon as the chain grew by this many entries")
	fs.StringVar(&c.File, "checkpoint-file", "", "append checkpoints to this file (outside the data directory; make it append-only)")
	fs.StringVar(&c.WebhookURL, "checkpoint-webhook", "", "POST each checkpoint to this URL")
	fs.StringVar(&c.WebhookSecret, "checkpoint-webhook-secret", "", "sign checkpoint webhooks with this secret (t=…,v1=…)")
	fs.StringVar(&c.S3, "checkpoint-s3", "", "write each checkpoint to s3://bucket/prefix (credentials from the AWS environment)")
	fs.DurationVar(&c.S3Retention, "checkpoint-s3-retention", 0, "ask S3 Object Lock to keep each checkpoint this long (the bucket must have Object Lock on)")
	fs.StringVar(&c.S3Mode, "checkpoint-s3-lock-mode", "COMPLIANCE", "Object Lock mode: COMPLIANCE or GOVERNANCE")
	fs.BoolVar(&c.S3PathStyle, "checkpoint-s3-path-style", false, "address the bucket in the path (for S3-compatible stores)")
}
