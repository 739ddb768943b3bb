//go:build realsmoketmp

package console

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/auth"
	"github.com/hush-cc/hush/internal/engine"
	"github.com/hush-cc/hush/internal/none"
	"github.com/hush-cc/hush/internal/store/sqlite"
	sdk "github.com/hush-cc/hush/sdk/js"
)

func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*dst = v
		return chromedp.Void{}, err
	}
}

func TestRealSmoke(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "hush.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := engine.New(engine.Config{Store: st, Backends: map[string]engine.Backend{none.Platform: none.Backend{}}})
	if err := eng.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer eng.Close(time.Second)
	issue := func(role auth.Role, agent string) string {
		tok, _, err := auth.Issue(ctx, st, role, agent, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	admin, agent, ingest, sup := issue(auth.Admin, ""), issue(auth.Agent, "alice"), issue(auth.Ingest, ""), issue(auth.Supervisor, "")

	hushSrv := httptest.NewUnstartedServer(nil)
	hushURL := "http://" + hushSrv.Listener.Addr().String()
	cz := http.NewServeMux()
	cz.HandleFunc("/hush-config.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		fmt.Fprintf(w, "window.hushConfig = {baseUrl: %q, apiKey: %q};", hushURL, agent)
	})
	cz.Handle("/sdk/", http.StripPrefix("/sdk/", http.FileServerFS(sdk.FS)))
	cz.Handle("/", http.FileServer(http.Dir("../../sdk/js/testdata")))
	czSrv := httptest.NewServer(cz)
	defer czSrv.Close()
	hushSrv.Config.Handler = api.New(api.Config{Engine: eng, Store: st, Console: Handler(),
		SecurePageURL:  hushURL + "/pay/?sessionId={sessionId}&completeUrl={completeUrl}",
		AllowedOrigins: []string{czSrv.URL}})
	hushSrv.Start()
	defer hushSrv.Close()

	post := func(key, path, body string) {
		req, _ := http.NewRequest("POST", hushURL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Logf("POST %s -> %d %s", path, res.StatusCode, strings.TrimSpace(string(b)))
	}
	post(admin, "/v1/conversations", `{"id":"call-1","agentId":"alice","recording":"in-progress","transcription":"in-progress"}`)
	post(admin, "/v1/conversations", `{"id":"call-bob","agentId":"bob","recording":"in-progress","transcription":"in-progress"}`)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.Flag("no-sandbox", true), chromedp.WindowSize(1280, 800))
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 120*time.Second)
	defer cancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatal(err)
	}
	var problems []string
	chromedp.Listen(bctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception))
		case *runtime.EventConsoleAPICalled:
			if e.Type == "error" || e.Type == "warning" {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(parts, " ")))
			}
		}
	})
	shot := func(c context.Context, name string) {
		buf, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		if err == nil {
			os.WriteFile("/tmp/smoke/real-"+name+".png", buf, 0o644)
		}
	}
	must := func(c context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, actions...); err != nil {
			shot(c, "fail")
			t.Fatalf("%s: %v (problems: %v)", step, err, problems)
		}
	}
	var s1, s2, href string
	var n int
	must(bctx, "sign in agent",
		chromedp.Navigate(hushURL+"/"),
		chromedp.SendKeys(chromedp.ID("signin-key"), agent),
		chromedp.Click(chromedp.ID("signin-submit")),
		chromedp.WaitVisible(chromedp.ID("agent-panel")),
		chromedp.WaitVisible(chromedp.CSS(`#stream-status[data-status="open"]`)),
		into(&n, chromedp.Evaluate[int](`document.querySelectorAll('#agent-conversation option').length`)),
	)
	t.Logf("agent sees %d calls", n)
	must(bctx, "pause",
		chromedp.SendKeys(chromedp.ID("agent-note"), "card number"),
		chromedp.Click(chromedp.ID("recording-pause")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="paused"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#agent-events li[data-type="recording.operation.completed"]`)),
		into(&s1, chromedp.Text(chromedp.ID("recording-reasons"))),
		into(&s2, chromedp.Text(chromedp.ID("agent-events"))),
	)
	t.Logf("reasons %q events %q", s1, s2)
	must(bctx, "resume", chromedp.Click(chromedp.ID("recording-resume")), chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)))
	post(ingest, "/v1/conversations/call-1/hold", `{}`)
	must(bctx, "hold", chromedp.WaitVisible(chromedp.CSS(`#recording-reasons li[data-kind="hold"]`)), chromedp.WaitVisible(chromedp.CSS(`#agent-call-state[data-state="on-hold"]`)))
	post(ingest, "/v1/conversations/call-1/unhold", `{}`)
	must(bctx, "unhold", chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)))
	must(bctx, "payment expires",
		chromedp.SetValue(chromedp.ID("payment-ttl"), "3"),
		chromedp.Click(chromedp.ID("payment-take")),
		chromedp.WaitVisible(chromedp.ID("payment-active")),
		into(&s1, chromedp.Text(chromedp.ID("payment-countdown"))),
		chromedp.WaitVisible(chromedp.CSS(`#payment-result[data-state="expired"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)),
	)
	t.Logf("countdown was %q", s1)
	must(bctx, "payment start",
		chromedp.SetValue(chromedp.ID("payment-ttl"), ""),
		chromedp.Click(chromedp.ID("payment-take")),
		chromedp.WaitVisible(chromedp.ID("payment-active")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="paused"]`)),
		into(&href, chromedp.Evaluate[string](`document.getElementById('payment-link').href`)),
	)
	t.Logf("pay link %s", href)
	pctx, pcancel := chromedp.NewContext(bctx)
	must(pctx, "pay",
		chromedp.Navigate(href),
		chromedp.SendKeys(chromedp.ID("pay-number"), "4111111111111111"),
		chromedp.Click(chromedp.ID("pay-submit")),
		chromedp.WaitVisible(chromedp.ID("pay-done")),
	)
	pcancel()
	must(bctx, "payment completed", chromedp.WaitVisible(chromedp.CSS(`#payment-result[data-state="completed"]`)), chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)))
	shot(bctx, "agent")
	must(bctx, "supervisor",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.SendKeys(chromedp.ID("signin-key"), sup),
		chromedp.Click(chromedp.ID("signin-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="live-call"][data-conversation-id="call-1"] [data-testid="timeline"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-conversation-id="call-1"] rect[data-row="recording"][data-reason="secure"]`)),
		into(&n, chromedp.Evaluate[int](`document.querySelectorAll('[data-conversation-id="call-1"] rect[data-testid="timeline-span"]').length`)),
	)
	t.Logf("supervisor spans %d", n)
	shot(bctx, "supervisor")
	post(ingest, "/v1/conversations/call-bob/end", `{}`)
	must(bctx, "ended", chromedp.WaitVisible(chromedp.CSS(`button[data-testid="ended-open"][data-conversation-id="call-bob"]`)),
		chromedp.Click(chromedp.CSS(`button[data-testid="ended-open"][data-conversation-id="call-bob"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ended-timeline [data-testid="timeline"]`)),
		into(&s1, chromedp.Text(chromedp.ID("ended-audio-status"))),
	)
	t.Logf("ended audio: %q", s1)
	must(bctx, "audit",
		chromedp.Click(chromedp.ID("nav-audit")),
		chromedp.WaitVisible(chromedp.CSS(`#audit-verify[data-ok="true"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-rows tr`)),
		into(&n, chromedp.Evaluate[int](`document.querySelectorAll('#audit-rows tr').length`)),
		into(&s1, chromedp.Text(chromedp.ID("audit-verify"))),
	)
	t.Logf("audit rows %d verify %q", n, s1)
	shot(bctx, "audit")
	cctx, ccancel := chromedp.NewContext(bctx)
	defer ccancel()
	must(cctx, "customization",
		chromedp.Navigate(czSrv.URL+"/customization.html"),
		chromedp.WaitVisible(chromedp.CSS(`#cz-handlers`)),
		chromedp.WaitVisible(chromedp.CSS(`#cz-recording-state[data-state="in-progress"]`)),
		chromedp.Click(chromedp.ID("cz-pause-recording")),
		chromedp.WaitVisible(chromedp.CSS(`#cz-recording-state[data-state="paused"]`)),
		into(&s1, chromedp.Text(chromedp.ID("cz-recording-event"))),
		chromedp.Click(chromedp.ID("cz-start-recording")),
		chromedp.WaitVisible(chromedp.CSS(`#cz-recording-state[data-state="in-progress"]`)),
		into(&s2, chromedp.Text(chromedp.ID("cz-error"))),
	)
	t.Logf("cz event %q error %q", s1, s2)
	shot(cctx, "customization")
	for _, p := range problems {
		t.Logf("PROBLEM %s", p)
	}
}
