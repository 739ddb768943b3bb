package console

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	sdk "github.com/hush-cc/hush/sdk/js"
)

func get(t *testing.T, srv *httptest.Server, method, path string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, path, err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return res, string(body)
}

func TestHandlerServesConsoleAndSDK(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	tests := []struct {
		path, contentType, contains string
		csp                         bool
	}{
		{"/", "text/html", `<script type="module" src="js/main.js"></script>`, true},
		{"/app.css", "text/css", ".timeline", false},
		{"/js/main.js", "text/javascript", "from '../sdk/hush.js'", false},
		{"/js/timeline.js", "text/javascript", "export function buildRows", false},
		{"/pay/", "text/html", `id="pay-form"`, true},
		{"/pay/pay.js", "text/javascript", "completeUrl", false},
		{"/sdk/hush.js", "text/javascript", "export function connect", false},
		{"/sdk/ccaas-compat.js", "text/javascript", "voiceOrVideoCalling", false},
	}
	for _, tc := range tests {
		res, body := get(t, srv, http.MethodGet, tc.path)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", tc.path, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, ct, tc.contentType)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("GET %s: body lacks %q", tc.path, tc.contains)
		}
		if got := res.Header.Get("Content-Security-Policy") != ""; got != tc.csp {
			t.Errorf("GET %s: CSP present = %v, want %v", tc.path, got, tc.csp)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", tc.path)
		}
	}
}

func TestSDKFilesAreTheEmbeddedOnes(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for path, name := range sdkFiles {
		want, err := fs.ReadFile(sdk.FS, name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		onDisk, err := os.ReadFile("../../sdk/js/" + name)
		if err != nil {
			t.Fatalf("read sdk/js/%s: %v", name, err)
		}
		if string(want) != string(onDisk) {
			t.Errorf("embedded %s differs from sdk/js/%s", name, name)
		}
		res, body := get(t, srv, http.MethodGet, path)
		if body != string(want) {
			t.Errorf("GET %s: body differs from %s", path, name)
		}
		if res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("GET %s: other origins cannot load it", path)
		}
	}
}

func TestHandlerRefusesWhatItShouldNotServe(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	tests := []struct {
		method, path string
		status       int
		location     string
	}{
		{http.MethodGet, "/js/", http.StatusNotFound, ""},
		{http.MethodGet, "/js", http.StatusNotFound, ""},
		{http.MethodGet, "/nope.js", http.StatusNotFound, ""},
		{http.MethodGet, "/console.go", http.StatusNotFound, ""},
		{http.MethodGet, "/README.md", http.StatusNotFound, ""},
		{http.MethodGet, "/sdk/embed.go", http.StatusNotFound, ""},
		{http.MethodGet, "/pay", http.StatusMovedPermanently, "/pay/"},
		{http.MethodGet, "/index.html", http.StatusMovedPermanently, "./"},
		{http.MethodPost, "/", http.StatusMethodNotAllowed, ""},
		{http.MethodDelete, "/sdk/hush.js", http.StatusMethodNotAllowed, ""},
	}
	for _, tc := range tests {
		res, _ := get(t, srv, tc.method, tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, res.StatusCode, tc.status)
		}
		if tc.location != "" && res.Header.Get("Location") != tc.location {
			t.Errorf("%s %s: Location %q, want %q", tc.method, tc.path, res.Header.Get("Location"), tc.location)
		}
	}
	res, body := get(t, srv, http.MethodHead, "/")
	if res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /: status %d, body %d bytes", res.StatusCode, len(body))
	}
}

var (
	scriptTag     = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	handlerAttr   = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	styleAttr     = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=`)
	styleTag      = regexp.MustCompile(`(?i)<style\b`)
	javascriptURL = regexp.MustCompile(`(?i)javascript:`)
)

// The pages must run under a CSP without 'unsafe-inline'.
func TestPagesHaveNoInlineScriptOrStyle(t *testing.T) {
	pages := map[string]string{}
	for _, name := range []string{"index.html", "pay/index.html"} {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		pages[name] = string(b)
	}
	b, err := os.ReadFile("../../sdk/js/testdata/customization.html")
	if err != nil {
		t.Fatalf("read customization.html: %v", err)
	}
	pages["customization.html"] = string(b)

	for name, page := range pages {
		for _, m := range scriptTag.FindAllStringSubmatch(page, -1) {
			if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
				t.Errorf("%s: inline script %q", name, m[0])
			}
		}
		for _, re := range []*regexp.Regexp{handlerAttr, styleAttr, styleTag, javascriptURL} {
			if loc := re.FindStringIndex(page); loc != nil {
				t.Errorf("%s: %q at %d", name, page[loc[0]:loc[1]], loc[0])
			}
		}
	}
	// Scripts must not set inline styles or HTML either.
	err = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		src, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "setAttribute('style'", ".style.", "eval("} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s uses %s", p, bad)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
}

var (
	byIDCall   = regexp.MustCompile("byId\\(['\"]([A-Za-z0-9_-]+)['\"]\\)")
	dollarCall = regexp.MustCompile(`\$\('([A-Za-z0-9_-]+)'\)`)
	documented = regexp.MustCompile("`#([a-z][a-z0-9-]*)")
	htmlID     = regexp.MustCompile(`\sid="([^"]+)"`)
)

