package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// An ended, recorded call opened in a fresh console (one that never saw it
// live) draws every paused span: the SBC's hold (source), the secure
// payment and the agent's pause, from the segment map and the server's
// timeline. The list says how long it lasted and how it was paused; the
// transcript says it heard no words rather than listing empty lines.
func TestBrowserEndedCallWithPauses(t *testing.T) {
	c := recordDemoCall(t, "47410-47509")
	h := c.h
	sup := h.newKey("supervisor", "")

	b := newBrowser(t)
	b.signIn(h.url, sup)
	item := `#supervisor-ended li[data-testid="ended-call"][data-conversation-id="` + c.id + `"]`
	open := item + ` button[data-testid="ended-open"]`
	// A span paused for several reasons lists them all in data-reasons.
	span := func(row, reason string) string {
		return `#ended-timeline svg rect[data-testid="timeline-span"][data-row="` + row + `"][data-kind="paused"][data-reasons*="` + reason + `"]`
	}
	b.run("the ended call is listed with its pauses",
		waitPresent(open),
		pollFunc(`(sel) => { const li = document.querySelector(sel); return !!li && ['manual', 'secure', 'source'].every((k) => li.dataset.pauseKinds.split(' ').includes(k)); }`, item),
		waitText(item+` [data-testid="ended-summary"]`, "lasted"),
		pollFunc(`() => /ended call/.test(document.getElementById('supervisor-ended-caption').textContent)`),
	)
	b.run("open it",
		chromedp.Click(open),
		chromedp.WaitVisible(chromedp.ID("ended-detail")),
		waitPresent(span("recording", "source")),
		waitPresent(span("recording", "secure")),
		waitPresent(span("recording", "manual")),
		waitPresent(span("transcription", "secure")),
		waitPresent(span("transcription", "manual")),
		pollFunc(`() => document.getElementById('ended-audio').hasAttribute('src')`),
		pollFunc(`() => /but no words/.test(document.getElementById('ended-transcript-status').textContent)`),
	)
	if n := eval[int](b, "empty transcript lines", `document.querySelectorAll('#ended-transcript li').length`); n != 0 {
		t.Errorf("the transcript lists %d lines of an engine that hears no words", n)
	}
	// The detail sits beside the list on a wide screen, not below it.
	if top := eval[float64](b, "detail offset", `document.getElementById('ended-detail').getBoundingClientRect().top - document.getElementById('supervisor-ended').getBoundingClientRect().top`); top > 200 {
		t.Errorf("the detail opens %.0f px below the top of the list", top)
	}
	b.screenshot("ended-call-pauses")
	b.narrowScreenshot("ended-call-pauses-narrow", 400)
	b.expectNoUncaught()
}

// A live timeline opened mid-call shows the call from its start: the hold
// and the manual pause that ended before the console was opened.
func TestBrowserLiveTimelineFromTheStart(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	sup := h.newKey("supervisor", "")
	h.register("call-mid", "alice")
	h.platform("call-mid", "hold")
	h.platform("call-mid", "unhold")
	h.must(alice, "POST", "/v1/conversations/call-mid/recording/pause", `{"reason":"card"}`, http.StatusAccepted, nil)
	h.must(alice, "POST", "/v1/conversations/call-mid/recording/resume", `{}`, http.StatusAccepted, nil)
	h.settle("call-mid")

	b := newBrowser(t)
	b.signIn(h.url, sup)
	live := `#supervisor-live li[data-testid="live-call"][data-conversation-id="call-mid"]`
	span := func(row, kind, reason string) string {
		return fmt.Sprintf(`%s svg rect[data-testid="timeline-span"][data-row=%q][data-kind=%q][data-reason=%q]`, live, row, kind, reason)
	}
	b.run("the past of the call is drawn",
		waitPresent(span("call", "hold", "hold")),
		waitPresent(span("recording", "paused", "hold")),
		waitPresent(span("recording", "paused", "manual")),
	)
	b.screenshot("live-timeline-from-start")
	b.expectNoUncaught()
}

