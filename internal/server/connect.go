package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/store"
)

// ConnectConfig configures the Amazon Connect adapter.
type ConnectConfig struct {
	// InstanceARN enables the adapter: the recording API backend and the
	// HTTP ingest route.
	InstanceARN string
	// KinesisStream (name or ARN) enables the agent event stream consumer.
	KinesisStream string
	// RecordingTypes maps pause reason kinds to the recordings they
	// suspend ("hold=AGENT,secure=AGENT+SCREEN"); entries replace the
	// defaults (amazonconnect.DefaultRecordingTypes) of the kinds they name.
	RecordingTypes string
	// Rate and Burst size the client-side limiter of Connect calls (the
	// account quota is 2 per second per operation).
	Rate  float64
	Burst int
	// AgentID picks a conversation's agentId: username or arn.
	AgentID string
	// RecordingState is what a new contact's recording is: in-progress
	// (the contact flow started it) or not-started.
	RecordingState string
	// StartPosition is where a shard without a checkpoint is read from:
	// TRIM_HORIZON or LATEST.
	StartPosition string
	// PollInterval spaces each shard's reads (at least 200 ms).
	PollInterval time.Duration
	// KinesisLease is how long a node's lease on a shard lasts unrenewed:
	// nodes sharing the store share the shards, and a dead node's shards
	// are read elsewhere within it (amazonconnect.DefaultLease when zero).
	KinesisLease time.Duration
	// MaxRecordAge: an agent event older than this suspends and resumes
	// nothing (zero: no bound).
	MaxRecordAge time.Duration
}

// connectAdapter is Amazon Connect as configured: its recording backend,
// then, once the engine exists, its event applier.
type connectAdapter struct {
	cfg      ConnectConfig
	applier  amazonconnect.ApplierConfig
	consumer amazonconnect.ConsumerConfig
	backend  *amazonconnect.Backend
}

// newConnect checks the Connect configuration and builds the recording API
// backend; nil when Connect is not configured.
func newConnect(ctx context.Context, c ConnectConfig, st store.AdapterState, reg prometheus.Registerer) (*connectAdapter, error) {
	if c.InstanceARN == "" {
		if c.KinesisStream != "" {
			return nil, errors.New("--kinesis-stream needs --connect-instance-arn: the events drive that instance's recordings")
		}
		return nil, nil
	}
	applierCfg, err := c.applierConfig()
	if err != nil {
		return nil, err
	}
	consumerCfg, err := c.consumerConfig()
	if err != nil {
		return nil, err
	}
	rts, err := amazonconnect.ParseRecordingTypes(c.RecordingTypes)
	if err != nil {
		return nil, fmt.Errorf("--connect-recording-types: %w", err)
	}
	client, err := amazonconnect.NewClient(ctx, c.InstanceARN)
	if err != nil {
		return nil, err
	}
	backend, err := amazonconnect.NewBackend(client, amazonconnect.BackendConfig{
		InstanceARN: c.InstanceARN,
		Types:       rts,
		State:       st,
		Rate:        rate.Limit(c.Rate),
		Burst:       c.Burst,
		Registerer:  reg,
	})
	if err != nil {
		return nil, err
	}
	return &connectAdapter{cfg: c, applier: applierCfg, consumer: consumerCfg, backend: backend}, nil
}

// attach builds the event applier on the server's engine, and the Kinesis
// consumer when a stream is configured, and returns what the HTTP ingest
// route applies events with.
func (ad *connectAdapter) attach(ctx context.Context, s *Server) (api.ConnectIngest, error) {
	ad.applier.Logger = s.log
	ap, err := amazonconnect.NewApplier(s.engine, s.store, ad.applier)
	if err != nil {
		return nil, err
	}
	ingest := connectIngest{applier: ap, store: s.store}
	if ad.cfg.KinesisStream == "" {
		return ingest, nil
	}
	kc, err := amazonconnect.NewKinesisClient(ctx, ad.cfg.KinesisStream, amazonconnect.Region(ad.cfg.InstanceARN))
	if err != nil {
		return nil, err
	}
	ad.consumer.Logger = s.log
	if cl, ok := s.store.(store.Cluster); ok {
		// The node's own id, kept in its data directory: a node restarted
		// after a crash renews its own shard leases at once.
		node := s.node
		if node == "" {
			if node, err = nodeID(s.cfg); err != nil {
				return nil, err
			}
		}
		ad.consumer.Cluster, ad.consumer.Node = cl, node
	}
	consumer, err := amazonconnect.NewConsumer(kc, ad.consumer, ap, s.store, s.store)
	if err != nil {
		return nil, err
	}
	s.runners = append(s.runners, func(ctx context.Context) {
		if err := consumer.Run(ctx); err != nil {
			s.log.Error("kinesis consumer stopped", "err", err)
		}
	})
	s.log.Info("consuming Amazon Connect agent events", "stream", ad.cfg.KinesisStream, "instance", ad.cfg.InstanceARN)
	return ingest, nil
}

func (c ConnectConfig) applierConfig() (amazonconnect.ApplierConfig, error) {
	cfg := amazonconnect.ApplierConfig{
		Plan:         amazonconnect.Options{AgentID: amazonconnect.AgentIDSource(strings.ToLower(c.AgentID))},
		Recording:    conversation.State(c.RecordingState),
		MaxRecordAge: c.MaxRecordAge,
	}
	if c.MaxRecordAge < 0 {
		return cfg, errors.New("--connect-max-record-age must not be negative")
	}
	switch cfg.Plan.AgentID {
	case "", amazonconnect.AgentIDUsername, amazonconnect.AgentIDARN:
	default:
		return cfg, fmt.Errorf("--connect-agent-id %q: want username or arn", c.AgentID)
	}
	switch cfg.Recording {
	case "", conversation.InProgress, conversation.NotStarted:
	default:
		return cfg, fmt.Errorf("--connect-recording-state %q: want in-progress or not-started", c.RecordingState)
	}
	if c.Rate < 0 || c.Burst < 0 {
		return cfg, errors.New("--connect-rate and --connect-burst must not be negative")
	}
	return cfg, nil
}

func (c ConnectConfig) consumerConfig() (amazonconnect.ConsumerConfig, error) {
	if c.KinesisLease < 0 {
		return amazonconnect.ConsumerConfig{}, errors.New("--kinesis-lease must not be negative")
	}
	cfg := amazonconnect.ConsumerConfig{
		Stream:       c.KinesisStream,
		PollInterval: c.PollInterval,
		Lease:        c.KinesisLease,
		StartAt:      ktypes.ShardIteratorType(strings.ToUpper(c.StartPosition)),
	}
	switch cfg.StartAt {
	case "", ktypes.ShardIteratorTypeTrimHorizon, ktypes.ShardIteratorTypeLatest:
	default:
		return cfg, fmt.Errorf("--kinesis-start %q: want TRIM_HORIZON or LATEST", c.StartPosition)
	}
	return cfg, nil
}
