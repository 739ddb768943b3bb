package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hush-cc/hush/internal/server"
)

// printDemoHelp shows a newcomer how to reach the demo. The admin key is
// printed because the demo's data directory is throw-away.
func printDemoHelp(w io.Writer, addr, data string) {
	key, err := os.ReadFile(filepath.Join(data, server.AdminKeyFile))
	admin := strings.TrimSpace(string(key))
	if err != nil {
		admin = "<see " + filepath.Join(data, server.AdminKeyFile) + ">"
	}
	fmt.Fprintf(w, `
  hush demo is running.
    console:   http://%[1]s/
    admin key: %[2]s

  Try it:
    export HUSH=http://%[1]s ADMIN=%[2]s
    AGENT=$(hush keys create --data %[3]s --role agent --agent alice)
    curl -s -H "Authorization: Bearer $ADMIN" -d '{"id":"call-1","agentId":"alice"}' $HUSH/v1/conversations
    curl -s -H "Authorization: Bearer $AGENT" -d '{"reason":"card number","retroactiveMs":2000}' $HUSH/v1/conversations/call-1/recording/pause
    curl -sN -H "Authorization: Bearer $AGENT" $HUSH/v1/events
    hush audit verify --data %[3]s

`, addr, admin, data)
}