// The audit view pages newest first and says what it shows; at 400 px it
// reads without sideways scrolling.
func TestBrowserAuditPages(t *testing.T) {
	h := startLiveHush(t, nil)
	// Ended calls: two audit entries each, and no live timelines to draw.
	for i := range 110 {
		id := fmt.Sprintf("call-a%03d", i)
		h.register(id, "alice")
		h.platform(id, "end")
	}
	b := newBrowser(t)
	b.signIn(h.url, h.admin)
	b.run("open the audit", chromedp.Click(chromedp.ID("nav-audit")), waitPresent(`#audit-rows tr[data-testid="audit-row"]`))
	b.run("a first page, newest first, saying older ones exist",
		pollFunc(`() => /^The newest 200 audit entries, newest first; older entries are not shown yet\./.test(document.getElementById('audit-caption').textContent)`),
		chromedp.WaitVisible(chromedp.ID("audit-more")),
	)
	first := eval[[]int](b, "seqs", `[...document.querySelectorAll('#audit-rows tr')].map((tr) => Number(tr.dataset.seq))`)
	for i := 1; i < len(first); i++ {
		if first[i] >= first[i-1] {
			t.Fatalf("audit rows not newest first: %v", first[:i+1])
		}
	}
	b.run("older entries",
		chromedp.Click(chromedp.ID("audit-more")),
		pollFunc(`() => /^All \d+ audit entries, newest first\./.test(document.getElementById('audit-caption').textContent)`),
		chromedp.WaitNotVisible(chromedp.ID("audit-more")),
	)
	all := eval[int](b, "rows", `document.querySelectorAll('#audit-rows tr').length`)
	if all <= 200 {
		t.Fatalf("after showing older entries the table has %d rows", all)
	}
	if txt := eval[string](b, "caption", `document.getElementById('audit-caption').textContent`); !strings.Contains(txt, fmt.Sprint(all)) {
		t.Fatalf("caption %q does not say the %d rows shown", txt, all)
	}
	b.narrowScreenshot("audit-narrow", 400)
	b.expectNoUncaught()
}

// The payment result belongs to its call: when the agent's console moves to
// another call, "Payment complete" does not follow it, and another call's
// payment never shows on this one.
func TestBrowserPaymentResultBelongsToItsCall(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	h.register("call-p1", "alice")
	b := newBrowser(t)
	b.signIn(h.url, alice)
	b.run("the first call is shown", waitAttr("#agent-call-state", "data-state", "connected"))

	pay := func(id string) {
		var sess struct {
			CompleteURL string `json:"completeUrl"`
		}
		h.must(alice, "POST", "/v1/conversations/"+id+"/secure-sessions", `{}`, http.StatusCreated, &sess)
		h.must("", "POST", sess.CompleteURL, "", http.StatusOK, nil)
	}
	pay("call-p1")
	b.run("the payment completes on its call", waitAttr("#payment-result", "data-state", "completed"))

	h.register("call-p2", "alice")
	b.run("a newer call is shown, without the other call's result",
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-p2'`),
		waitAttr("#payment-result", "data-state", ""),
	)
	pay("call-p1")
	h.settle("call-p1")
	b.run("another call's payment does not show here",
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-p2'`),
		waitAttr("#payment-result", "data-state", ""),
	)
	if txt := eval[string](b, "result", `document.getElementById('payment-result').textContent`); txt != "" {
		t.Fatalf("call-p2 shows %q", txt)
	}
	b.screenshot("payment-result-own-call")
	b.expectNoUncaught()
}

// The agent's own pause: the reason field comes before the buttons it
// applies to, Pause is disabled while the agent's pause is held, and the
// pause says when it will end by itself.
func TestBrowserAgentOwnPause(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	h.register("call-own", "alice")
	b := newBrowser(t)
	b.signIn(h.url, alice)
	b.run("the call is shown", waitAttr("#recording-state", "data-desired", "in-progress"))
	if !eval[bool](b, "field order", `!!(document.getElementById('agent-note').compareDocumentPosition(document.getElementById('recording-pause')) & Node.DOCUMENT_POSITION_FOLLOWING)`) {
		t.Error("the reason field comes after the Pause button it applies to")
	}
	b.run("pause with a reason",
		chromedp.SendKeys(chromedp.ID("agent-note"), "date of birth"),
		chromedp.Click(chromedp.ID("recording-pause")),
		waitAttr("#recording-state", "data-desired", "paused"),
		waitPresent(`#recording-reasons li[data-testid="pause-reason"][data-kind="manual"][data-ends-at]`),
		waitText(`#recording-reasons [data-testid="pause-auto-end"]`, "resumes by itself at"),
		pollFunc(`() => document.getElementById('recording-pause').disabled && !document.getElementById('recording-resume').disabled`),
	)
	// 15 minutes after the pause began, by default.
	endsAt := eval[string](b, "ends at", `document.querySelector('#recording-reasons li[data-kind="manual"]').dataset.endsAt`)
	v := h.conversation("call-own")
	if len(v.Recording.PauseReasons) != 1 || v.Recording.PauseReasons[0].Since.Add(15*time.Minute).UTC().Format("2006-01-02T15:04:05.000Z") != endsAt {
		t.Errorf("the pause says it ends at %s; hush holds %+v", endsAt, v.Recording.PauseReasons)
	}
	b.screenshot("agent-own-pause")
	b.run("resume", chromedp.Click(chromedp.ID("recording-resume")), waitAttr("#recording-state", "data-desired", "in-progress"),
		pollFunc(`() => !document.getElementById('recording-pause').disabled`))
	b.expectNoUncaught()
}
