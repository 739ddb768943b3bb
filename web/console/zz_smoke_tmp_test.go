//go:build smoketmp

package console

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const base = "http://127.0.0.1:8099"

func shot(t *testing.T, ctx context.Context, name string) {
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile("/tmp/smoke/"+name+".png", buf, 0o644)
}

func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		*dst = v
		return chromedp.Void{}, err
	}
}

func TestSmoke(t *testing.T) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.Flag("no-sandbox", true), chromedp.WindowSize(1280, 800))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	var problems []string
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, fmt.Sprintf("exception: %s %v", e.ExceptionDetails.Text, e.ExceptionDetails.Exception))
		case runtime.EventExceptionThrown:
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
	var s1, s2, s3, sel string
	must := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			shot(t, ctx, "fail-"+strings.ReplaceAll(step, " ", "-"))
			t.Fatalf("%s: %v (problems: %v)", step, err, problems)
		}
	}
	must("sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("signin-key")),
		chromedp.SendKeys(chromedp.ID("signin-key"), "agent-key"),
		chromedp.Click(chromedp.ID("signin-submit")),
		chromedp.WaitVisible(chromedp.ID("agent-panel")),
		chromedp.WaitVisible(chromedp.CSS(`#stream-status[data-status="open"]`)),
		into(&sel, chromedp.Value(chromedp.ID("agent-conversation"))),
	)
	t.Logf("focused: %s", sel)
	must("hold seen", chromedp.WaitVisible(chromedp.CSS(`#recording-reasons li[data-kind="hold"]`)))
	shot(t, ctx, "agent-hold")
	must("unhold seen", chromedp.WaitNotPresent(chromedp.CSS(`#recording-reasons li[data-kind="hold"]`)))
	must("pause",
		chromedp.SendKeys(chromedp.ID("agent-note"), "card number"),
		chromedp.Click(chromedp.ID("recording-pause")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="paused"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#agent-events li[data-type="recording.operation.completed"][data-result="succeeded"]`)),
		into(&s1, chromedp.Text(chromedp.ID("recording-state"))),
		into(&s2, chromedp.Text(chromedp.ID("recording-reasons"))),
	)
	t.Logf("paused: %q reasons %q", s1, s2)
	shot(t, ctx, "agent-paused")
	must("resume",
		chromedp.Click(chromedp.ID("recording-resume")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)),
	)
	must("failure",
		chromedp.SendKeys(chromedp.ID("agent-note"), "fail"),
		chromedp.Click(chromedp.ID("transcription-pause")),
		chromedp.WaitVisible(chromedp.ID("agent-error")),
		into(&s3, chromedp.Text(chromedp.ID("agent-error"))),
	)
	t.Logf("error: %q", s3)
	must("resume transcription", chromedp.Click(chromedp.ID("transcription-resume")), chromedp.WaitVisible(chromedp.CSS(`#transcription-state[data-state="in-progress"]`)))
	var cd, href string
	must("take payment expires",
		chromedp.SetValue(chromedp.ID("payment-ttl"), "4"),
		chromedp.Click(chromedp.ID("payment-take")),
		chromedp.WaitVisible(chromedp.ID("payment-active")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-reasons li[data-kind="secure"]`)),
		into(&cd, chromedp.Text(chromedp.ID("payment-countdown"))),
		into(&href, chromedp.Evaluate[string](`document.getElementById('payment-link').href`)),
	)
	t.Logf("countdown %q link %q", cd, href)
	shot(t, ctx, "agent-payment")
	must("expired", chromedp.WaitVisible(chromedp.CSS(`#payment-result[data-state="expired"]`)), chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)))
	must("take payment completes",
		chromedp.SetValue(chromedp.ID("payment-ttl"), ""),
		chromedp.Click(chromedp.ID("payment-take")),
		chromedp.WaitVisible(chromedp.ID("payment-active")),
		into(&href, chromedp.Evaluate[string](`document.getElementById('payment-link').href`)),
	)
	// Pay in a second tab, as the customer would. The config template's
	// completeUrl needs auth in this fake, so use the token form.
	payURL := strings.Replace(href, "%2Fcomplete", "%2Fcomplete%3Ftoken%3Dtok", 1)
	pctx, pcancel := chromedp.NewContext(ctx)
	var done string
	if err := chromedp.Do(pctx,
		chromedp.Navigate(payURL),
		chromedp.WaitVisible(chromedp.ID("pay-number")),
		chromedp.SendKeys(chromedp.ID("pay-number"), "4111111111111111"),
		chromedp.SendKeys(chromedp.ID("pay-cvc"), "123"),
		chromedp.Click(chromedp.ID("pay-submit")),
		chromedp.WaitVisible(chromedp.ID("pay-done")),
		into(&done, chromedp.Text(chromedp.ID("pay-status"))),
	); err != nil {
		t.Fatalf("pay page: %v", err)
	}
	t.Logf("pay: %q", done)
	shotctx := pctx
	shot(t, shotctx, "pay-done")
	pcancel()
	must("completed", chromedp.WaitVisible(chromedp.CSS(`#payment-result[data-state="completed"]`)))
	shot(t, ctx, "agent-payment-done")
	var navSup bool
	must("agent nav", into(&navSup, chromedp.Evaluate[bool](`!document.getElementById('nav-supervisor').hidden`)))
	t.Logf("agent sees supervisor nav: %v", navSup)

	must("sign in supervisor",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("signin-key")),
		chromedp.SendKeys(chromedp.ID("signin-key"), "sup-key"),
		chromedp.Click(chromedp.ID("signin-submit")),
		chromedp.WaitVisible(chromedp.ID("view-supervisor")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="live-call"][data-conversation-id="call-other"] [data-testid="timeline"]`)),
	)
	var nspans int
	must("spans", into(&nspans, chromedp.Evaluate[int](`document.querySelectorAll('[data-conversation-id="call-new"] rect[data-testid="timeline-span"]').length`)))
	t.Logf("spans on call-new (no history seen by this sign-in): %d", nspans)
	must("pause from agent panel as supervisor", chromedp.Navigate(base+"/#agent"), chromedp.WaitVisible(chromedp.ID("agent-panel")))
	must("supervisor pause",
		chromedp.Click(chromedp.ID("recording-pause")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="paused"]`)),
		chromedp.Click(chromedp.ID("nav-supervisor")),
		chromedp.WaitVisible(chromedp.CSS(`[data-conversation-id="call-new"] rect[data-row="recording"][data-kind="paused"][data-reason="manual"]`)),
	)
	shot(t, ctx, "supervisor")
	must("supervisor resume",
		chromedp.Click(chromedp.ID("nav-agent")),
		chromedp.WaitVisible(chromedp.ID("agent-panel")),
		chromedp.Click(chromedp.ID("recording-resume")),
		chromedp.WaitVisible(chromedp.CSS(`#recording-state[data-state="in-progress"]`)),
		chromedp.Click(chromedp.ID("nav-supervisor")),
		chromedp.WaitVisible(chromedp.CSS(`[data-conversation-id="call-new"] rect[data-row="recording"][data-kind="paused"][data-reason="manual"]`)),
	)
	must("ended",
		chromedp.WaitVisible(chromedp.CSS(`button[data-testid="ended-open"][data-conversation-id="call-ended"]`)),
		chromedp.Click(chromedp.CSS(`button[data-testid="ended-open"][data-conversation-id="call-ended"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ended-transcript li[data-testid="transcript-segment"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#ended-timeline rect[data-reason="manual"]`)),
		into(&s1, chromedp.Text(chromedp.ID("ended-audio-status"))),
	)
	t.Logf("audio status: %q", s1)
	shot(t, ctx, "supervisor-ended")
	must("narrow", chromedp.EmulateViewport(400, 800))
	shot(t, ctx, "supervisor-narrow")
	must("wide", chromedp.EmulateViewport(1280, 800))
	must("audit",
		chromedp.Click(chromedp.ID("nav-audit")),
		chromedp.WaitVisible(chromedp.CSS(`#audit-verify[data-ok="true"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-rows tr[data-testid="audit-row"]`)),
		chromedp.SendKeys(chromedp.ID("audit-reason"), "hold"),
		chromedp.Click(chromedp.ID("audit-apply")),
		chromedp.Sleep(300*time.Millisecond),
		into(&nspans, chromedp.Evaluate[int](`document.querySelectorAll('#audit-rows tr').length`)),
	)
	t.Logf("audit rows with hold: %d", nspans)
	shot(t, ctx, "audit")

	cctx, ccancel := chromedp.NewContext(ctx)
	defer ccancel()
	var ev, st string
	if err := chromedp.Do(cctx,
		chromedp.Navigate(base+"/cz/customization.html"),
		chromedp.WaitVisible(chromedp.ID("cz-handlers")),
		chromedp.WaitVisible(chromedp.CSS(`#cz-recording-state[data-state="in-progress"]`)),
		chromedp.Click(chromedp.ID("cz-pause-recording")),
		chromedp.WaitVisible(chromedp.CSS(`#cz-recording-state[data-state="paused"]`)),
		into(&ev, chromedp.Text(chromedp.ID("cz-recording-event"))),
		chromedp.Click(chromedp.ID("cz-start-recording")),
		chromedp.WaitVisible(chromedp.CSS(`#cz-recording-state[data-state="in-progress"]`)),
		into(&st, chromedp.Text(chromedp.ID("cz-lwi"))),
	); err != nil {
		shot(t, cctx, "fail-cz")
		t.Fatalf("customization: %v (problems %v)", err, problems)
	}
	shot(t, cctx, "customization")
	t.Logf("cz lwi %q event %q", st, ev)
	for _, p := range problems {
		t.Logf("PROBLEM %s", p)
	}
}
