package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/testwait"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
	"github.com/hush-cc/hush/internal/server/servertest"
)

// chromiumPath is where Debian's chromium package puts the browser; `make
// test` installs it.
const chromiumPath = "/usr/bin/chromium"

// stepTimeout bounds one step of a browser test. It is generous: the
// machine is shared, and a step that passes never waits for it.
const stepTimeout = 30 * time.Second

// securePage is the secure page template the browser tests give hush. It is
// relative, so it points at hush's own sample page without knowing the port
// before hush listens.
const securePage = "/pay/?sessionId={sessionId}&completeUrl={completeUrl}"

// liveHush is a hush built by server.New, serving on a loopback port.
type liveHush struct {
	t     *testing.T
	url   string
	admin string
	sip   netip.AddrPort // zero when the recorder is off
}

// startLiveHush runs hush in the background until the test ends; tune may
// change its configuration first.
func startLiveHush(t *testing.T, tune func(*server.Config)) *liveHush {
	t.Helper()
	cfg := server.Config{
		Data:   t.TempDir(),
		Listen: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if tune != nil {
		tune(&cfg)
	}
	h := servertest.Start(t, cfg)
	key, err := h.AdminKey()
	if err != nil {
		t.Fatal(err)
	}
	return &liveHush{t: t, url: h.URL(), admin: key, sip: h.SIPAddr()}
}

// testWriter sends hush's warnings to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// do calls the API with key and decodes the answer into out, if given.
func (h *liveHush) do(key, method, path, body string, out any) int {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatalf("%s %s: read: %v", method, path, err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			h.t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
		}
	}
	if res.StatusCode >= 300 {
		h.t.Logf("%s %s -> %d %s", method, path, res.StatusCode, strings.TrimSpace(string(raw)))
	}
	return res.StatusCode
}

// must calls the API and fails the test unless it answers with want.
func (h *liveHush) must(key, method, path, body string, want int, out any) {
	h.t.Helper()
	if got := h.do(key, method, path, body, out); got != want {
		h.t.Fatalf("%s %s: status %d, want %d", method, path, got, want)
	}
}

// newKey creates an API key with the admin key.
func (h *liveHush) newKey(role, agentID string) string {
	h.t.Helper()
	body, _ := json.Marshal(map[string]string{"role": role, "agentId": agentID})
	var out struct {
		Key string `json:"key"`
	}
	h.must(h.admin, "POST", "/v1/keys", string(body), http.StatusCreated, &out)
	if out.Key == "" {
		h.t.Fatalf("POST /v1/keys gave no key for %s %s", role, agentID)
	}
	return out.Key
}

// register creates a live call of agentID with recording and transcription
// in progress.
func (h *liveHush) register(id, agentID string) {
	h.t.Helper()
	body, _ := json.Marshal(map[string]string{
		"id": id, "agentId": agentID, "recording": "in-progress", "transcription": "in-progress",
	})
	h.must(h.admin, "POST", "/v1/conversations", string(body), http.StatusCreated, nil)
}

// platform feeds hold, unhold or end for a call.
func (h *liveHush) platform(id, event string) {
	h.t.Helper()
	h.must(h.admin, "POST", "/v1/conversations/"+id+"/"+event, "{}", http.StatusAccepted, nil)
}

// conversation reads a call with the admin key.
func (h *liveHush) conversation(id string) conversation.View {
	h.t.Helper()
	var v conversation.View
	h.must(h.admin, "GET", "/v1/conversations/"+id, "", http.StatusOK, &v)
	return v
}

// settle waits until hush has confirmed every change asked of a call, so
// that its audit entries are all written.
func (h *liveHush) settle(id string) {
	h.t.Helper()
	testwait.Eventually(h.t, func() (bool, error) {
		c := h.conversation(id)
		return c.Recording.State == c.Recording.DesiredState && c.Transcription.State == c.Transcription.DesiredState, fmt.Errorf("%+v", c)
	}, "call %s to settle", id)
}

// auditEntry is the part of an audit entry the tests look at.
type auditEntry struct {
	Seq            int64  `json:"seq"`
	ConversationID string `json:"conversationId"`
	Actor          string `json:"actor"`
	Action         string `json:"action"`
	Outcome        string `json:"outcome"`
}

