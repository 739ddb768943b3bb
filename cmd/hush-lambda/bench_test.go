package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/hush-cc/hush/internal/amazonconnect/connecttest"
	"github.com/hush-cc/hush/internal/amazonconnect/peertest"
)

// BenchmarkHandler measures agent events per second through the Lambda
// handler: batches of 100 records from 64 agents (connect, then hold and
// unhold in turn), DynamoDB on dynalite, Connect on the fake API. Each
// invocation returns after its Connect calls are made and stored.
func BenchmarkHandler(b *testing.B) {
	e := newLambdaEnvTB(b, peertest.Dynalite(b))
	const agents = 64
	scripts := make([]*connecttest.Script, agents)
	for i := range scripts {
		scripts[i] = connecttest.NewScript(person(fmt.Sprint("bench-", i)), t0)
	}
	var all []events.KinesisEventRecord
	for n := range b.N {
		s := scripts[n%agents]
		state := []string{"CONNECTED", "CONNECTED_ONHOLD"}[(n/agents)%2]
		ev := s.Next(connecttest.Voice(fmt.Sprint("call-", n%agents), state))
		all = append(all, e.record(ev.Agent.ARN, ev.JSON()))
	}
	b.ResetTimer()
	for start := 0; start < len(all); start += 100 {
		batch := events.KinesisEvent{Records: all[start:min(start+100, len(all))]}
		resp, err := e.h.Handle(context.Background(), batch)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			b.Fatalf("batch at %d: %+v, %v", start, resp, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(len(e.connect.Calls()))/b.Elapsed().Seconds(), "calls/s")
}
