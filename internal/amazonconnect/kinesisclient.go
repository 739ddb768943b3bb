package amazonconnect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// NewKinesisClient builds a Kinesis client from the SDK's standard
// configuration (environment, shared files, AWS_ENDPOINT_URL_KINESIS). When
// no region is configured it takes the stream ARN's, else fallbackRegion's
// (the Connect instance's region, say).
func NewKinesisClient(ctx context.Context, stream, fallbackRegion string, opts ...func(*config.LoadOptions) error) (*kinesis.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("kinesis client: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = fallbackRegion
		if a, err := arn.Parse(stream); err == nil && a.Region != "" {
			cfg.Region = a.Region
		}
	}
	return kinesis.NewFromConfig(cfg), nil
}

// Region returns the region of an ARN, or "" for anything else.
func Region(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Region
}