func ids(t *testing.T, name string) map[string]bool {
	t.Helper()
	b, err := fs.ReadFile(files, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	out := map[string]bool{}
	for _, m := range htmlID.FindAllStringSubmatch(string(b), -1) {
		if out[m[1]] {
			t.Errorf("%s: id %q used twice", name, m[1])
		}
		out[m[1]] = true
	}
	return out
}

// Every id the scripts look up and the README documents must exist, so a
// renamed element fails here rather than in a browser.
func TestIDsExist(t *testing.T) {
	console := ids(t, "index.html")
	pay := ids(t, "pay/index.html")

	// Ids the scripts build from capability and operation names.
	for _, c := range []string{"recording", "transcription"} {
		for _, suffix := range []string{"state", "reasons", "problem", "start", "pause", "resume"} {
			if !console[c+"-"+suffix] {
				t.Errorf("index.html lacks #%s-%s", c, suffix)
			}
		}
	}
	for _, v := range []string{"agent", "supervisor", "audit"} {
		for _, prefix := range []string{"nav-", "view-"} {
			if !console[prefix+v] {
				t.Errorf("index.html lacks #%s%s", prefix, v)
			}
		}
		if !console[v+"-title"] {
			t.Errorf("index.html lacks #%s-title", v)
		}
	}

	err := fs.WalkDir(files, "js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		for _, m := range byIDCall.FindAllStringSubmatch(string(src), -1) {
			if !console[m[1]] {
				t.Errorf("%s looks up #%s, which index.html lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	paySrc, err := fs.ReadFile(files, "pay/pay.js")
	if err != nil {
		t.Fatalf("read pay.js: %v", err)
	}
	for _, m := range dollarCall.FindAllStringSubmatch(string(paySrc), -1) {
		if !pay[m[1]] {
			t.Errorf("pay.js looks up #%s, which pay/index.html lacks", m[1])
		}
	}

	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("read README.md: %v", err)
	}
	n := 0
	for _, m := range documented.FindAllStringSubmatch(string(readme), -1) {
		n++
		if !console[m[1]] && !pay[m[1]] {
			t.Errorf("README.md documents #%s, which no page has", m[1])
		}
	}
	if n < 50 {
		t.Errorf("README.md documents only %d ids", n)
	}
}

var importFrom = regexp.MustCompile(`(?m)^import .* from '([^']+)';`)

// Every module import must resolve to a file the handler serves.
func TestModuleImportsResolve(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		src, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		for _, m := range importFrom.FindAllStringSubmatch(string(src), -1) {
			target := resolveImport("/"+p, m[1])
			if res, _ := get(t, srv, http.MethodGet, target); res.StatusCode != http.StatusOK {
				t.Errorf("%s imports %s (%s): status %d", p, m[1], target, res.StatusCode)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
}

func resolveImport(from, spec string) string {
	dir := from[:strings.LastIndex(from, "/")+1]
	parts := strings.Split(strings.TrimSuffix(dir, "/"), "/")
	for _, seg := range strings.Split(spec, "/") {
		switch seg {
		case ".":
		case "..":
			if len(parts) > 1 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, seg)
		}
	}
	return strings.Join(parts, "/")
}

func TestResolve(t *testing.T) {
	tests := []struct{ in, name, redirect string }{
		{"/", "index.html", ""},
		{"", "index.html", ""},
		{"/pay/", "pay/index.html", ""},
		{"/pay", "", "/pay/"},
		{"/js/../app.css", "app.css", ""},
		{"/../../app.css", "app.css", ""},
	}
	for _, tc := range tests {
		name, redirect, err := resolve(tc.in)
		if err != nil {
			t.Errorf("resolve(%q): %v", tc.in, err)
			continue
		}
		if name != tc.name || redirect != tc.redirect {
			t.Errorf("resolve(%q) = %q, %q; want %q, %q", tc.in, name, redirect, tc.name, tc.redirect)
		}
	}
	for _, bad := range []string{"/js", "/js/", "/missing", "/pay/missing.js"} {
		if _, _, err := resolve(bad); err == nil {
			t.Errorf("resolve(%q) succeeded", bad)
		}
	}
}
