package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// writeFixtures is set by HUSH_WRITE_FIXTURES=1: the test then rewrites
// the JS tests' fixtures from the server's answers.
var writeFixtures = os.Getenv("HUSH_WRITE_FIXTURES") == "1"

const keysFixture = "../../web/console/test/fixtures/keys.json"

// The console's keys view is tested on a fixture of GET /v1/keys holding
// an active named expiring key, a revoked one and an unnamed one. With
// HUSH_WRITE_FIXTURES=1 the answer is written; otherwise the fixture must have the
// same shape as the answer (the same fields in every key), so the two
// cannot drift.
func TestKeysFixtureMatchesTheServer(t *testing.T) {
	e := newEnv(t)
	var k keyBody
	e.mustDo(201, "POST", "/v1/keys", e.admin, map[string]any{"role": "agent", "agentId": "ana", "name": "Ana Lima",
		"expiresAt": time.Now().Add(30 * 24 * time.Hour)}).decode(t, &k)
	e.mustDo(201, "POST", "/v1/keys", e.admin, map[string]any{"role": "supervisor", "name": "Sam Ortiz"}).decode(t, &k)
	e.mustDo(200, "POST", "/v1/keys/"+k.ID+"/revoke", e.admin, nil)
	live := e.mustDo(200, "GET", "/v1/keys", e.admin, nil).body
	if writeFixtures {
		if err := os.MkdirAll(filepath.Dir(keysFixture), 0o755); err != nil {
			t.Fatal(err)
		}
		var v any
		_ = json.Unmarshal(live, &v)
		b, _ := json.MarshalIndent(v, "", "  ")
		if err := os.WriteFile(keysFixture, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := os.ReadFile(keysFixture)
	if err != nil {
		t.Fatalf("%v (run HUSH_WRITE_FIXTURES=1 go test ./internal/api -run KeysFixture)", err)
	}
	if got, want := shapes(t, saved), shapes(t, live); !slices.Equal(got, want) {
		t.Fatalf("fixture key shapes %v, server's %v: rerun with HUSH_WRITE_FIXTURES=1", got, want)
	}
}

// shapes lists, for each key of a GET /v1/keys answer, its sorted field
// names and status.
func shapes(t *testing.T, body []byte) []string {
	t.Helper()
	var list struct{ Keys []map[string]any }
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, k := range list.Keys {
		var names []string
		for n := range k {
			names = append(names, n)
		}
		slices.Sort(names)
		b, _ := json.Marshal(names)
		out = append(out, k["status"].(string)+" "+string(b))
	}
	slices.Sort(out)
	return out
}
