// Command hush-lambda is hush as an AWS Lambda function: it takes batches of
// Amazon Connect agent events from a Kinesis event source mapping, applies
// them with the same decoding, rules and engine as hush serve, keeps state
// and the audit chain in DynamoDB, and calls Connect's recording API.
// Build it with `make lambda-zip` for the provided.al2023 runtime.
//
// Run with arguments, it is the operator's tool for that table:
//
//	hush-lambda audit verify --table NAME
//	hush-lambda dead-letters --table NAME [--limit N]
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(runCLI(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	cfg, err := configFromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hush-lambda:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	h, err := newHandler(context.Background(), cfg, log)
	if err != nil {
		log.Error("start", "err", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
