package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An admin creates a named, expiring key on the keys page, sees its token
// once, revokes it there, and the token stops working at once.
func TestBrowserKeysPage(t *testing.T) {
	h := startLiveHush(t, nil)
	b := newBrowser(t)
	b.signIn(h.url, h.admin)
	var token string
	b.run("create a named key",
		chromedp.Navigate(h.url+"/#keys"),
		chromedp.WaitVisible(chromedp.ID("keys-form")),
		chromedp.SendKeys(chromedp.ID("keys-name"), "Dana Reyes"),
		chromedp.SetValue(chromedp.ID("keys-role"), "agent"),
		chromedp.SendKeys(chromedp.ID("keys-agent"), "dana"),
		chromedp.SendKeys(chromedp.ID("keys-days"), "30"),
		chromedp.Click(chromedp.ID("keys-create")),
		chromedp.WaitVisible(chromedp.ID("keys-created")),
		waitPresent(`#keys-rows tr[data-status="active"] td`),
		into(&token, chromedp.Value(chromedp.ID("keys-created-token"))),
	)
	if !strings.HasPrefix(token, "hush_") {
		t.Fatalf("shown token %q", token)
	}
	if code := h.do(token, "GET", "/v1/me", "", nil); code != 200 {
		t.Fatalf("new key: %d", code)
	}
	if text := b.text(); !strings.Contains(text, "Dana Reyes") || !strings.Contains(text, "Active until") {
		t.Fatalf("keys page shows:\n%s", text)
	}
	b.screenshot("keys-page")
	id := strings.Split(token, "_")[1]
	b.run("revoke it",
		chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(`#keys-rows tr[data-key="`+id+`"] button[data-action="revoke"]`),
		waitAttr(`#keys-rows tr[data-key="`+id+`"]`, "data-status", "revoked"),
	)
	if code := h.do(token, "GET", "/v1/me", "", nil); code != 401 {
		t.Fatalf("revoked key: %d, want 401", code)
	}
	if problems := b.pageProblems(); len(problems) > 0 {
		t.Fatalf("page problems: %v", problems)
	}
}
