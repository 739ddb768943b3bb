package amazonconnect

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/conversation"
)

// Every call is counted by operation and by what came of it, so an
// operator sees throttling apart from missing permissions.
func TestBackendCountsCallsByErrorType(t *testing.T) {
	reg := prometheus.NewRegistry()
	b, srv := newTestBackend(t, BackendConfig{Registerer: reg})
	ctx := context.Background()
	pause := drive(conversation.InProgress, conversation.Paused)
	for _, f := range []*connecttest.Fault{&connecttest.AccessDenied, &connecttest.Throttled, &connecttest.Throttled, nil} {
		if f != nil {
			srv.FailNext(1, *f)
		}
		_, _ = b.Drive(ctx, conv("c1", ""), pause)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]float64{}
	for _, f := range families {
		if f.GetName() != "hush_connect_calls_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			var l [2]string
			for _, p := range m.GetLabel() {
				switch p.GetName() {
				case "operation":
					l[0] = p.GetValue()
				case "result":
					l[1] = p.GetValue()
				}
			}
			got[l] = m.GetCounter().GetValue()
		}
	}
	want := map[[2]string]float64{
		{"SuspendContactRecording", "AccessDeniedException"}: 1,
		{"SuspendContactRecording", "ThrottlingException"}:   2,
		{"SuspendContactRecording", "ok"}:                    1,
	}
	if len(got) != len(want) {
		t.Errorf("hush_connect_calls_total = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("hush_connect_calls_total%v = %v, want %v", k, got[k], v)
		}
	}
}