// audit lists the audit entries of one conversation.
func (h *liveHush) audit(conversationID string) []auditEntry {
	h.t.Helper()
	var out struct {
		Entries []auditEntry `json:"entries"`
	}
	h.must(h.admin, "GET", "/v1/audit?conversation="+conversationID, "", http.StatusOK, &out)
	return out.Entries
}

// tab is one browser tab of a test, with the page errors it has seen.
type tab struct {
	t    *testing.T
	ctx  context.Context
	name string

	mu       sync.Mutex
	problems []string
}

// newBrowser starts a headless chromium of its own for the test and returns
// its first tab. A missing chromium fails the test: the browser tests are
// part of `make test`, which installs it.
func newBrowser(t *testing.T) *tab {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is not installed at %s (%v): run `make test`, which installs the Debian packages the tests need", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first action starts the browser; it runs without a deadline so
	// that no step's timeout is tied to the browser's life.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return watch(t, ctx, "tab 1")
}

// newTab opens another tab in the same browser.
func (b *tab) newTab(name string) *tab {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open tab %s: %v", name, err)
	}
	return watch(b.t, ctx, name)
}

// attach takes over a tab the page opened itself (a pop-up).
func (b *tab) attach(ctx context.Context, name string) *tab {
	b.t.Helper()
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("attach to %s: %v", name, err)
	}
	return watch(b.t, ctx, name)
}

// watch records a tab's page errors and gives it a 1280×800 viewport.
func watch(t *testing.T, ctx context.Context, name string) *tab {
	t.Helper()
	tb := &tab{t: t, ctx: ctx, name: name}
	if err := chromedp.Listen(ctx, tb.observe); err != nil {
		t.Fatalf("listen to %s: %v", name, err)
	}
	tb.run("1280×800 viewport", chromedp.EmulateViewport(1280, 800))
	return tb
}

// observe keeps uncaught exceptions and console errors for failure messages.
func (b *tab) observe(ev any) {
	var line string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		line = "uncaught: " + d.Text
		if d.Exception != nil {
			line += " " + d.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		line = "console.error: " + strings.Join(parts, " ")
	default:
		return
	}
	b.mu.Lock()
	b.problems = append(b.problems, line)
	b.mu.Unlock()
}

// pageProblems lists what the page reported so far.
func (b *tab) pageProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.problems...)
}

// uncaught lists the uncaught exceptions the page reported so far.
func (b *tab) uncaught() []string {
	var out []string
	for _, p := range b.pageProblems() {
		if strings.HasPrefix(p, "uncaught: ") {
			out = append(out, p)
		}
	}
	return out
}

// run performs a named step, failing the test with what the page showed
// when a step does not finish in time.
func (b *tab) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	numbered := make([]chromedp.Action[chromedp.Void], len(actions))
	for i, a := range actions {
		numbered[i] = func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			v, err := a(ctx, tg)
			if err != nil {
				err = fmt.Errorf("action %d of %d: %w", i+1, len(actions), err)
			}
			return v, err
		}
	}
	if err := chromedp.Do(ctx, numbered...); err != nil {
		b.t.Fatalf("%s: %s: %v\npage errors: %q\npage text:\n%s", b.name, step, err, b.pageProblems(), b.text())
	}
}

