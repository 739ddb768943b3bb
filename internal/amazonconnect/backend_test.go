package amazonconnect

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/connect"
	"github.com/aws/aws-sdk-go-v2/service/connect/types"
	"golang.org/x/time/rate"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/store"
	"github.com/hush-cc/hush/internal/store/sqlite"
)

const (
	testInstanceARN = "arn:aws:connect:us-east-1:123456789012:instance/aaaaaaaa-bbbb-cccc-dddd-111111111111"
	testInstanceID  = "aaaaaaaa-bbbb-cccc-dddd-111111111111"
)

// fakeAWSEnv points the SDK's standard configuration at fake credentials and
// at srv, and away from any real configuration on the machine.
func fakeAWSEnv(t *testing.T, srv *connecttest.Server) {
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_CONNECT", srv.URL())
}

func newTestBackend(t *testing.T, cfg BackendConfig) (*Backend, *connecttest.Server) {
	t.Helper()
	srv := connecttest.Start(t)
	fakeAWSEnv(t, srv)
	client, err := NewClient(context.Background(), testInstanceARN)
	if err != nil {
		t.Fatal(err)
	}
	if client.Options().Region != "us-east-1" {
		t.Fatalf("region %q not taken from the ARN", client.Options().Region)
	}
	if cfg.InstanceARN == "" {
		cfg.InstanceARN = testInstanceARN
	}
	if cfg.Rate == 0 {
		cfg.Rate, cfg.Burst = 1000, 1000
	}
	if cfg.State == nil {
		cfg.State = testState(t)
	}
	b, err := NewBackend(client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b, srv
}

func conv(id, initial string) conversation.Conversation {
	c := conversation.Conversation{ID: id, Platform: Platform}
	if initial != "" {
		c.Attributes = map[string]string{AttrInitialContactID: initial}
	}
	return c
}

// drive is a recording drive; a pause is for a hold.
func drive(from, to conversation.State) conversation.Drive {
	d := conversation.Drive{Capability: conversation.Recording, From: from, Target: to}
	if to == conversation.Paused {
		d.Reasons = []conversation.Reason{{Kind: conversation.Hold}}
	}
	return d
}

// testState is a SQLite store's adapter state, for the suspensions.
func testState(t testing.TB) store.AdapterState {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestBackendHoldCycle(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	ctx := context.Background()
	c := conv("c1", "")
	steps := []conversation.Drive{
		drive(conversation.InProgress, conversation.Paused),
		drive(conversation.Paused, conversation.InProgress),
		drive(conversation.InProgress, conversation.Stopped),
	}
	for _, d := range steps {
		st, err := b.Drive(ctx, c, d)
		if err != nil || st != d.Target {
			t.Fatalf("drive to %s: %q, %v", d.Target, st, err)
		}
	}
	want := []string{"SuspendContactRecording c1 200", "ResumeContactRecording c1 200", "StopContactRecording c1 200"}
	if got := srv.Ops(); !slices.Equal(got, want) {
		t.Fatalf("calls %q, want %q", got, want)
	}
	// A hold suspends and resumes the agent's voice; stop ends every
	// recording of the contact.
	for i, call := range srv.Calls() {
		rt := "AGENT"
		if i == 2 {
			rt = ""
		}
		if call.InstanceID != testInstanceID || call.InitialContactID != "c1" || call.ContactRecordingType != rt {
			t.Fatalf("call = %+v", call)
		}
	}
}

func TestBackendTransferredContactAndRecordingType(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	if _, err := b.Drive(context.Background(), conv("c2", "c1"), drive(conversation.InProgress, conversation.Paused)); err != nil {
		t.Fatal(err)
	}
	call := srv.Calls()[0]
	if call.ContactID != "c2" || call.InitialContactID != "c1" || call.ContactRecordingType != "AGENT" {
		t.Fatalf("call = %+v", call)
	}
}

// IVR is a recording type of its own: suspending it leaves the agent's
// recording alone.
func TestBackendIVRRecordingType(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{Types: RecordingTypes{conversation.Hold: {types.ContactRecordingTypeIvr}}})
	for _, d := range []conversation.Drive{drive(conversation.InProgress, conversation.Paused), drive(conversation.Paused, conversation.InProgress)} {
		if _, err := b.Drive(context.Background(), conv("c1", ""), d); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range srv.Calls() {
		if c.ContactRecordingType != "IVR" || c.Status != 200 {
			t.Fatalf("call = %+v", c)
		}
	}
	if _, err := NewBackend(b.client, BackendConfig{InstanceARN: testInstanceARN, State: testState(t),
		Types: RecordingTypes{conversation.Hold: {"VIDEO"}}}); err == nil {
		t.Fatal("recording type VIDEO accepted")
	}
}

func TestBackendStartsWhatNeverStarted(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	st, err := b.Drive(context.Background(), conv("c1", ""), drive(conversation.NotStarted, conversation.InProgress))
	if err != nil || st != conversation.InProgress {
		t.Fatalf("%q, %v", st, err)
	}
	call := srv.Calls()[0]
	if call.Operation != connecttest.OpStart || call.VoiceRecordingTrack != "ALL" {
		t.Fatalf("call = %+v", call)
	}
}

func TestBackendTranscriptionIsTrackingOnly(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	d := drive(conversation.InProgress, conversation.Paused)
	d.Capability = conversation.Transcription
	st, err := b.Drive(context.Background(), conv("c1", ""), d)
	if err != nil || st != conversation.Paused {
		t.Fatalf("%q, %v", st, err)
	}
	if n := len(srv.Calls()); n != 0 {
		t.Fatalf("%d calls for transcription", n)
	}
}

func TestBackendErrors(t *testing.T) {
	cases := []struct {
		fault     connecttest.Fault
		permanent bool
		words     []string
	}{
		{connecttest.NotFound, true, []string{"ResourceNotFoundException", "HTTP 404", "the contact is gone", "was not found", "c1"}},
		{connecttest.Invalid, true, []string{"InvalidRequestException", "HTTP 400", "not valid"}},
		{connecttest.Throttled, false, []string{"ThrottlingException", "HTTP 429", "throttled"}},
		{connecttest.InternalError, false, []string{"InternalServiceException", "HTTP 500"}},
		{connecttest.AccessDenied, true, []string{"AccessDeniedException", "HTTP 403", "access denied",
			"allow the IAM action connect:SuspendContactRecording on " + testInstanceARN + "/contact/c1"}},
		{connecttest.InactiveRegion, true, []string{"InvalidActiveRegionException", "HTTP 403", "active in another Region"}},
	}
	for _, tc := range cases {
		t.Run(tc.fault.Type, func(t *testing.T) {
			b, srv := newTestBackend(t, BackendConfig{})
			srv.FailNext(1, tc.fault)
			_, err := b.Drive(context.Background(), conv("c1", ""), drive(conversation.InProgress, conversation.Paused))
			if err == nil {
				t.Fatal("no error")
			}
			if engine.IsPermanent(err) != tc.permanent {
				t.Fatalf("permanent = %v for %v", !tc.permanent, err)
			}
			var ce *CallError
			if !errors.As(err, &ce) || ce.Status != tc.fault.Status || ce.Code != tc.fault.Type {
				t.Fatalf("error %v: %+v", err, ce)
			}
			for _, w := range tc.words {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("%q does not say %q", err, w)
				}
			}
			if n := len(srv.Calls()); n != 1 {
				t.Fatalf("%d calls: the SDK retried by itself", n)
			}
			// the fault was for one call only: the engine's retry succeeds
			if _, err := b.Drive(context.Background(), conv("c1", ""), drive(conversation.InProgress, conversation.Paused)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBackendFaultForOneContact(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	srv.FailContact("gone", connecttest.NotFound)
	ctx := context.Background()
	_, err := b.Drive(ctx, conv("gone", ""), drive(conversation.InProgress, conversation.Paused))
	if !engine.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	if _, err := b.Drive(ctx, conv("other", ""), drive(conversation.InProgress, conversation.Paused)); err != nil {
		t.Fatal(err)
	}
}

// A client made without NewClient keeps the SDK's retryer; Drive still makes
// one attempt per call.
func TestBackendDisablesSDKRetriesOnAnyClient(t *testing.T) {
	srv := connecttest.Start(t)
	client := connect.New(connect.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
	})
	b, err := NewBackend(client, BackendConfig{InstanceARN: testInstanceARN, State: testState(t)})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(3, connecttest.InternalError)
	if _, err := b.Drive(context.Background(), conv("c1", ""), drive(conversation.InProgress, conversation.Paused)); err == nil {
		t.Fatal("no error")
	}
	if n := len(srv.Calls()); n != 1 {
		t.Fatalf("%d attempts, want 1", n)
	}
}

// Concurrent drives of one operation share its limiter: n calls with burst
// b cannot all be made before (n-b)/rate has passed.
func TestBackendLimiterSpacesAllCalls(t *testing.T) {
	const n, r, burst = 6, 50, 1
	b, srv := newTestBackend(t, BackendConfig{Rate: r, Burst: burst})
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := b.Drive(context.Background(), conv(fmt.Sprint("c", i), ""), drive(conversation.InProgress, conversation.Paused)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	calls := srv.Calls()
	if len(calls) != n {
		t.Fatalf("%d calls", len(calls))
	}
	min := time.Duration(n-burst) * time.Second / r
	if span := calls[n-1].At.Sub(start); span < min {
		t.Fatalf("%d calls within %v, limiter allows no less than %v", n, span, min)
	}
}

// Each operation has its own bucket, as Connect counts each on its own
// quota: with one token an hour, a suspend, a resume, a start and a stop
// all go out at once, and only a second suspend has to wait.
func TestBackendLimiterPerOperation(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{Rate: rate.Every(time.Hour), Burst: 1})
	ctx := context.Background()
	for _, d := range []conversation.Drive{
		drive(conversation.InProgress, conversation.Paused),
		drive(conversation.Paused, conversation.InProgress),
		drive(conversation.NotStarted, conversation.InProgress),
		drive(conversation.InProgress, conversation.Stopped),
	} {
		if _, err := b.Drive(ctx, conv("c1", ""), d); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if _, err := b.Drive(cctx, conv("c1", ""), drive(conversation.InProgress, conversation.Paused)); err == nil {
		t.Fatal("a second suspend went out within the hour")
	}
	if got := srv.Ops(); len(got) != 4 {
		t.Fatalf("calls %q", got)
	}
}

// With Connect's own quota on the fake, concurrent holds through the
// default limiter are never throttled. The fake forgives calls up to 250 ms
// early: the first call's latency (a new connection) can exceed a later
// one's by that much on a loaded machine, and the client's limiter counts
// from when it sends.
func TestBackendDefaultLimiterStaysUnderTheQuota(t *testing.T) {
	const holds = 9
	b, srv := newTestBackend(t, BackendConfig{Rate: DefaultRate, Burst: DefaultBurst})
	srv.SetQuota(float64(DefaultRate), DefaultBurst, 250*time.Millisecond)
	var wg sync.WaitGroup
	for i := range holds {
		wg.Go(func() {
			if _, err := b.Drive(context.Background(), conv(fmt.Sprint("c", i), ""), drive(conversation.InProgress, conversation.Paused)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for _, c := range srv.Calls() {
		if c.Status != 200 {
			t.Fatalf("throttled: %q", srv.Ops())
		}
	}
}

func TestBackendLimiterHonoursContext(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{Rate: 0.001, Burst: 1})
	ctx := context.Background()
	if _, err := b.Drive(ctx, conv("c1", ""), drive(conversation.InProgress, conversation.Paused)); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := b.Drive(cctx, conv("c1", ""), drive(conversation.Paused, conversation.InProgress))
	if err == nil || engine.IsPermanent(err) {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Fatalf("%d calls", n)
	}
}

func TestBackendRejectsUnreachableTarget(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	_, err := b.Drive(context.Background(), conv("c1", ""), drive(conversation.InProgress, conversation.Unknown))
	if !engine.IsPermanent(err) || len(srv.Calls()) != 0 {
		t.Fatalf("err = %v, calls %d", err, len(srv.Calls()))
	}
}

func TestNewBackendValidates(t *testing.T) {
	client := connect.New(connect.Options{Region: "us-east-1"})
	st := testState(t)
	bad := []BackendConfig{
		{State: st},
		{InstanceARN: "arn:aws:connect:us-east-1:1:queue/x", State: st},
		{InstanceARN: "arn:aws:connect:us-east-1:1:instance/", State: st},
		{InstanceARN: "not/an/id", State: st},
		{InstanceARN: testInstanceARN, State: st, Types: RecordingTypes{conversation.Hold: {"VIDEO"}}},
		{InstanceARN: testInstanceARN, State: st, Types: RecordingTypes{conversation.Hold: nil}},
		{InstanceARN: testInstanceARN},
	}
	for _, cfg := range bad {
		if _, err := NewBackend(client, cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	if _, err := NewBackend(nil, BackendConfig{InstanceARN: testInstanceARN, State: st}); err == nil {
		t.Error("nil client accepted")
	}
}

func TestInstanceID(t *testing.T) {
	for in, want := range map[string]string{
		testInstanceARN: testInstanceID,
		testInstanceID:  testInstanceID,
	} {
		got, err := InstanceID(in)
		if err != nil || got != want {
			t.Errorf("InstanceID(%q) = %q, %v", in, got, err)
		}
	}
}

func TestBackendDoesNotStopAnEndedContact(t *testing.T) {
	b, srv := newTestBackend(t, BackendConfig{})
	c := conv("c1", "")
	c.CallState = conversation.Ended
	st, err := b.Drive(context.Background(), c, drive(conversation.Paused, conversation.Stopped))
	if err != nil || st != conversation.Stopped {
		t.Fatalf("drive = %q, %v", st, err)
	}
	if calls := srv.Ops(); len(calls) != 0 {
		t.Fatalf("calls %q: Connect stops an ended contact's recording by itself", calls)
	}
}
