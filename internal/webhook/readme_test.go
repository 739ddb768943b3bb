package webhook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The README's verification snippet, run by Node, accepts what Sign makes
// now and refuses an old delivery, a changed body and another secret.
func TestReadmeVerifierAgreesWithSign(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "<!-- webhook-verify -->\n```js\n")
	snippet, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("README has no webhook-verify snippet")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run the README's snippet: ", err)
	}
	const secret = "0123456789abcdef-secret"
	body := `{"seq":7,"type":"conversation.ended"}`
	fresh := Sign(secret, time.Now(), []byte(body))
	old := Sign(secret, time.Now().Add(-10*time.Minute), []byte(body))
	js := snippet + `
const [secret, fresh, old, body] = process.argv.slice(2);
console.log(JSON.stringify([
  verifyHush(secret, fresh, Buffer.from(body)),
  verifyHush(secret, old, Buffer.from(body)),
  verifyHush(secret, fresh, Buffer.from(body + ' ')),
  verifyHush(secret + 'x', fresh, Buffer.from(body)),
]));
`
	file := filepath.Join(t.TempDir(), "verify.js")
	if err := os.WriteFile(file, []byte(js), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(node, file, secret, fresh, old, body).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "[true,false,false,false]" {
		t.Fatalf("README verifier answered %s, want [true,false,false,false]", got)
	}
}
