package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/hush-cc/hush/internal/amazonconnect"
	"github.com/hush-cc/hush/internal/store/dynamodb"
)

const cliUsage = `usage:
  hush-lambda audit verify --table NAME     check the audit hash chain
  hush-lambda dead-letters --table NAME     list records that could not be applied
AWS settings come from the SDK's standard sources (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB).
`

// runCLI runs an operator command and returns the exit code.
func runCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var cmd string
	switch {
	case len(args) >= 2 && args[0] == "audit" && args[1] == "verify":
		cmd, args = "audit verify", args[2:]
	case len(args) >= 1 && args[0] == "dead-letters":
		cmd, args = "dead-letters", args[1:]
	default:
		fmt.Fprint(stderr, cliUsage)
		return 2
	}
	fs := flag.NewFlagSet("hush-lambda "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	table := fs.String("table", "", "DynamoDB table of the deployment (the stack's TableName output)")
	limit := fs.Int("limit", 100, "most dead letters to list")
	if err := fs.Parse(args); err != nil || *table == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, cliUsage)
		return 2
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "hush-lambda: load AWS config:", err)
		return 1
	}
	st, err := dynamodb.New(ddb.NewFromConfig(awsCfg), *table)
	if err != nil {
		fmt.Fprintln(stderr, "hush-lambda:", err)
		return 1
	}
	if cmd == "audit verify" {
		if err := st.VerifyAudit(ctx); err != nil {
			fmt.Fprintln(stderr, "hush-lambda:", err)
			return 1
		}
		fmt.Fprintln(stdout, "audit chain intact")
		return 0
	}
	dls, err := amazonconnect.ListDeadLetters(ctx, st, *limit)
	if err != nil {
		fmt.Fprintln(stderr, "hush-lambda:", err)
		return 1
	}
	if dls == nil {
		dls = []amazonconnect.DeadLetter{}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"deadLetters": dls}); err != nil {
		fmt.Fprintln(stderr, "hush-lambda:", err)
		return 1
	}
	return 0
}
