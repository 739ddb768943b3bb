package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/server"
)

// hush serve publishes checkpoints to a file outside its data directory;
// audit verify --checkpoints accepts the intact chain and, after the
// newest entries are deleted and the head rewritten to match (which the
// chain alone cannot see), names the missing entries.
func TestCheckpointsCatchATruncatedTail(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cpFile := filepath.Join(t.TempDir(), "checkpoints.jsonl")
	if code, _, _ := runCLI(t, "serve", "--data", data, "--checkpoint-file", filepath.Join(data, "cp.jsonl")); code == 0 {
		t.Fatal("a checkpoint file inside the data directory was accepted")
	}
	addr, stop := startServe(t, data, "--checkpoint-file", cpFile)
	key, _ := os.ReadFile(filepath.Join(data, "admin.key"))
	admin := strings.TrimSpace(string(key))
	if got := post(t, "http://"+addr+"/v1/conversations", admin, `{"id":"c1","agentId":"alice"}`); got != 201 {
		t.Fatalf("register: %d", got)
	}
	for _, op := range []string{"pause", "resume", "pause"} {
		if got := post(t, "http://"+addr+"/v1/conversations/c1/recording/"+op, admin, `{}`); got != 202 {
			t.Fatalf("%s: %d", op, got)
		}
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	code, out, errs := runCLI(t, "audit", "verify", "--data", data, "--checkpoints", cpFile)
	if code != 0 || !strings.Contains(out, "matches its checkpoints") {
		t.Fatalf("intact: exit %d\n%s%s", code, out, errs)
	}
	db, err := sql.Open("sqlite", filepath.Join(data, "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	var last int
	if err := db.QueryRow("SELECT MAX(seq) FROM audit").Scan(&last); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DELETE FROM audit WHERE seq > (SELECT MAX(seq) - 2 FROM audit)",
		"UPDATE audit_head SET seq = (SELECT MAX(seq) FROM audit), hash = (SELECT hash FROM audit ORDER BY seq DESC LIMIT 1)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if code, out, _ := runCLI(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("the cut chain should pass the chain-only check: exit %d %s", code, out)
	}
	code, out, _ = runCLI(t, "audit", "verify", "--data", data, "--checkpoints", cpFile)
	if code == 0 || !strings.Contains(out, "missing") || !strings.Contains(out, "to "+strconv.Itoa(last)) {
		t.Fatalf("truncated: exit %d\n%s", code, out)
	}
}

func TestRecordingVerify(t *testing.T) {
	data := t.TempDir()
	dir := filepath.Join(data, "recordings")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	wav := filepath.Join(dir, "c1.wav")
	if err := os.WriteFile(wav, []byte("audio"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := server.OpenStore(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := integrity.SealFile(context.Background(), st, "c1", integrity.Recording, wav, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, out, errs := runCLI(t, "recording", "verify", "c1", "--data", data); code != 0 || !strings.Contains(out, "recording c1.wav: intact") {
		t.Fatalf("intact: exit %d %s %s", code, out, errs)
	}
	if err := os.WriteFile(wav, []byte("audi0"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, "recording", "verify", "c1", "--data", data); code != 1 || !strings.Contains(out, "MODIFIED") {
		t.Fatalf("edited: exit %d %s", code, out)
	}
}
