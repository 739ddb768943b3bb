// Command hush is the control plane that decides when contact-center
// recordings and transcriptions run, pauses them, and proves it.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `hush — pause contact-center recordings and transcriptions, and prove it

Usage:
  hush serve        --data DIR --listen 127.0.0.1:8080 [flags]
  hush demo         [--data DIR] [--listen 127.0.0.1:8080]
  hush keys create  --data DIR --role admin|supervisor|agent|ingest [--agent ID] [--name NAME] [--expires 720h|TIME] [--may-pause=false]
  hush keys list    --data DIR
  hush keys revoke  ID --data DIR
  hush keys rotate  ID --data DIR
  hush audit verify --data DIR [--checkpoints FILE|s3://BUCKET/PREFIX] [--public-key FILE] | --table NAME
  hush recording verify ID --data DIR
  hush recording decrypt FILE --identity FILE [--out FILE]
  hush audit list    --data DIR | --table NAME [--conversation ID] [--after SEQ] [--limit N]
  hush conversations list --data DIR | --table NAME [--active] [--limit N]
  hush version

Every flag can also be set as HUSH_<FLAG> in the environment (--data = HUSH_DATA).
Run "hush <command> -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve":
		err = serve(ctx, rest, stderr, false)
	case cmd == "demo":
		err = serve(ctx, rest, stderr, true)
	case cmd == "keys" && len(rest) > 0 && rest[0] == "create":
		err = keysCreate(ctx, rest[1:], stdout, stderr)
	case cmd == "keys" && len(rest) > 0 && rest[0] == "list":
		err = keysList(ctx, rest[1:], stdout, stderr)
	case cmd == "keys" && len(rest) > 0 && (rest[0] == "revoke" || rest[0] == "rotate"):
		err = keyCommand(ctx, rest[0], rest[1:], stdout, stderr)
	case cmd == "audit" && len(rest) > 0 && rest[0] == "verify":
		err = auditVerify(ctx, rest[1:], stdout, stderr)
	case cmd == "recording" && len(rest) > 0 && rest[0] == "verify":
		err = recordingVerify(ctx, rest[1:], stdout, stderr)
	case cmd == "recording" && len(rest) > 0 && rest[0] == "decrypt":
		err = recordingDecrypt(ctx, rest[1:], stdout, stderr)
	case cmd == "audit" && len(rest) > 0 && rest[0] == "list":
		err = auditList(ctx, rest[1:], stdout, stderr)
	case cmd == "conversations" && len(rest) > 0 && rest[0] == "list":
		err = conversationsList(ctx, rest[1:], stdout, stderr)
	case cmd == "version":
		fmt.Fprintln(stdout, "hush", version)
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "hush: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if ue, ok := err.(usageError); ok {
			fmt.Fprintln(stderr, "hush:", ue.msg)
			return 2
		}
		fmt.Fprintln(stderr, "hush:", err)
		return 1
	}
	return 0
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
