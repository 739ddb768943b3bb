package main

import (
	"bytes"
	"context"
	"database/sql"
	"github.com/hush-cc/hush/internal/testwait"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServe runs `hush serve` in-process until the returned stop is called.
func startServe(t *testing.T, data string, flags ...string) (addr string, stop func() int) {
	t.Helper()
	addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errb bytes.Buffer
	args := append([]string{"serve", "--data", data, "--listen", addr}, flags...)
	go func() { done <- run(ctx, args, &bytes.Buffer{}, &errb) }()
	t.Cleanup(cancel)
	testwait.Eventually(t, func() (bool, error) {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return true, nil
	}, "hush serve to answer")
	return addr, func() int { cancel(); return <-done }
}

func post(t *testing.T, url, key, body string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeBootstrapsAdminKeyAndShutsDownCleanly(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	addr, stop := startServe(t, data)
	fi, err := os.Stat(filepath.Join(data, "admin.key"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin key file mode %v, want 0600", fi.Mode().Perm())
	}
	key, _ := os.ReadFile(filepath.Join(data, "admin.key"))
	admin := strings.TrimSpace(string(key))
	if got := post(t, "http://"+addr+"/v1/conversations", admin, `{"id":"c1","agentId":"alice"}`); got != 201 {
		t.Fatalf("register: %d", got)
	}
	if got := post(t, "http://"+addr+"/v1/conversations/c1/recording/pause", admin, `{}`); got != 202 {
		t.Fatalf("pause: %d", got)
	}
	if code := stop(); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM-equivalent", code)
	}
	// A second start keeps the keys and creates none.
	before, _ := os.ReadFile(filepath.Join(data, "admin.key"))
	_, stop = startServe(t, data)
	after, _ := os.ReadFile(filepath.Join(data, "admin.key"))
	if !bytes.Equal(before, after) {
		t.Fatal("restart replaced the admin key")
	}
	stop()
	if code, out, _ := runCLI(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %q", code, out)
	}
}

func TestKeysCreatePrintsOnlyTheKey(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, "keys", "create", "--data", data, "--role", "agent", "--agent", "alice")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "hush_") {
		t.Fatalf("stdout %q, want the key alone", out)
	}
	if code, _, _ := runCLI(t, "keys", "create", "--data", data, "--role", "agent"); code != 2 {
		t.Fatalf("agent key without --agent: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "keys", "create", "--data", data, "--role", "root"); code != 2 {
		t.Fatalf("unknown role: exit %d, want 2", code)
	}
}

func TestFlagsReadTheEnvironment(t *testing.T) {
	data := t.TempDir()
	t.Setenv("HUSH_DATA", data)
	t.Setenv("HUSH_ROLE", "supervisor")
	if code, _, errs := runCLI(t, "keys", "create"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(data, "hush.db")); err != nil {
		t.Fatalf("HUSH_DATA was not used: %v", err)
	}
	t.Setenv("HUSH_ROLE", "nobody")
	if code, _, errs := runCLI(t, "keys", "create"); code != 2 || !strings.Contains(errs, "nobody") {
		t.Fatalf("a bad HUSH_ROLE: exit %d %q", code, errs)
	}
}

// After any edit, deletion, insertion or reordering made with SQL on the
// database, audit verify exits non-zero and names the first bad entry.
func TestAuditVerifyDetectsTampering(t *testing.T) {
	tampers := map[string]string{
		"edit":    `UPDATE audit SET actor = 'mallory' WHERE seq = 3`,
		"delete":  `DELETE FROM audit WHERE seq = 3`,
		"last":    `DELETE FROM audit WHERE seq = (SELECT MAX(seq) FROM audit)`,
		"insert":  `INSERT INTO audit (seq, at, conversation_id, actor, action, capability, reason, outcome, detail, prev_hash, hash, actor_name) SELECT seq + 1000, at, conversation_id, actor, action, capability, reason, outcome, detail, prev_hash, hash, actor_name FROM audit WHERE seq = 2`,
		"reorder": `UPDATE audit SET seq = CASE seq WHEN 3 THEN 4 WHEN 4 THEN 3 END WHERE seq IN (3, 4)`,
	}
	for name, stmt := range tampers {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			for _, agent := range []string{"a", "b", "c", "d", "e"} {
				if code, _, errs := runCLI(t, "keys", "create", "--data", data, "--role", "agent", "--agent", agent); code != 0 {
					t.Fatal(errs)
				}
			}
			if code, _, errs := runCLI(t, "audit", "verify", "--data", data); code != 0 {
				t.Fatalf("intact chain: exit %d %s", code, errs)
			}
			db, err := sql.Open("sqlite", filepath.Join(data, "hush.db"))
			if err != nil {
				t.Fatal(err)
			}
			if name == "reorder" {
				_, err = db.Exec(`UPDATE audit SET seq = -seq WHERE seq IN (3, 4)`)
				if err == nil {
					_, err = db.Exec(`UPDATE audit SET seq = CASE seq WHEN -3 THEN 4 WHEN -4 THEN 3 END WHERE seq IN (-3, -4)`)
				}
			} else {
				_, err = db.Exec(stmt)
			}
			db.Close()
			if err != nil {
				t.Fatalf("tamper: %v", err)
			}
			code, _, errs := runCLI(t, "audit", "verify", "--data", data)
			if code == 0 {
				t.Fatal("tampered chain verified")
			}
			if !strings.Contains(errs, "entry") {
				t.Fatalf("error does not name the entry: %s", errs)
			}
		})
	}
}

func TestKeysListRevokeRotate(t *testing.T) {
	data := t.TempDir()
	code, out, errs := runCLI(t, "keys", "create", "--data", data, "--role", "supervisor", "--name", "Sam Super", "--expires", "720h")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, errs)
	}
	token := strings.TrimSpace(out)
	id := strings.Split(token, "_")[1]
	_, list, _ := runCLI(t, "keys", "list", "--data", data)
	if !strings.Contains(list, id) || !strings.Contains(list, "Sam Super") || !strings.Contains(list, "active") {
		t.Fatalf("list:\n%s", list)
	}
	code, out, errs = runCLI(t, "keys", "rotate", id, "--data", data)
	if code != 0 || !strings.HasPrefix(out, "hush_") {
		t.Fatalf("rotate: exit %d %q %s", code, out, errs)
	}
	newID := strings.Split(strings.TrimSpace(out), "_")[1]
	if code, _, errs := runCLI(t, "keys", "revoke", "--data", data, newID); code != 0 {
		t.Fatalf("revoke: exit %d: %s", code, errs)
	}
	_, list, _ = runCLI(t, "keys", "list", "--data", data)
	if strings.Count(list, "revoked") != 2 || strings.Count(list, "Sam Super") != 2 {
		t.Fatalf("after rotate and revoke:\n%s", list)
	}
	if code, _, _ := runCLI(t, "keys", "revoke", "--data", data); code != 2 {
		t.Fatalf("revoke without an id: exit %d, want 2", code)
	}
	if code, _, _ := runCLI(t, "keys", "create", "--data", data, "--role", "admin", "--expires", "-1h"); code != 2 {
		t.Fatalf("expiry in the past: exit %d, want 2", code)
	}
	if code, out, _ := runCLI(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %q", code, out)
	}
}
