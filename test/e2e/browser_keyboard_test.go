package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hush-cc/hush/internal/conversation"
)

// unlabelled lists the visible form controls without an accessible name: an
// associated <label>, aria-label or aria-labelledby for fields, and text or
// aria-label for buttons.
const unlabelled = `(() => {
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const named = (el) => (el.getAttribute('aria-label') || '').trim() !== '' ||
    (el.getAttribute('aria-labelledby') || '').split(/\s+/).some((id) => id && document.getElementById(id)) ||
    (el.labels && [...el.labels].some((l) => l.textContent.trim() !== ''));
  const bad = [];
  for (const el of document.querySelectorAll('input, select, textarea, button')) {
    if (!visible(el) || el.type === 'hidden') continue;
    const ok = el.tagName === 'BUTTON' ? (el.textContent.trim() !== '' || named(el)) : named(el);
    if (!ok) bad.push(el.id || el.outerHTML.slice(0, 80));
  }
  return bad.join(', ');
})()`

// The console works from the keyboard alone, and every control a person can
// reach has a name a screen reader can say.
func TestBrowserKeyboardAndLabels(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	admin := h.newKey("admin", "")
	h.register("call-kb", "alice")

	b := newBrowser(t)
	b.run("sign in with the keyboard",
		chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.ID("signin-key")),
		chromedp.Focus(chromedp.ID("signin-key")),
		chromedp.KeyEvent(alice),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.ID("session-bar")),
		waitAttr("#stream-status", "data-status", "open"),
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-kb'`),
	)
	if bad := eval[string](b, "labels in the agent panel", unlabelled); bad != "" {
		t.Errorf("agent panel controls without an accessible name: %s", bad)
	}
	// The check itself must notice a control without a name.
	probe := eval[string](b, "an unlabelled probe", `(() => {
		const el = document.createElement('input'); el.id = 'unnamed-probe';
		document.getElementById('agent-panel').append(el);
		const bad = `+unlabelled+`; el.remove(); return bad; })()`)
	if !strings.Contains(probe, "unnamed-probe") {
		t.Fatalf("the label check missed an unlabelled input: %q", probe)
	}

	// Tab through the page to the Pause button and press it with the space bar.
	reached := false
	for range 60 {
		b.run("tab", chromedp.KeyEvent("\t"))
		if eval[string](b, "focused element", `document.activeElement ? document.activeElement.id : ''`) == "recording-pause" {
			reached = true
			break
		}
	}
	if !reached {
		t.Fatal("the recording Pause button cannot be reached with Tab")
	}
	b.run("pause with the space bar",
		chromedp.KeyEvent(" "),
		waitAttr("#recording-state", "data-desired", "paused"),
		waitAttr("#recording-state", "data-state", "paused"),
	)
	if got := h.conversation("call-kb").Recording.State; got != conversation.Paused {
		t.Fatalf("after a keyboard pause hush has recording %s", got)
	}
	b.expectNoUncaught()

	sup := newBrowser(t)
	sup.signIn(h.url, admin)
	for _, view := range []string{"supervisor", "audit"} {
		sup.run("open the "+view+" view",
			chromedp.Focus(chromedp.ID("nav-"+view)),
			chromedp.KeyEvent("\r"),
			chromedp.WaitVisible(chromedp.ID("view-"+view)),
		)
		if bad := eval[string](sup, "labels in the "+view+" view", unlabelled); strings.TrimSpace(bad) != "" {
			t.Errorf("%s view controls without an accessible name: %s", view, bad)
		}
	}
	sup.expectNoUncaught()
}
