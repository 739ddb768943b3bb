package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
)

// Connect's default quota is 2 requests per second, burst 5, for each
// recording operation separately, per account and Region.
const (
	DefaultRate  rate.Limit = 2
	DefaultBurst int        = 5
)

// BackendConfig configures Backend.
type BackendConfig struct {
	// InstanceARN is the Connect instance's ARN (a bare instance id is
	// accepted too).
	InstanceARN string
	// RecordingType restricts suspend, resume and stop to one kind of
	// recording: empty (all of them, screen recording included), AGENT,
	// IVR or SCREEN.
	RecordingType types.ContactRecordingType
	// VoiceTrack is the track StartContactRecording records; ALL when empty.
	VoiceTrack types.VoiceRecordingTrack
	// Rate and Burst size each operation's limiter: Suspend, Resume, Start
	// and Stop each have their own, as Connect counts each on its own
	// quota. DefaultRate and DefaultBurst when zero.
	Rate  rate.Limit
	Burst int
	// Registerer, if set, receives hush_connect_calls_total.
	Registerer prometheus.Registerer
}

// Backend drives Amazon Connect contact recording. The conversation id is the
// ContactId. Transcription is tracking only: Connect offers no API to pause
// it, so its target is confirmed as asked.
type Backend struct {
	client      *connect.Client
	instanceID  string
	instanceARN string
	calls       *prometheus.CounterVec
	recType     types.ContactRecordingType
	track       types.VoiceRecordingTrack
	// limiters holds one token bucket per operation.
	limiters map[string]*rate.Limiter
}

// Recording operations, as Connect names them.
const (
	OpSuspend = "SuspendContactRecording"
	OpResume  = "ResumeContactRecording"
	OpStart   = "StartContactRecording"
	OpStop    = "StopContactRecording"
)

var _ engine.Backend = (*Backend)(nil)

// NewBackend returns a backend calling Connect through client.
func NewBackend(client *connect.Client, cfg BackendConfig) (*Backend, error) {
	if client == nil {
		return nil, errors.New("connect backend: no client")
	}
	id, err := InstanceID(cfg.InstanceARN)
	if err != nil {
		return nil, fmt.Errorf("connect backend: %w", err)
	}
	switch cfg.RecordingType {
	case "", types.ContactRecordingTypeAgent, types.ContactRecordingTypeIvr, types.ContactRecordingTypeScreen:
	default:
		return nil, fmt.Errorf("connect backend: recording type %q: want AGENT, IVR, SCREEN or none", cfg.RecordingType)
	}
	track := cfg.VoiceTrack
	if track == "" {
		track = types.VoiceRecordingTrackAll
	}
	r, burst := cfg.Rate, cfg.Burst
	if r <= 0 {
		r = DefaultRate
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	calls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hush_connect_calls_total",
		Help: "Amazon Connect recording calls by operation and result: ok, or Connect's error type (http_STATUS or network without one).",
	}, []string{"operation", "result"})
	if cfg.Registerer != nil {
		if err := cfg.Registerer.Register(calls); err != nil {
			return nil, fmt.Errorf("connect backend: register metrics: %w", err)
		}
	}
	arn := ""
	if strings.HasPrefix(cfg.InstanceARN, "arn:") {
		arn = cfg.InstanceARN
	}
	return &Backend{
		client:      client,
		instanceID:  id,
		instanceARN: arn,
		calls:       calls,
		recType:     cfg.RecordingType,
		track:       track,
		limiters: map[string]*rate.Limiter{
			OpSuspend: rate.NewLimiter(r, burst),
			OpResume:  rate.NewLimiter(r, burst),
			OpStart:   rate.NewLimiter(r, burst),
			OpStop:    rate.NewLimiter(r, burst),
		},
	}, nil
}

// Drive moves the recording of conv to d.Target with one Connect call.
func (b *Backend) Drive(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	if d.Capability == conversation.Transcription {
		return d.Target, nil
	}
	if d.Target == conversation.Stopped && !conv.Active() {
		// Connect ends a contact's recording with the contact; asking it to
		// stop one that has ended spends the quota and earns a 400. A call
		// that ends while paused thus stays suspended to its end.
		return conversation.Stopped, nil
	}
	ids := contactIDs{instance: b.instanceID, contact: conv.ID, initial: conv.Attributes[AttrInitialContactID]}
	if ids.initial == "" {
		ids.initial = conv.ID
	}
	op, call, err := b.operation(d, ids)
	if err != nil {
		return "", engine.Permanent(err)
	}
	if err := b.limiters[op].Wait(ctx); err != nil {
		return "", fmt.Errorf("connect %s contact %s: waiting for the rate limiter: %w", op, conv.ID, err)
	}
	if err := call(ctx); err != nil {
		resource := ""
		if b.instanceARN != "" {
			resource = b.instanceARN + "/contact/" + conv.ID
		}
		ce := classify(op, conv.ID, resource, err)
		b.calls.WithLabelValues(op, ce.Type()).Inc()
		if ce.final() {
			return "", engine.Permanent(ce)
		}
		return "", ce
	}
	b.calls.WithLabelValues(op, "ok").Inc()
	return d.Target, nil
}

type contactIDs struct{ instance, contact, initial string }

// operation picks the Connect call that takes the recording to d.Target.
func (b *Backend) operation(d conversation.Drive, ids contactIDs) (string, func(context.Context) error, error) {
	switch {
	case d.Target == conversation.Paused:
		return OpSuspend, func(ctx context.Context) error {
			_, err := b.client.SuspendContactRecording(ctx, &connect.SuspendContactRecordingInput{
				InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
				ContactRecordingType: b.recType,
			}, noRetries)
			return err
		}, nil
	case d.Target == conversation.InProgress && d.From == conversation.NotStarted:
		return OpStart, func(ctx context.Context) error {
			_, err := b.client.StartContactRecording(ctx, &connect.StartContactRecordingInput{
				InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
				VoiceRecordingConfiguration: &types.VoiceRecordingConfiguration{VoiceRecordingTrack: b.track},
			}, noRetries)
			return err
		}, nil
	case d.Target == conversation.InProgress:
		return OpResume, func(ctx context.Context) error {
			_, err := b.client.ResumeContactRecording(ctx, &connect.ResumeContactRecordingInput{
				InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
				ContactRecordingType: b.recType,
			}, noRetries)
			return err
		}, nil
	case d.Target == conversation.Stopped:
		return OpStop, func(ctx context.Context) error {
			_, err := b.client.StopContactRecording(ctx, &connect.StopContactRecordingInput{
				InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
				ContactRecordingType: b.recType,
			}, noRetries)
			return err
		}, nil
	}
	return "", nil, fmt.Errorf("connect: no recording operation reaches %q from %q", d.Target, d.From)
}

// noRetries leaves retrying to the engine, whose backoff and the limiter
// space and count every attempt; the SDK's retryer would multiply them.
func noRetries(o *connect.Options) {
	o.Retryer = aws.NopRetryer{}
	o.RetryMaxAttempts = 0
}
