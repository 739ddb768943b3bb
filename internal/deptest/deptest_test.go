package deptest

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hush-cc/hush"

// layers lists hush's packages (and the trees under them) from the inside
// out. A package may import packages of its own layer and of the layers
// before it, never of a layer after it.
var layers = []struct {
	name string
	pkgs []string
}{
	// The leaves import nothing of hush: the pure domain and small
	// foundations.
	{"domain and foundations", []string{"internal/conversation", "internal/audit", "internal/backoff", "internal/deptest",
		"internal/clock", "internal/detect", "internal/atrest", "internal/jsonenc"}},
	// Pure folds of the domain's own records.
	{"views of the domain", []string{"internal/timeline"}},
	// Helpers for tests: fakes of the foundations, and the one wait.
	{"test support", []string{"internal/clock/clocktest", "internal/testwait", "internal/jsonenc/jsonenctest"}},
	{"store", []string{"internal/store"}},
	{"engine", []string{"internal/engine", "internal/auth", "internal/integrity", "internal/retention", "internal/feed"}},
	{"adapters, api and console", []string{"internal/amazonconnect", "internal/siprec", "internal/media", "internal/asr",
		"internal/none", "internal/webhook", "internal/api", "internal/demo", "internal/corpus", "internal/anchor", "web", "sdk"}},
	{"server", []string{"internal/server"}},
	{"commands, deployment and end-to-end tests", []string{"cmd", "deploy", "test"}},
}

// storeImplementation reports whether p implements the store contract. The
// assembly chooses one: only the server and the commands import them.
func storeImplementation(p string) bool {
	return strings.HasPrefix(p, "internal/store/") && p != "internal/store/storetest"
}

// pkg is the part of go list's answer the rules read.
type pkg struct {
	ImportPath string
	Standard   bool
	Imports    []string
	Deps       []string
}

// hushPackages lists every package of the module with its imports, as the
// go command resolves them (tests' own imports left out: they link into
// no binary).
func hushPackages(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-deps", "-json=ImportPath,Standard,Imports,Deps", module+"/...")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list: %v", err)
		}
		if rel, ok := local(p.ImportPath); ok {
			pkgs[rel] = p
		}
	}
	if len(pkgs) < 20 {
		t.Fatalf("go list found only %d packages of %s", len(pkgs), module)
	}
	return pkgs
}

// local returns an import path relative to the module, if it is in it.
func local(path string) (string, bool) {
	if path == module {
		return ".", true
	}
	return strings.CutPrefix(path, module+"/")
}

// layerOf returns the index of p's layer, -1 when it is in none.
func layerOf(p string) int {
	best, bestLen := -1, 0
	for i, l := range layers {
		for _, prefix := range l.pkgs {
			if (p == prefix || strings.HasPrefix(p, prefix+"/")) && len(prefix) > bestLen {
				best, bestLen = i, len(prefix)
			}
		}
	}
	return best
}

func TestDependencies(t *testing.T) {
	pkgs := hushPackages(t)
	t.Run("imports point inward", func(t *testing.T) { importsPointInward(t, pkgs) })
	t.Run("the domain is pure", func(t *testing.T) { domainIsPure(t, pkgs) })
	t.Run("the store depends on no adapter", func(t *testing.T) { storeDependsOnNoAdapter(t, pkgs) })
}

func importsPointInward(t *testing.T, pkgs map[string]pkg) {
	for name, p := range pkgs {
		from := layerOf(name)
		if from < 0 {
			t.Errorf("%s is in no layer: place it in deptest_test.go's layers", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, ok := local(imp)
			if !ok {
				continue
			}
			switch to := layerOf(dep); {
			case from == 0:
				t.Errorf("%s (%s) imports %s: the %s layer imports nothing of hush", name, layers[from].name, dep, layers[0].name)
			case to > from:
				t.Errorf("%s (%s) imports %s (%s), a layer further out", name, layers[from].name, dep, layers[to].name)
			case storeImplementation(dep) && from < layerOf("internal/server"):
				t.Errorf("%s imports the store implementation %s: only the server and the commands choose one", name, dep)
			}
		}
	}
}

func domainIsPure(t *testing.T, pkgs map[string]pkg) {
	p, ok := pkgs["internal/conversation"]
	if !ok {
		t.Fatal("internal/conversation not found")
	}
	for _, d := range p.Deps {
		if rel, ok := local(d); ok {
			t.Errorf("internal/conversation depends on %s: it imports only itself and the standard library", rel)
		} else if strings.Contains(strings.SplitN(d, "/", 2)[0], ".") {
			t.Errorf("internal/conversation depends on %s: it imports only itself and the standard library", d)
		}
	}
}

// The store depends on no adapter, so a store links neither an adapter
// nor what an adapter needs: the SQLite store links no AWS SDK.
func storeDependsOnNoAdapter(t *testing.T, pkgs map[string]pkg) {
	adapters := layerOf("internal/amazonconnect")
	for name, p := range pkgs {
		if layerOf(name) != layerOf("internal/store") {
			continue
		}
		for _, d := range p.Deps {
			if rel, ok := local(d); ok && layerOf(rel) >= adapters {
				t.Errorf("%s depends on %s (%s)", name, rel, layers[layerOf(rel)].name)
			}
		}
	}
	for _, name := range []string{"internal/store", "internal/store/sqlite", "internal/store/postgres"} {
		p, ok := pkgs[name]
		if !ok {
			t.Fatalf("%s not found", name)
		}
		for _, d := range p.Deps {
			if strings.HasPrefix(d, "github.com/aws/") {
				t.Errorf("%s links the AWS SDK (%s)", name, d)
				break
			}
		}
	}
}
