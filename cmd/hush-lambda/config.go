package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store/dynamodb"
)

// Config is what the function reads from its environment; the template
// (deploy/aws/template.yaml) sets it.
type Config struct {
	Table          string                       // HUSH_TABLE, required
	InstanceARN    string                       // HUSH_CONNECT_INSTANCE_ARN, required
	RecordingTypes amazonconnect.RecordingTypes // HUSH_CONNECT_RECORDING_TYPES: hold=AGENT,secure=AGENT+SCREEN,...
	Rate           float64                      // HUSH_CONNECT_RATE: Connect's quota per operation, calls per second
	Burst          int                          // HUSH_CONNECT_BURST: Connect's burst per operation
	Shards         int                          // HUSH_CONNECT_SHARDS: function instances sharing the quota (one per shard)
	AgentID        string                       // HUSH_CONNECT_AGENT_ID: username or arn
	RecordingState string                       // HUSH_CONNECT_RECORDING_STATE: in-progress or not-started
	Margin         time.Duration                // HUSH_DEADLINE_MARGIN: kept free before the invocation's deadline
	MaxRecordAge   time.Duration                // HUSH_CONNECT_MAX_RECORD_AGE: older events suspend and resume nothing (0: no bound)
	LogLevel       slog.Level                   // HUSH_LOG_LEVEL
}

// configFromEnv reads the configuration through lookup (os.LookupEnv).
func configFromEnv(lookup func(string) (string, bool)) (Config, error) {
	get := func(name, def string) string {
		if v, ok := lookup(name); ok && v != "" {
			return v
		}
		return def
	}
	cfg := Config{
		Table:          get("HUSH_TABLE", ""),
		InstanceARN:    get("HUSH_CONNECT_INSTANCE_ARN", ""),
		AgentID:        get("HUSH_CONNECT_AGENT_ID", "username"),
		RecordingState: get("HUSH_CONNECT_RECORDING_STATE", "in-progress"),
	}
	if cfg.Table == "" || cfg.InstanceARN == "" {
		return cfg, fmt.Errorf("HUSH_TABLE and HUSH_CONNECT_INSTANCE_ARN are required")
	}
	var err error
	if cfg.RecordingTypes, err = amazonconnect.ParseRecordingTypes(get("HUSH_CONNECT_RECORDING_TYPES", "")); err != nil {
		return cfg, fmt.Errorf("HUSH_CONNECT_RECORDING_TYPES: %w", err)
	}
	if cfg.Rate, err = strconv.ParseFloat(get("HUSH_CONNECT_RATE", "2"), 64); err != nil || cfg.Rate <= 0 {
		return cfg, fmt.Errorf("HUSH_CONNECT_RATE: want a positive number")
	}
	if cfg.Burst, err = strconv.Atoi(get("HUSH_CONNECT_BURST", "5")); err != nil || cfg.Burst <= 0 {
		return cfg, fmt.Errorf("HUSH_CONNECT_BURST: want a positive integer")
	}
	if cfg.Shards, err = strconv.Atoi(get("HUSH_CONNECT_SHARDS", "1")); err != nil || cfg.Shards <= 0 {
		return cfg, fmt.Errorf("HUSH_CONNECT_SHARDS: want a positive integer")
	}
	if cfg.Margin, err = time.ParseDuration(get("HUSH_DEADLINE_MARGIN", "3s")); err != nil || cfg.Margin < 0 {
		return cfg, fmt.Errorf("HUSH_DEADLINE_MARGIN: want a duration such as 3s")
	}
	if cfg.MaxRecordAge, err = time.ParseDuration(get("HUSH_CONNECT_MAX_RECORD_AGE", amazonconnect.DefaultMaxRecordAge.String())); err != nil || cfg.MaxRecordAge < 0 {
		return cfg, fmt.Errorf("HUSH_CONNECT_MAX_RECORD_AGE: want a duration such as 10m (0 for no bound)")
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(get("HUSH_LOG_LEVEL", "info"))); err != nil {
		return cfg, fmt.Errorf("HUSH_LOG_LEVEL: %w", err)
	}
	if _, err := amazonconnect.InstanceID(cfg.InstanceARN); err != nil {
		return cfg, fmt.Errorf("HUSH_CONNECT_INSTANCE_ARN: %w", err)
	}
	return cfg, nil
}

// share is this instance's part of Connect's quota: one instance runs per
// shard, each takes an equal share, so together they stay under it. A
// DynamoDB-held bucket would let a busy shard borrow an idle one's share,
// at the price of a conditional write before every call.
func (cfg Config) share() (rate.Limit, int) {
	return rate.Limit(cfg.Rate / float64(cfg.Shards)), max(1, cfg.Burst/cfg.Shards)
}

// newHandler builds the clients from the SDK's standard configuration
// (the function's role, AWS_ENDPOINT_URL_CONNECT, AWS_ENDPOINT_URL_DYNAMODB).
func newHandler(ctx context.Context, cfg Config, log *slog.Logger) (*Handler, error) {
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = amazonconnect.Region(cfg.InstanceARN)
	}
	st, err := dynamodb.New(ddb.NewFromConfig(awsCfg), cfg.Table, dynamodb.WithLogger(log))
	if err != nil {
		return nil, err
	}
	client, err := amazonconnect.NewClient(ctx, cfg.InstanceARN)
	if err != nil {
		return nil, err
	}
	r, burst := cfg.share()
	backend, err := amazonconnect.NewBackend(client, amazonconnect.BackendConfig{
		InstanceARN: cfg.InstanceARN,
		Types:       cfg.RecordingTypes,
		State:       st,
		Rate:        r,
		Burst:       burst,
	})
	if err != nil {
		return nil, err
	}
	h := &Handler{
		Store:   st,
		Backend: backend,
		Applier: amazonconnect.ApplierConfig{
			Plan:         amazonconnect.Options{AgentID: amazonconnect.AgentIDSource(strings.ToLower(cfg.AgentID))},
			Recording:    conversation.State(cfg.RecordingState),
			MaxRecordAge: cfg.MaxRecordAge,
		},
		Retry:  engine.DefaultRetry(),
		Margin: cfg.Margin,
		Wait:   30 * time.Second,
		Logger: log,
	}
	// Fail at start, not at the first batch, on a bad setting.
	if err := h.Applier.Validate(); err != nil {
		return nil, err
	}
	return h, nil
}
