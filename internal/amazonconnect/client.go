package amazonconnect

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/connect"
)

// InstanceID returns the instance id of a Connect instance ARN (its last
// part); a bare instance id is returned as it is.
func InstanceID(instanceARN string) (string, error) {
	if instanceARN == "" {
		return "", fmt.Errorf("no Connect instance ARN")
	}
	if !arn.IsARN(instanceARN) {
		if strings.ContainsAny(instanceARN, ":/") {
			return "", fmt.Errorf("%q is neither an instance ARN nor an instance id", instanceARN)
		}
		return instanceARN, nil
	}
	a, err := arn.Parse(instanceARN)
	if err != nil {
		return "", fmt.Errorf("instance ARN %q: %w", instanceARN, err)
	}
	id, ok := strings.CutPrefix(a.Resource, "instance/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", fmt.Errorf("instance ARN %q: resource is not instance/ID", instanceARN)
	}
	return id, nil
}

// NewClient builds a Connect client from the SDK's standard configuration
// (environment, shared files, AWS_ENDPOINT_URL_CONNECT), taking the region
// from the instance ARN when none is configured. The client never retries by
// itself: the engine does.
func NewClient(ctx context.Context, instanceARN string, opts ...func(*config.LoadOptions) error) (*connect.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect client: load AWS config: %w", err)
	}
	if cfg.Region == "" {
		if a, err := arn.Parse(instanceARN); err == nil {
			cfg.Region = a.Region
		}
	}
	return connect.NewFromConfig(cfg, func(o *connect.Options) {
		o.Retryer = aws.NopRetryer{}
	}), nil
}
