package server

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hush-cc/hush/internal/anchor"
)

// AnchorConfig says where signed checkpoints of the audit chain go. With
// no sink set, none are made.
type AnchorConfig struct {
	// KeyFile is the Ed25519 signing key (PKCS #8 PEM); default
	// checkpoint.key in the data directory, created if missing.
	KeyFile string
	Every   time.Duration
	Entries int64
	// File is an append-only file outside the data directory.
	File string
	// WebhookURL receives each checkpoint, signed with WebhookSecret.
	WebhookURL    string
	WebhookSecret string
	// S3 is s3://bucket/prefix; S3Retention > 0 asks for an Object Lock
	// in S3Mode (COMPLIANCE or GOVERNANCE) for that long.
	S3          string
	S3Retention time.Duration
	S3Mode      string
	S3PathStyle bool
}

// CheckpointKeyFile is the default name, in the data directory, of the
// checkpoint signing key; its public key is beside it, with ".pub".
const CheckpointKeyFile = "checkpoint.key"

// setupAnchor starts publishing signed checkpoints of the audit chain
// when a sink is configured.
func (s *Server) setupAnchor(ctx context.Context) error {
	ac := s.cfg.Anchor
	if ac.File == "" && ac.WebhookURL == "" && ac.S3 == "" {
		return nil
	}
	keyFile := ac.KeyFile
	if keyFile == "" {
		keyFile = filepath.Join(s.cfg.Data, CheckpointKeyFile)
	}
	key, err := anchor.LoadOrCreateKey(keyFile)
	if err != nil {
		return err
	}
	var sinks []anchor.Sink
	if ac.File != "" {
		if inside(s.cfg.Data, ac.File) {
			return fmt.Errorf("--checkpoint-file %s is inside the data directory: whoever can rewrite the database could rewrite it too", ac.File)
		}
		sinks = append(sinks, anchor.FileSink{Path: ac.File})
	}
	if ac.WebhookURL != "" {
		sinks = append(sinks, anchor.WebhookSink{URL: ac.WebhookURL, Secret: ac.WebhookSecret})
	}
	if ac.S3 != "" {
		bucket, prefix, err := anchor.ParseS3URL(ac.S3)
		if err != nil {
			return err
		}
		mode := types.ObjectLockMode(strings.ToUpper(ac.S3Mode))
		if mode != "" && mode != types.ObjectLockModeCompliance && mode != types.ObjectLockModeGovernance {
			return fmt.Errorf("--checkpoint-s3-lock-mode %q: want COMPLIANCE or GOVERNANCE", ac.S3Mode)
		}
		client, err := anchor.NewS3Client(ctx, ac.S3PathStyle)
		if err != nil {
			return err
		}
		sinks = append(sinks, anchor.S3Sink{Client: client, Bucket: bucket, Prefix: prefix, Retention: ac.S3Retention, Mode: mode})
	}
	an := &anchor.Anchorer{Store: s.store, Key: key, Sinks: sinks, Every: ac.Every, Entries: ac.Entries, Logger: s.log}
	s.runners = append(s.runners, an.Run)
	return nil
}

// inside reports whether path lies in dir.
func inside(dir, path string) bool {
	d, err1 := filepath.Abs(dir)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return true
	}
	rel, err := filepath.Rel(d, p)
	return err != nil || (rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
}
