package server

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
)

func TestConnectConfigIsChecked(t *testing.T) {
	peertest.IsolateAWS(t, "AWS_ENDPOINT_URL_CONNECT", "http://127.0.0.1:1", "AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:1")
	arn := connecttest.InstanceARN
	for _, tc := range []struct {
		cc   ConnectConfig
		want string
	}{
		{ConnectConfig{KinesisStream: "s"}, "--kinesis-stream needs --connect-instance-arn"},
		{ConnectConfig{InstanceARN: "arn:aws:connect:us-east-1:1:nothing"}, "instance"},
		{ConnectConfig{InstanceARN: arn, RecordingTypes: "hold=VIDEO"}, "--connect-recording-types"},
		{ConnectConfig{InstanceARN: arn, RecordingTypes: "coffee=AGENT"}, "--connect-recording-types"},
		{ConnectConfig{InstanceARN: arn, MaxRecordAge: -time.Minute}, "--connect-max-record-age"},
		{ConnectConfig{InstanceARN: arn, AgentID: "email"}, "--connect-agent-id"},
		{ConnectConfig{InstanceARN: arn, RecordingState: "paused"}, "--connect-recording-state"},
		{ConnectConfig{InstanceARN: arn, KinesisStream: "s", StartPosition: "AT_TIMESTAMP"}, "--kinesis-start"},
		{ConnectConfig{InstanceARN: arn, KinesisStream: "not a stream"}, "kinesis stream"},
		{ConnectConfig{InstanceARN: arn, Rate: -1}, "--connect-rate"},
		{ConnectConfig{InstanceARN: arn, KinesisStream: "s", KinesisLease: -time.Second}, "--kinesis-lease"},
	} {
		s, err := New(context.Background(), Config{Data: t.TempDir(), Listen: "127.0.0.1:0", Connect: tc.cc, Logger: slog.New(slog.DiscardHandler)})
		if err == nil {
			s.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error about %s", tc.cc, err, tc.want)
		}
	}
}
