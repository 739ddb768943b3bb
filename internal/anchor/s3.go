package anchor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hush-cc/hush/internal/audit"
)

// S3Sink writes each checkpoint as its own object, never overwriting one
// (If-None-Match: *). With Retention set it asks for an Object Lock in
// Mode (COMPLIANCE unless GOVERNANCE is given) until now+Retention, so
// that not even the bucket's owner can delete or replace a checkpoint
// before then; the bucket must have Object Lock enabled.
type S3Sink struct {
	Client    *s3.Client
	Bucket    string
	Prefix    string
	Retention time.Duration
	Mode      types.ObjectLockMode
}

// Name identifies the sink.
func (s S3Sink) Name() string { return "s3://" + s.Bucket + "/" + s.Prefix }

// objectKey orders a prefix's listing by Seq, then time.
func (s S3Sink) objectKey(c audit.Checkpoint) string {
	return s.Prefix + fmt.Sprintf("%020d-%s.json", c.Seq, strconv.FormatInt(c.At.UnixNano(), 10))
}

// Publish writes c.
func (s S3Sink) Publish(ctx context.Context, c audit.Checkpoint) error {
	body, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	in := &s3.PutObjectInput{
		Bucket:      aws.String(s.Bucket),
		Key:         aws.String(s.objectKey(c)),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
		IfNoneMatch: aws.String("*"),
	}
	if s.Retention > 0 {
		mode := s.Mode
		if mode == "" {
			mode = types.ObjectLockModeCompliance
		}
		in.ObjectLockMode = mode
		in.ObjectLockRetainUntilDate = aws.Time(time.Now().Add(s.Retention))
	}
	if _, err := s.Client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("put checkpoint: %w", err)
	}
	return nil
}

// ReadS3 reads every checkpoint under prefix in bucket.
func ReadS3(ctx context.Context, client *s3.Client, bucket, prefix string) ([]audit.Checkpoint, error) {
	var out []audit.Checkpoint
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list checkpoints: %w", err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !strings.HasSuffix(key, ".json") {
				continue
			}
			obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
			if err != nil {
				return nil, fmt.Errorf("get checkpoint %s: %w", key, err)
			}
			b, err := io.ReadAll(io.LimitReader(obj.Body, maxLine))
			obj.Body.Close()
			if err != nil {
				return nil, fmt.Errorf("read checkpoint %s: %w", key, err)
			}
			var c audit.Checkpoint
			if err := json.Unmarshal(b, &c); err != nil {
				return nil, fmt.Errorf("checkpoint %s: %w", key, err)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3://bucket/prefix URL", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", u)
	}
	return bucket, prefix, nil
}

// NewS3Client makes an S3 client from the default AWS configuration (the
// environment, shared files, instance roles). AWS_ENDPOINT_URL_S3 points
// it elsewhere, e.g. at an S3-compatible store; pathStyle addresses
// buckets in the path, as most of those need.
func NewS3Client(ctx context.Context, pathStyle bool) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = pathStyle }), nil
}
