package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
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
	// Types maps each pause reason kind to the recordings it suspends;
	// DefaultRecordingTypes when nil.
	Types RecordingTypes
	// State keeps which recordings of each contact are suspended; required.
	State store.AdapterState
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
	types       RecordingTypes
	suspended   suspensions
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
	if cfg.State == nil {
		return nil, errors.New("connect backend: no adapter state to keep the suspended recordings in")
	}
	rts := cfg.Types
	if rts == nil {
		rts = DefaultRecordingTypes()
	}
	if err := rts.validate(); err != nil {
		return nil, fmt.Errorf("connect backend: %w", err)
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
		types:       rts,
		suspended:   suspensions{cfg.State},
		track:       track,
		limiters: map[string]*rate.Limiter{
			OpSuspend: rate.NewLimiter(r, burst),
			OpResume:  rate.NewLimiter(r, burst),
			OpStart:   rate.NewLimiter(r, burst),
			OpStop:    rate.NewLimiter(r, burst),
		},
	}, nil
}

var _ engine.PartsBackend = (*Backend)(nil)

// Drive moves the recording of conv to d.Target.
func (b *Backend) Drive(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, error) {
	st, _, err := b.DriveParts(ctx, conv, d)
	return st, err
}

// DriveParts moves the recording of conv to d.Target and reports each
// recording type as a part. A pause suspends the recordings that d's
// reasons call for (Types) and resumes the others; the calls made are only
// those that change something, by the suspension stored for the contact.
func (b *Backend) DriveParts(ctx context.Context, conv conversation.Conversation, d conversation.Drive) (conversation.State, []conversation.Part, error) {
	if d.Capability == conversation.Transcription {
		return d.Target, nil, nil
	}
	if d.Target == conversation.Stopped && !conv.Active() {
		// Connect ends a contact's recording with the contact; asking it to
		// stop one that has ended spends the quota and earns a 400. A call
		// that ends while paused thus stays suspended to its end.
		return conversation.Stopped, partsIn(b.types, conversation.Stopped), nil
	}
	ids := contactIDs{instance: b.instanceID, contact: conv.ID, initial: conv.Attributes[AttrInitialContactID]}
	if ids.initial == "" {
		ids.initial = conv.ID
	}
	switch {
	case d.Target == conversation.Paused:
		want := b.types.Wanted(conversation.ReasonKinds(d.Reasons))
		if len(want) == 0 {
			// A pause for no reason named pauses all there is.
			want = b.types.All()
		}
		return b.converge(ctx, ids, d, want)
	case d.Target == conversation.InProgress && d.From != conversation.NotStarted:
		return b.converge(ctx, ids, d, nil)
	case d.Target == conversation.InProgress:
		if err := b.call(ctx, OpStart, "", ids); err != nil {
			return "", nil, err
		}
		return conversation.InProgress, partsIn(b.types, conversation.InProgress), nil
	case d.Target == conversation.Stopped:
		if err := b.call(ctx, OpStop, "", ids); err != nil {
			return "", nil, err
		}
		return conversation.Stopped, partsIn(b.types, conversation.Stopped), nil
	}
	return "", nil, engine.Permanent(fmt.Errorf("connect: no recording operation reaches %q from %q", d.Target, d.From))
}

// converge suspends the wanted recordings of a contact and resumes the
// others, one call for each that changes, suspensions first. Each call is
// marked unsure in the stored suspension before it is made and settled
// after, so a failure or a crash between the two leaves a recording
// called for again, never one taken for what it is not.
func (b *Backend) converge(ctx context.Context, ids contactIDs, d conversation.Drive, want []types.ContactRecordingType) (conversation.State, []conversation.Part, error) {
	sp, v, err := b.suspended.load(ctx, ids.contact)
	if err != nil {
		return "", nil, err
	}
	if v == 0 && d.From != conversation.InProgress {
		// Nothing was stored for a recording that may be suspended (from a
		// time before hush kept suspensions, or by a drive lost with its
		// answer): every recording's state is unknown.
		sp.Unsure = b.types.All()
	}
	all := sp.known(b.types)
	order := slices.Concat(
		slices.DeleteFunc(slices.Clone(all), func(t types.ContactRecordingType) bool { return !has(want, t) }),
		slices.DeleteFunc(slices.Clone(all), func(t types.ContactRecordingType) bool { return has(want, t) }),
	)
	for _, t := range order {
		suspend := has(want, t)
		if has(sp.Suspended, t) == suspend && !has(sp.Unsure, t) {
			continue
		}
		sp.Unsure = with(sp.Unsure, t, true)
		if v, err = b.suspended.save(ctx, ids.contact, sp, v); err != nil {
			return "", nil, err
		}
		op := OpResume
		if suspend {
			op = OpSuspend
		}
		if err := b.call(ctx, op, t, ids); err != nil {
			return "", sp.parts(b.types), err
		}
		sp.Suspended = with(sp.Suspended, t, suspend)
		sp.Unsure = with(sp.Unsure, t, false)
		if v, err = b.suspended.save(ctx, ids.contact, sp, v); err != nil {
			return "", sp.parts(b.types), err
		}
	}
	st := conversation.InProgress
	if len(want) > 0 {
		st = conversation.Paused
	}
	return st, sp.parts(b.types), nil
}

type contactIDs struct{ instance, contact, initial string }

// call makes one Connect recording call, for recordings of type t (all of
// them when t is empty), through the operation's own limiter.
func (b *Backend) call(ctx context.Context, op string, t types.ContactRecordingType, ids contactIDs) error {
	if err := b.limiters[op].Wait(ctx); err != nil {
		return fmt.Errorf("connect %s contact %s: waiting for the rate limiter: %w", op, ids.contact, err)
	}
	var err error
	switch op {
	case OpSuspend:
		_, err = b.client.SuspendContactRecording(ctx, &connect.SuspendContactRecordingInput{
			InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
			ContactRecordingType: t,
		}, noRetries)
	case OpResume:
		_, err = b.client.ResumeContactRecording(ctx, &connect.ResumeContactRecordingInput{
			InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
			ContactRecordingType: t,
		}, noRetries)
	case OpStart:
		_, err = b.client.StartContactRecording(ctx, &connect.StartContactRecordingInput{
			InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
			VoiceRecordingConfiguration: &types.VoiceRecordingConfiguration{VoiceRecordingTrack: b.track},
		}, noRetries)
	case OpStop:
		_, err = b.client.StopContactRecording(ctx, &connect.StopContactRecordingInput{
			InstanceId: &ids.instance, ContactId: &ids.contact, InitialContactId: &ids.initial,
			ContactRecordingType: t,
		}, noRetries)
	}
	if err != nil {
		resource := ""
		if b.instanceARN != "" {
			resource = b.instanceARN + "/contact/" + ids.contact
		}
		ce := classify(op, ids.contact, resource, err)
		b.calls.WithLabelValues(op, ce.Type()).Inc()
		if ce.final() {
			return engine.Permanent(ce)
		}
		return ce
	}
	b.calls.WithLabelValues(op, "ok").Inc()
	return nil
}

// noRetries leaves retrying to the engine, whose backoff and the limiter
// space and count every attempt; the SDK's retryer would multiply them.
func noRetries(o *connect.Options) {
	o.Retryer = aws.NopRetryer{}
	o.RetryMaxAttempts = 0
}
