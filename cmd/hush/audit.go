package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hush-cc/hush/internal/anchor"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/server"
)

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	where := addStoreFlags(fs)
	src := fs.String("checkpoints", "", "also check the chain against signed checkpoints: a file of them, or s3://bucket/prefix")
	pubFile := fs.String("public-key", "", "public key the checkpoints must be signed with (default: "+server.CheckpointKeyFile+".pub in the data directory; keep a copy elsewhere)")
	pathStyle := fs.Bool("s3-path-style", false, "address the bucket in the path (for S3-compatible stores)")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, done, err := where.open(ctx)
	if err != nil {
		return err
	}
	defer done()
	if *src == "" {
		if err := st.VerifyAudit(ctx); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "audit chain intact")
		return nil
	}
	if *pubFile == "" {
		*pubFile = filepath.Join(*where.data, server.CheckpointKeyFile+".pub")
	}
	pub, err := anchor.LoadPublicKey(*pubFile)
	if err != nil {
		return err
	}
	cps, err := readCheckpoints(ctx, *src, *pathStyle)
	if err != nil {
		return err
	}
	chain, ok := st.(anchor.Chain)
	if !ok {
		return usageError{"--checkpoints checks the chain of a data directory (--data), not a DynamoDB table"}
	}
	r, err := anchor.Check(ctx, chain, cps, pub)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, r.String())
	if !r.OK() {
		if r.Trusted == 0 {
			return errors.New("no checkpoint with a valid signature: nothing anchors the chain")
		}
		return errors.New("the audit chain does not match what was signed")
	}
	return nil
}

func readCheckpoints(ctx context.Context, src string, pathStyle bool) ([]audit.Checkpoint, error) {
	if !strings.HasPrefix(src, "s3://") {
		return anchor.ReadFile(src)
	}
	bucket, prefix, err := anchor.ParseS3URL(src)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	client, err := anchor.NewS3Client(ctx, pathStyle)
	if err != nil {
		return nil, err
	}
	return anchor.ReadS3(ctx, client, bucket, prefix)
}
