package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/conversation"
)

// ConnectConfig configures the Amazon Connect adapter.
type ConnectConfig struct {
	// InstanceARN enables the adapter: the recording API backend and the
	// HTTP ingest route.
	InstanceARN string
	// KinesisStream (name or ARN) enables the agent event stream consumer.
	KinesisStream string
	// RecordingType restricts the recording calls: "" (every recording,
	// screen included), AGENT, IVR or SCREEN.
	RecordingType string
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
	// MaxRecordAge: an agent event older than this suspends and resumes
	// nothing (zero: no bound).
	MaxRecordAge time.Duration
}

// connectAdapter is the wired adapter; its applier exists once the engine
// does, before any request is served.
type connectAdapter struct {
	a       *assembly
	applier *amazonconnect.Applier
}

// setupConnect wires Amazon Connect when configured: the recording API
// backend, the Kinesis consumer and the HTTP ingest route.
func setupConnect(ctx context.Context, a *assembly) error {
	c := a.cfg.Connect
	if c.InstanceARN == "" {
		if c.KinesisStream != "" {
			return errors.New("--kinesis-stream needs --connect-instance-arn: the events drive that instance's recordings")
		}
		return nil
	}
	applierCfg, err := c.applierConfig()
	if err != nil {
		return err
	}
	consumerCfg, err := c.consumerConfig()
	if err != nil {
		return err
	}
	client, err := amazonconnect.NewClient(ctx, c.InstanceARN)
	if err != nil {
		return err
	}
	backend, err := amazonconnect.NewBackend(client, amazonconnect.BackendConfig{
		InstanceARN:   c.InstanceARN,
		RecordingType: types.ContactRecordingType(strings.ToUpper(c.RecordingType)),
		Rate:          rate.Limit(c.Rate),
		Burst:         c.Burst,
		Registerer:    a.registry,
	})
	if err != nil {
		return err
	}
	a.backends[amazonconnect.Platform] = backend
	ad := &connectAdapter{a: a}
	a.routes = append(a.routes, ad.routes()...)
	a.late = append(a.late, func(ctx context.Context) error {
		applierCfg.Logger = a.log
		ap, err := amazonconnect.NewApplier(a.engine, a.store, applierCfg)
		if err != nil {
			return err
		}
		ad.applier = ap
		if c.KinesisStream == "" {
			return nil
		}
		kc, err := amazonconnect.NewKinesisClient(ctx, c.KinesisStream, amazonconnect.Region(c.InstanceARN))
		if err != nil {
			return err
		}
		consumerCfg.Logger = a.log
		consumer, err := amazonconnect.NewConsumer(kc, consumerCfg, ap, a.store, a.store)
		if err != nil {
			return err
		}
		a.runners = append(a.runners, func(ctx context.Context) {
			if err := consumer.Run(ctx); err != nil {
				a.log.Error("kinesis consumer stopped", "err", err)
			}
		})
		a.log.Info("consuming Amazon Connect agent events", "stream", c.KinesisStream, "instance", c.InstanceARN)
		return nil
	})
	return nil
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
	switch strings.ToUpper(c.RecordingType) {
	case "", "AGENT", "IVR", "SCREEN":
	default:
		return cfg, fmt.Errorf("--connect-recording-type %q: want AGENT, IVR, SCREEN or nothing", c.RecordingType)
	}
	if c.Rate < 0 || c.Burst < 0 {
		return cfg, errors.New("--connect-rate and --connect-burst must not be negative")
	}
	return cfg, nil
}

func (c ConnectConfig) consumerConfig() (amazonconnect.ConsumerConfig, error) {
	cfg := amazonconnect.ConsumerConfig{
		Stream:       c.KinesisStream,
		PollInterval: c.PollInterval,
		StartAt:      ktypes.ShardIteratorType(strings.ToUpper(c.StartPosition)),
	}
	switch cfg.StartAt {
	case "", ktypes.ShardIteratorTypeTrimHorizon, ktypes.ShardIteratorTypeLatest:
	default:
		return cfg, fmt.Errorf("--kinesis-start %q: want TRIM_HORIZON or LATEST", c.StartPosition)
	}
	return cfg, nil
}