// text is the page's visible text, for failure messages.
func (b *tab) text() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ''`))
	if err != nil {
		return "(unavailable: " + err.Error() + ")"
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

// eval evaluates a JavaScript expression (awaiting a promise) in the tab.
func eval[T any](b *tab, step, expr string) T {
	b.t.Helper()
	var v T
	b.run(step, into(&v, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise)))
	return v
}

// into stores the value of an action.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*dst = v
		return chromedp.Void{}, err
	}
}

// pollFunc waits until a page function called with args returns true.
func pollFunc(fn string, args ...any) chromedp.Action[chromedp.Void] {
	// The arguments travel as one JSON text: chromedp passes an empty
	// string argument as undefined.
	encoded, err := json.Marshal(append([]any{}, args...))
	if err != nil {
		return func(context.Context, *chromedp.Target) (chromedp.Void, error) {
			return chromedp.Void{}, fmt.Errorf("poll arguments %v: %w", args, err)
		}
	}
	poll := chromedp.PollFunction[bool](`(args) => (`+fn+`)(...JSON.parse(args))`,
		chromedp.WithPollingArgs(string(encoded)),
		chromedp.WithPollingInterval(50*time.Millisecond),
		// Shorter than the step, so a timeout names what it waited for.
		chromedp.WithPollingTimeout(stepTimeout-5*time.Second))
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, tg)
		if errors.Is(err, chromedp.ErrPollingTimeout) {
			err = fmt.Errorf("still false after %v: %s %q", stepTimeout-5*time.Second, fn, args)
		}
		return chromedp.Void{}, err
	}
}

// waitAttr waits until the element matching css has attr set to want.
func waitAttr(css, attr, want string) chromedp.Action[chromedp.Void] {
	poll := pollFunc(`(sel, attr, want) => { const e = document.querySelector(sel); return !!e && e.getAttribute(attr) === want; }`, css, attr, want)
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := poll(ctx, tg)
		if err == nil {
			return chromedp.Void{}, nil
		}
		// Say what the attribute was instead.
		got, gerr := chromedp.Evaluate[*string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.getAttribute(%q) : null; })()`, css, attr))(ctx, tg)
		switch {
		case gerr != nil:
			return chromedp.Void{}, fmt.Errorf("%s[%s] is not %q: %w", css, attr, want, err)
		case got == nil:
			return chromedp.Void{}, fmt.Errorf("%s[%s] is not %q: no such element or attribute", css, attr, want)
		}
		return chromedp.Void{}, fmt.Errorf("%s[%s] is %q, not %q", css, attr, *got, want)
	}
}

// waitPresent waits until an element matches css.
func waitPresent(css string) chromedp.Action[chromedp.Void] {
	return pollFunc(`(sel) => document.querySelector(sel) !== null`, css)
}

// waitAbsent waits until no element matches css.
func waitAbsent(css string) chromedp.Action[chromedp.Void] {
	return pollFunc(`(sel) => document.querySelector(sel) === null`, css)
}

// waitText waits until the element matching css has text containing want.
func waitText(css, want string) chromedp.Action[chromedp.Void] {
	return pollFunc(`(sel, want) => { const e = document.querySelector(sel); return !!e && e.textContent.includes(want); }`, css, want)
}

// clearInput empties a text field (chromedp.Clear only resets the attribute).
func clearInput(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ''`, id))
}

// signIn opens the console and signs in with key, waiting for the event
// stream to be open.
func (b *tab) signIn(baseURL, key string) {
	b.t.Helper()
	b.run("sign in",
		chromedp.Navigate(baseURL+"/"),
		chromedp.WaitVisible(chromedp.ID("signin-key")),
		chromedp.SendKeys(chromedp.ID("signin-key"), key),
		chromedp.Click(chromedp.ID("signin-submit")),
		chromedp.WaitVisible(chromedp.ID("session-bar")),
		waitAttr("#stream-status", "data-status", "open"),
	)
}

// screenshotDir is artifacts/screenshots at the repository root (the
// tests run in test/e2e); /artifacts/ is git-ignored.
func screenshotDir(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatalf("repository root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s has no go.mod: %v", root, err)
	}
	dir := filepath.Join(root, "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("create %s: %v", dir, err)
	}
	return dir
}

// screenshot saves the whole page as artifacts/screenshots/<name>.png.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	var png []byte
	b.run("screenshot "+name,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.BringToFront, cdp.Empty{})
			return err
		}),
		into(&png, chromedp.FullScreenshot(100)),
	)
	path := filepath.Join(screenshotDir(b.t), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("save %s: %v", path, err)
	}
}

// narrowScreenshot saves the page as a narrow window shows it, and checks
// that nothing is wider than that window.
func (b *tab) narrowScreenshot(name string, width int64) {
	b.t.Helper()
	b.run("narrow window", chromedp.EmulateViewport(width, 800))
	// Layout follows the new width on the next frame.
	b.run("narrow layout", pollFunc(`(w) => window.innerWidth === w`, width))
	over := eval[int64](b, "page width", `document.documentElement.scrollWidth`)
	b.screenshot(name)
	b.run("wide window", chromedp.EmulateViewport(1280, 800))
	if over > width {
		b.t.Errorf("at %d px the page is %d px wide: it scrolls sideways", width, over)
	}
}

// expectNoUncaught fails the test if the page threw an uncaught exception.
func (b *tab) expectNoUncaught() {
	b.t.Helper()
	if u := b.uncaught(); len(u) > 0 {
		b.t.Errorf("%s: the page threw: %q", b.name, u)
	}
}
