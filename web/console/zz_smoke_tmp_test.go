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
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 80)); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	os.WriteFile("/tmp/smoke/"+name+".jpg", buf, 0o644)
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
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+e.ExceptionDetails.Error())
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
	must := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			shot(t, ctx, "fail-"+strings.ReplaceAll(step, " ", "-"))
			t.Fatalf("%s: %v (problems: %v)", step, err, problems)
		}
	}
	must("sign in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#signin-key", chromedp.ByID),
		chromedp.SendKeys("#signin-key", "agent-key", chromedp.ByID),
		chromedp.Click("#signin-submit", chromedp.ByID),
		chromedp.WaitVisible("#agent-panel", chromedp.ByID),
		chromedp.WaitVisible(`#stream-status[data-status="open"]`),
		chromedp.Value("#agent-conversation", &sel, chromedp.ByID),
	)
	t.Logf("focused: %s", sel)
	must("hold seen", chromedp.WaitVisible(`#recording-reasons li[data-kind="hold"]`))
	shot(t, ctx, "agent-hold")
	must("unhold seen", chromedp.WaitNotPresent(`#recording-reasons li[data-kind="hold"]`))
	must("pause",
		chromedp.SendKeys("#agent-note", "card number", chromedp.ByID),
		chromedp.Click("#recording-pause", chromedp.ByID),
		chromedp.WaitVisible(`#recording-state[data-state="paused"]`),
		chromedp.WaitVisible(`#agent-events li[data-type="recording.operation.completed"][data-result="succeeded"]`),
		chromedp.Text("#recording-state", &s1, chromedp.ByID),
		chromedp.Text("#recording-reasons", &s2, chromedp.ByID),
	)
	t.Logf("paused: %q reasons %q", s1, s2)
	shot(t, ctx, "agent-paused")
	must("resume",
		chromedp.Click("#recording-resume", chromedp.ByID),
		chromedp.WaitVisible(`#recording-state[data-state="in-progress"]`),
	)
	must("failure",
		chromedp.SendKeys("#agent-note", "fail", chromedp.ByID),
		chromedp.Click("#transcription-pause", chromedp.ByID),
		chromedp.WaitVisible("#agent-error", chromedp.ByID),
		chromedp.Text("#agent-error", &s3, chromedp.ByID),
	)
	t.Logf("error: %q", s3)
	must("resume transcription", chromedp.Click("#transcription-resume", chromedp.ByID), chromedp.WaitVisible(`#transcription-state[data-state="in-progress"]`))
	var cd, href string
	must("take payment expires",
		chromedp.SetValue("#payment-ttl", "4", chromedp.ByID),
		chromedp.Click("#payment-take", chromedp.ByID),
		chromedp.WaitVisible("#payment-active", chromedp.ByID),
		chromedp.WaitVisible(`#recording-reasons li[data-kind="secure"]`),
		chromedp.Text("#payment-countdown", &cd, chromedp.ByID),
		chromedp.AttributeValue("#payment-link", "href", &href, nil, chromedp.ByID),
	)
	t.Logf("countdown %q link %q", cd, href)
	shot(t, ctx, "agent-payment")
	must("expired", chromedp.WaitVisible(`#payment-result[data-state="expired"]`), chromedp.WaitVisible(`#recording-state[data-state="in-progress"]`))
	must("take payment completes",
		chromedp.SetValue("#payment-ttl", "", chromedp.ByID),
		chromedp.Click("#payment-take", chromedp.ByID),
		chromedp.WaitVisible("#payment-active", chromedp.ByID),
		chromedp.AttributeValue("#payment-link", "href", &href, nil, chromedp.ByID),
	)
	// Pay in a second tab, as the customer would. The config template's
	// completeUrl needs auth in this fake, so use the token form.
	payURL := strings.Replace(href, "%2Fcomplete", "%2Fcomplete%3Ftoken%3Dtok", 1)
	pctx, pcancel := chromedp.NewContext(ctx)
	var done string
	if err := chromedp.Run(pctx,
		chromedp.Navigate(payURL),
		chromedp.WaitVisible("#pay-number", chromedp.ByID),
		chromedp.SendKeys("#pay-number", "4111111111111111", chromedp.ByID),
		chromedp.SendKeys("#pay-cvc", "123", chromedp.ByID),
		chromedp.Click("#pay-submit", chromedp.ByID),
		chromedp.WaitVisible("#pay-done", chromedp.ByID),
		chromedp.Text("#pay-status", &done, chromedp.ByID),
	); err != nil {
		t.Fatalf("pay page: %v", err)
	}
	t.Logf("pay: %q", done)
	shotctx := pctx
	shot(t, shotctx, "pay-done")
	pcancel()
	must("completed", chromedp.WaitVisible(`#payment-result[data-state="completed"]`))
	shot(t, ctx, "agent-payment-done")
	var navSup bool
	must("agent nav", chromedp.Evaluate(`!document.getElementById('nav-supervisor').hidden`, &navSup))
	t.Logf("agent sees supervisor nav: %v", navSup)

	must("sign in supervisor",
		chromedp.Click("#signout", chromedp.ByID),
		chromedp.WaitVisible("#signin-key", chromedp.ByID),
		chromedp.SendKeys("#signin-key", "sup-key", chromedp.ByID),
		chromedp.Click("#signin-submit", chromedp.ByID),
		chromedp.WaitVisible("#view-supervisor", chromedp.ByID),
		chromedp.WaitVisible(`[data-testid="live-call"][data-conversation-id="call-other"] [data-testid="timeline"]`),
	)
	var nspans int
	must("spans", chromedp.Evaluate(`document.querySelectorAll('[data-conversation-id="call-new"] rect[data-testid="timeline-span"]').length`, &nspans))
	t.Logf("spans on call-new (no history seen by this sign-in): %d", nspans)
	must("pause from agent panel as supervisor", chromedp.Navigate(base+"/#agent"), chromedp.WaitVisible("#agent-panel", chromedp.ByID))
	must("supervisor pause",
		chromedp.Click("#recording-pause", chromedp.ByID),
		chromedp.WaitVisible(`#recording-state[data-state="paused"]`),
		chromedp.Click("#nav-supervisor", chromedp.ByID),
		chromedp.WaitVisible(`[data-conversation-id="call-new"] rect[data-row="recording"][data-kind="paused"][data-reason="manual"]`),
	)
	shot(t, ctx, "supervisor")
	must("supervisor resume",
		chromedp.Click("#nav-agent", chromedp.ByID),
		chromedp.WaitVisible("#agent-panel", chromedp.ByID),
		chromedp.Click("#recording-resume", chromedp.ByID),
		chromedp.WaitVisible(`#recording-state[data-state="in-progress"]`),
		chromedp.Click("#nav-supervisor", chromedp.ByID),
		chromedp.WaitVisible(`[data-conversation-id="call-new"] rect[data-row="recording"][data-kind="paused"][data-reason="manual"]`),
	)
	must("ended",
		chromedp.WaitVisible(`button[data-testid="ended-open"][data-conversation-id="call-ended"]`),
		chromedp.Click(`button[data-testid="ended-open"][data-conversation-id="call-ended"]`),
		chromedp.WaitVisible(`#ended-transcript li[data-testid="transcript-segment"]`),
		chromedp.WaitVisible(`#ended-timeline rect[data-reason="manual"]`),
		chromedp.Text("#ended-audio-status", &s1, chromedp.ByID),
	)
	t.Logf("audio status: %q", s1)
	shot(t, ctx, "supervisor-ended")
	must("narrow", chromedp.EmulateViewport(400, 800))
	shot(t, ctx, "supervisor-narrow")
	must("wide", chromedp.EmulateViewport(1280, 800))
	must("audit",
		chromedp.Click("#nav-audit", chromedp.ByID),
		chromedp.WaitVisible(`#audit-verify[data-ok="true"]`),
		chromedp.WaitVisible(`#audit-rows tr[data-testid="audit-row"]`),
		chromedp.SendKeys("#audit-reason", "hold", chromedp.ByID),
		chromedp.Click("#audit-apply", chromedp.ByID),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Evaluate(`document.querySelectorAll('#audit-rows tr').length`, &nspans),
	)
	t.Logf("audit rows with hold: %d", nspans)
	shot(t, ctx, "audit")

	cctx, ccancel := chromedp.NewContext(ctx)
	defer ccancel()
	var ev, st string
	if err := chromedp.Run(cctx,
		chromedp.Navigate(base+"/cz/customization.html"),
		chromedp.WaitVisible(`#cz-handlers`, chromedp.ByID),
		chromedp.WaitVisible(`#cz-recording-state[data-state="in-progress"]`),
		chromedp.Click("#cz-pause-recording", chromedp.ByID),
		chromedp.WaitVisible(`#cz-recording-state[data-state="paused"]`),
		chromedp.Text("#cz-recording-event", &ev, chromedp.ByID),
		chromedp.Click("#cz-start-recording", chromedp.ByID),
		chromedp.WaitVisible(`#cz-recording-state[data-state="in-progress"]`),
		chromedp.Text("#cz-lwi", &st, chromedp.ByID),
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
