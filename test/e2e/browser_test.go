package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
	sdk "github.com/hush-cc/hush/sdk/js"
)

// The browser tests drive the console, the sample payment page and a
// Dynamics 365 customization in headless chromium against a hush assembled
// by server.New. They look at the page through the element ids and data
// attributes listed in web/console/README.md, and save a screenshot of each
// view under artifacts/screenshots/.

func TestBrowserSignInAndLiveCalls(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	sup := h.newKey("supervisor", "")

	agent := newBrowser(t)
	agent.run("a refused key",
		chromedp.Navigate(h.url+"/"),
		chromedp.WaitVisible(chromedp.ID("signin-key")),
		chromedp.SendKeys(chromedp.ID("signin-key"), "not-a-hush-key"),
		chromedp.Click(chromedp.ID("signin-submit")),
		pollFunc(`() => document.getElementById('signin-error').textContent.trim() !== ''`),
		pollFunc(`() => document.getElementById('session-bar').hidden`),
	)
	agent.screenshot("signin-refused")
	agent.signIn(h.url, alice)
	agent.run("agent view without calls",
		waitText("#whoami", "agent · alice"),
		chromedp.WaitVisible(chromedp.ID("agent-empty")),
		chromedp.WaitNotVisible(chromedp.ID("agent-panel")),
		// Agents see only their own view.
		chromedp.WaitVisible(chromedp.ID("nav-agent")),
		chromedp.WaitNotVisible(chromedp.ID("nav-supervisor")),
		chromedp.WaitNotVisible(chromedp.ID("nav-audit")),
	)
	if got := eval[string](agent, "key kept out of the URL", `location.href`); strings.Contains(got, alice) {
		t.Errorf("the API key is in the URL %s", got)
	}

	supTab := agent.newTab("supervisor")
	supTab.signIn(h.url, sup)
	supTab.run("supervisor view without calls",
		chromedp.WaitVisible(chromedp.ID("view-supervisor")),
		chromedp.WaitVisible(chromedp.ID("supervisor-empty")),
		waitPresent(`#timeline-legend li[data-kind]`),
	)

	h.register("call-live", "alice")

	agent.run("the new call is focused in the agent panel",
		waitPresent(`#agent-conversation option[value="call-live"]`),
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-live'`),
		chromedp.WaitVisible(chromedp.ID("agent-panel")),
		chromedp.WaitNotVisible(chromedp.ID("agent-empty")),
		waitAttr("#agent-call-state", "data-state", "connected"),
		waitAttr("#recording-state", "data-state", "in-progress"),
		waitAttr("#transcription-state", "data-state", "in-progress"),
	)
	const live = `#supervisor-live li[data-testid="live-call"][data-conversation-id="call-live"]`
	supTab.run("the new call is in the supervisor's live list",
		waitAttr(live, "data-call-state", "connected"),
		waitAttr(live, "data-recording-state", "in-progress"),
		waitAttr(live, "data-transcription-state", "in-progress"),
		waitPresent(live+` div[data-testid="timeline"][data-conversation-id="call-live"] svg rect[data-testid="timeline-span"][data-row="recording"][data-kind="recorded"]`),
		chromedp.WaitNotVisible(chromedp.ID("supervisor-empty")),
	)

	// A second call of the same agent becomes the focused one.
	h.register("call-later", "alice")
	agent.run("the most recent call is focused",
		waitPresent(`#agent-conversation option[value="call-later"]`),
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-later'`),
		pollFunc(`() => document.querySelectorAll('#agent-conversation option').length === 2`),
	)
	agent.screenshot("agent-signed-in")

	agent.run("sign out",
		chromedp.Click(chromedp.ID("signout")),
		chromedp.WaitVisible(chromedp.ID("view-signin")),
		chromedp.WaitNotVisible(chromedp.ID("session-bar")),
		pollFunc(`() => sessionStorage.getItem('hush.apiKey') === null`),
	)
	agent.expectNoUncaught()
	supTab.expectNoUncaught()
}

func TestBrowserAgentPauseAndResume(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	h.register("call-pr", "alice")

	b := newBrowser(t)
	b.signIn(h.url, alice)
	b.run("panel shows the call",
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-pr'`),
		waitAttr("#recording-state", "data-desired", "in-progress"),
	)
	// Nothing to resume yet; pausing is allowed.
	b.run("buttons before a pause",
		pollFunc(`() => document.getElementById('recording-resume').disabled`),
		pollFunc(`() => !document.getElementById('recording-pause').disabled`),
		pollFunc(`() => document.getElementById('recording-start').disabled`),
	)

	// As Dynamics documents it, the recording includes the transcription:
	// pausing and starting the recording acts on both.
	for _, capability := range []string{"recording"} {
		state := "#" + capability + "-state"
		reasons := "#" + capability + "-reasons"
		completed := capability + ".operation.completed"
		events := `#agent-events li[data-testid="agent-event"][data-type="` + completed + `"][data-result="succeeded"]`
		before := eval[int](b, "count events", fmt.Sprintf(`document.querySelectorAll(%q).length`, events))

		b.run("pause the "+capability,
			chromedp.SendKeys(chromedp.ID("agent-note"), "card number"),
			chromedp.Click(chromedp.ID(capability+"-pause")),
			waitAttr(state, "data-desired", "paused"),
			waitAttr(state, "data-state", "paused"),
			waitPresent(reasons+` li[data-testid="pause-reason"][data-kind="manual"][data-id="agent:alice"]`),
			pollFunc(`(sel, n) => document.querySelectorAll(sel).length > n`, events, before),
			pollFunc(`(id) => !document.getElementById(id).disabled`, capability+"-resume"),
			pollFunc(`(id) => document.getElementById(id).getAttribute('aria-busy') === 'false'`, capability+"-pause"),
		)
		c := h.conversation("call-pr")
		cv := capOf(c, capability)
		if cv.State != conversation.Paused || len(cv.PauseReasons) != 1 || cv.PauseReasons[0].Kind != conversation.Manual {
			t.Fatalf("after the %s pause hush has %+v", capability, cv)
		}
		if capability == "recording" {
			b.screenshot("agent")
		}

		b.run("resume the "+capability,
			chromedp.Click(chromedp.ID(capability+"-resume")),
			waitAttr(state, "data-desired", "in-progress"),
			waitAttr(state, "data-state", "in-progress"),
			waitAbsent(reasons+` li[data-testid="pause-reason"]`),
			pollFunc(`(sel, n) => document.querySelectorAll(sel).length > n + 1`, events, before),
			pollFunc(`(id) => document.getElementById(id).disabled`, capability+"-resume"),
		)
		if cv := capOf(h.conversation("call-pr"), capability); cv.State != conversation.InProgress || len(cv.PauseReasons) != 0 {
			t.Fatalf("after the %s resume hush has %+v", capability, cv)
		}
		// Every completion the panel lists carries the transaction it completes.
		b.run("events carry transaction ids", pollFunc(`(sel) => [...document.querySelectorAll(sel)].every((li) => li.dataset.transactionId !== '')`, events))
	}

	// Hold pauses both; the agent cannot resume a hold.
	h.platform("call-pr", "hold")
	b.run("on hold",
		waitAttr("#agent-call-state", "data-state", "on-hold"),
		waitPresent(`#recording-reasons li[data-testid="pause-reason"][data-kind="hold"]`),
		waitPresent(`#transcription-reasons li[data-testid="pause-reason"][data-kind="hold"]`),
		waitAttr("#recording-state", "data-state", "paused"),
		pollFunc(`() => document.getElementById('recording-resume').disabled`),
	)
	h.platform("call-pr", "unhold")
	b.run("off hold",
		waitAttr("#agent-call-state", "data-state", "connected"),
		waitAttr("#recording-state", "data-state", "in-progress"),
		waitAbsent(`#recording-reasons li`),
		chromedp.WaitNotVisible(chromedp.ID("agent-error")),
	)
	b.expectNoUncaught()
}

// capOf picks one capability of a conversation view.
func capOf(c conversation.View, capability string) conversation.CapView {
	if capability == "transcription" {
		return c.Transcription
	}
	return c.Recording
}

func TestBrowserTakePayment(t *testing.T) {
	h := startLiveHush(t, func(c *server.Config) { c.SecurePageURL = securePage })
	alice := h.newKey("agent", "alice")
	h.register("call-pay", "alice")

	b := newBrowser(t)
	b.signIn(h.url, alice)
	b.run("panel shows the call",
		pollFunc(`() => document.getElementById('agent-conversation').value === 'call-pay'`),
		waitAttr("#recording-state", "data-state", "in-progress"),
	)

	// A payment nobody completes: hush resumes by itself when it expires.
	b.run("take a payment that expires",
		chromedp.SetValue(chromedp.ID("payment-ttl"), "3"),
		chromedp.Click(chromedp.ID("payment-take")),
		chromedp.WaitVisible(chromedp.ID("payment-active")),
		waitAttr("#payment-status", "data-state", "active"),
		pollFunc(`() => { const s = document.getElementById('payment-countdown').dataset.seconds; return s !== '' && Number(s) >= 0 && Number(s) <= 3; }`),
		waitPresent(`#recording-reasons li[data-testid="pause-reason"][data-kind="secure"]`),
		waitPresent(`#transcription-reasons li[data-testid="pause-reason"][data-kind="secure"]`),
		waitAttr("#recording-state", "data-state", "paused"),
	)
	expiring := eval[string](b, "session id", `document.getElementById('payment-status').dataset.sessionId`)
	b.run("the payment expires and recording resumes",
		waitAttr("#payment-result", "data-state", "expired"),
		chromedp.WaitNotVisible(chromedp.ID("payment-active")),
		waitAttr("#recording-state", "data-state", "in-progress"),
		waitAttr("#transcription-state", "data-state", "in-progress"),
		waitAbsent(`#recording-reasons li`),
		pollFunc(`() => !document.getElementById('payment-take').disabled`),
	)
	if s := sessionState(h.conversation("call-pay"), expiring); s != "expired" {
		t.Fatalf("session %s is %q in hush, want expired", expiring, s)
	}

	// A payment completed on the sample page, in the pop-up the console opens.
	known := map[target.ID]bool{}
	infos, err := chromedp.Targets(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range infos {
		known[i.TargetID] = true
	}
	popupID := chromedp.WaitNewTarget(b.ctx, func(i *target.Info) bool {
		return !known[i.TargetID] && strings.Contains(i.URL, "/pay/?sessionId=")
	})
	b.run("take a payment",
		clearInput("payment-ttl"),
		chromedp.Click(chromedp.ID("payment-take")),
		chromedp.WaitVisible(chromedp.ID("payment-active")),
		waitAttr("#payment-status", "data-state", "active"),
		waitAttr("#payment-result", "data-state", ""),
		waitAttr("#recording-state", "data-state", "paused"),
		chromedp.WaitVisible(chromedp.ID("payment-link")),
		pollFunc(`() => Number(document.getElementById('payment-countdown').dataset.seconds) > 60`),
	)
	b.screenshot("payment")
	session := eval[string](b, "session id", `document.getElementById('payment-status').dataset.sessionId`)
	link := eval[string](b, "payment link", `document.getElementById('payment-link').href`)
	if !strings.HasPrefix(link, h.url+"/pay/?sessionId="+session+"&completeUrl=") {
		t.Fatalf("the payment link is %s, want the sample page of session %s", link, session)
	}

	var popupCtx context.Context
	select {
	case id := <-popupID:
		ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(id))
		t.Cleanup(cancel)
		popupCtx = ctx
	case <-b.ctx.Done():
		t.Fatal("the browser closed")
	}
	pay := b.attach(popupCtx, "payment page")
	if got := eval[string](pay, "pop-up address", `location.href`); got != link {
		t.Errorf("the pop-up shows %s, the link is %s", got, link)
	}
	pay.run("fill the card form",
		waitAttr("#pay-status", "data-state", "ready"),
		waitText("#pay-session", session),
		chromedp.SendKeys(chromedp.ID("pay-name"), "Ada Lovelace"),
		chromedp.SendKeys(chromedp.ID("pay-number"), "4111 1111 1111 1111"),
		chromedp.SendKeys(chromedp.ID("pay-expiry"), "12/30"),
		chromedp.SendKeys(chromedp.ID("pay-cvc"), "123"),
	)
	pay.screenshot("pay-page")
	pay.run("pay",
		chromedp.Click(chromedp.ID("pay-submit")),
		waitAttr("#pay-status", "data-state", "done"),
		chromedp.WaitVisible(chromedp.ID("pay-done")),
		// The card details are gone from the page.
		pollFunc(`() => document.getElementById('pay-number').value === ''`),
	)
	b.run("the payment completes and recording resumes",
		waitAttr("#payment-result", "data-state", "completed"),
		chromedp.WaitNotVisible(chromedp.ID("payment-active")),
		waitAttr("#recording-state", "data-state", "in-progress"),
		waitAttr("#transcription-state", "data-state", "in-progress"),
	)
	if s := sessionState(h.conversation("call-pay"), session); s != "completed" {
		t.Fatalf("session %s is %q in hush, want completed", session, s)
	}

	// The agent ends a payment with Done.
	b.run("take a payment and press Done",
		chromedp.Click(chromedp.ID("payment-take")),
		waitAttr("#payment-status", "data-state", "active"),
		pollFunc(`(old) => document.getElementById('payment-status').dataset.sessionId !== old`, session),
		waitAttr("#recording-state", "data-state", "paused"),
		chromedp.Click(chromedp.ID("payment-done")),
		waitAttr("#payment-result", "data-state", "completed"),
		waitAttr("#recording-state", "data-state", "in-progress"),
		chromedp.WaitNotVisible(chromedp.ID("agent-error")),
	)
	c := h.conversation("call-pay")
	if len(c.SecureSessions) != 3 {
		t.Fatalf("hush has %d secure sessions, want 3", len(c.SecureSessions))
	}
	if c.Recording.State != conversation.InProgress || c.Transcription.State != conversation.InProgress {
		t.Fatalf("after the payments hush has recording %s, transcription %s", c.Recording.State, c.Transcription.State)
	}
	b.expectNoUncaught()
	pay.expectNoUncaught()
}

// sessionState is the state of one secure session of a conversation.
func sessionState(c conversation.View, id string) string {
	for _, s := range c.SecureSessions {
		if s.ID == id {
			return string(s.State)
		}
	}
	return ""
}

func TestBrowserSupervisorTimeline(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	sup := h.newKey("supervisor", "")

	b := newBrowser(t)
	// The console draws what it sees after sign-in, so it signs in first.
	b.signIn(h.url, sup)
	h.register("call-tl", "alice")
	const live = `#supervisor-live li[data-testid="live-call"][data-conversation-id="call-tl"]`
	b.run("the call is live", waitAttr(live, "data-recording-state", "in-progress"))

	// A manual pause, held until the supervisor has seen it.
	h.must(alice, "POST", "/v1/conversations/call-tl/recording/pause", `{"reason":"card number"}`, http.StatusAccepted, nil)
	b.run("sees the manual pause", waitAttr(live, "data-recording-state", "paused"))
	h.must(alice, "POST", "/v1/conversations/call-tl/recording/resume", `{}`, http.StatusAccepted, nil)
	b.run("sees the resume", waitAttr(live, "data-recording-state", "in-progress"))

	h.platform("call-tl", "hold")
	b.run("sees the hold", waitAttr(live, "data-call-state", "on-hold"))
	h.platform("call-tl", "unhold")
	b.run("sees the unhold", waitAttr(live, "data-call-state", "connected"))

	var sess struct {
		ID          string `json:"id"`
		CompleteURL string `json:"completeUrl"`
	}
	h.must(alice, "POST", "/v1/conversations/call-tl/secure-sessions", `{}`, http.StatusCreated, &sess)
	b.run("sees the secure session", waitAttr(live, "data-recording-state", "paused"))
	h.must("", "POST", sess.CompleteURL, "", http.StatusOK, nil)
	b.run("sees the end of the secure session", waitAttr(live, "data-recording-state", "in-progress"))

	span := func(row, kind, reason string) string {
		s := live + ` svg rect[data-testid="timeline-span"][data-row="` + row + `"][data-kind="` + kind + `"]`
		if reason != "" {
			s += `[data-reason="` + reason + `"]`
		}
		return s
	}
	b.run("the timeline shows each pause",
		waitPresent(live+` div[data-testid="timeline"][data-conversation-id="call-tl"][data-live="true"]`),
		waitPresent(span("call", "hold", "")),
		waitPresent(span("recording", "paused", "manual")),
		waitPresent(span("recording", "paused", "hold")),
		waitPresent(span("recording", "paused", "secure")),
		waitPresent(span("transcription", "paused", "hold")),
		waitPresent(span("transcription", "paused", "secure")),
		waitPresent(span("recording", "recorded", "")),
		waitPresent(span("transcription", "transcribed", "")),
	)
	// The manual pause was the recording's only; the transcription never
	// paused by hand.
	if n := eval[int](b, "manual transcription spans", fmt.Sprintf(`document.querySelectorAll(%q).length`, span("transcription", "paused", "manual"))); n != 0 {
		t.Errorf("the transcription row shows %d manual pauses, want 0", n)
	}
	b.screenshot("supervisor")
	b.narrowScreenshot("supervisor-narrow", 420)

	// The ended call keeps its timeline.
	h.platform("call-tl", "end")
	const open = `#supervisor-ended button[data-testid="ended-open"][data-conversation-id="call-tl"]`
	b.run("the call ends",
		waitAbsent(live),
		chromedp.WaitVisible(chromedp.ID("supervisor-empty")),
		waitPresent(open),
		chromedp.Click(open),
		chromedp.WaitVisible(chromedp.ID("ended-detail")),
		waitText("#ended-title", "call-tl"),
		waitPresent(`#ended-timeline div[data-testid="timeline"][data-conversation-id="call-tl"] svg rect[data-testid="timeline-span"][data-row="recording"][data-kind="paused"][data-reason="secure"]`),
		waitPresent(`#ended-timeline rect[data-testid="timeline-span"][data-row="recording"][data-kind="paused"][data-reason="manual"]`),
		// Platform none records nothing: no player, and a word saying so.
		pollFunc(`() => !document.getElementById('ended-audio').hasAttribute('src') && document.getElementById('ended-audio-status').textContent.trim() !== '' && !document.getElementById('ended-audio-status').textContent.includes('Loading')`),
	)
	b.screenshot("supervisor-ended")
	b.run("close the ended call", chromedp.Click(chromedp.ID("ended-close")), chromedp.WaitNotVisible(chromedp.ID("ended-detail")))
	b.expectNoUncaught()
}

func TestBrowserAgentSeesOnlyOwnCalls(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	bob := h.newKey("agent", "bob")
	h.register("call-alice", "alice")
	h.register("call-bob", "bob")

	b := newBrowser(t)
	b.signIn(h.url, alice)
	b.run("alice's call", waitPresent(`#agent-conversation option[value="call-alice"]`))

	// Bob's call changes; alice's later call is the sentinel: once it shows,
	// anything about bob's call would have arrived before it.
	h.must(bob, "POST", "/v1/conversations/call-bob/recording/pause", `{}`, http.StatusAccepted, nil)
	h.register("call-bob-2", "bob")
	h.register("call-alice-2", "alice")
	b.run("alice's second call", waitPresent(`#agent-conversation option[value="call-alice-2"]`))
	options := eval[[]string](b, "listed calls", `[...document.querySelectorAll('#agent-conversation option')].map((o) => o.value).sort()`)
	if !slices.Equal(options, []string{"call-alice", "call-alice-2"}) {
		t.Fatalf("alice's panel lists %q, want only her calls", options)
	}

	// The page's own key, forced at bob's call.
	type answer struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	force := func(method, path string) answer {
		t.Helper()
		expr := fmt.Sprintf(`(async () => {
			const key = sessionStorage.getItem('hush.apiKey');
			const res = await fetch(%q, {method: %q, headers: {Authorization: 'Bearer ' + key, 'Content-Type': 'application/json'}, body: %q === 'POST' ? '{}' : undefined});
			const body = await res.json().catch(() => ({}));
			return {status: res.status, code: (body.error && body.error.code) || ''};
		})()`, path, method, method)
		return eval[answer](b, method+" "+path, expr)
	}
	for _, p := range []struct{ method, path string }{
		{"POST", "/v1/conversations/call-bob/recording/pause"},
		{"POST", "/v1/conversations/call-bob/transcription/pause"},
		{"POST", "/v1/conversations/call-bob/secure-sessions"},
		{"GET", "/v1/conversations/call-bob"},
	} {
		if got := force(p.method, p.path); got.Status != http.StatusForbidden || got.Code != "forbidden" {
			t.Errorf("alice's %s %s got %+v, want 403 forbidden", p.method, p.path, got)
		}
	}
	// The list alice may read holds her calls only.
	listed := eval[[]string](b, "list calls", `(async () => {
		const key = sessionStorage.getItem('hush.apiKey');
		const res = await fetch('/v1/conversations', {headers: {Authorization: 'Bearer ' + key}});
		return (await res.json()).conversations.map((c) => c.id).sort();
	})()`)
	if !slices.Equal(listed, []string{"call-alice", "call-alice-2"}) {
		t.Errorf("GET /v1/conversations as alice lists %q", listed)
	}

	c := h.conversation("call-bob")
	if c.Transcription.State != conversation.InProgress || len(c.SecureSessions) != 0 || len(c.Recording.PauseReasons) != 1 {
		t.Errorf("alice changed bob's call: %+v", c)
	}
	denied := 0
	for _, e := range h.audit("call-bob") {
		if e.Action == "access.denied" && e.Actor == "agent:alice" {
			denied++
		}
	}
	// Refusals are audited once per key and route per minute, the repeats
	// counted in one entry when the minute ends: the two pauses share a
	// route.
	if denied != 3 {
		t.Errorf("the audit holds %d denials of alice on bob's call, want 3 (one per route)", denied)
	}
	b.screenshot("agent-own-calls")
	b.expectNoUncaught()
}

func TestBrowserCompatCustomization(t *testing.T) {
	// The agent desktop lives on another origin: its address must be known
	// before hush starts, to be allowed.
	desk := httptest.NewUnstartedServer(nil)
	t.Cleanup(desk.Close)
	deskURL := "http://" + desk.Listener.Addr().String()

	h := startLiveHush(t, func(c *server.Config) { c.AllowedOrigins = []string{deskURL} })
	carol := h.newKey("agent", "carol")
	h.register("cz-earlier", "carol")
	h.register("cz-call", "carol")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hush-config.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		cfg, _ := json.Marshal(map[string]string{"baseUrl": h.url, "apiKey": carol})
		fmt.Fprintf(w, "window.hushConfig = %s;\n", cfg)
	})
	mux.Handle("GET /sdk/", http.StripPrefix("/sdk/", http.FileServerFS(sdk.FS)))
	mux.Handle("GET /", http.FileServer(http.Dir("../../sdk/js/testdata")))
	desk.Config.Handler = mux
	desk.Start()

	b := newBrowser(t)
	b.run("open the customization",
		chromedp.Navigate(deskURL+"/customization.html"),
		chromedp.WaitVisible(chromedp.ID("myDialog")),
		waitText("#cz-handlers", "registered"),
		// Without focusedConversationId the focus is the latest call.
		waitAttr("#cz-lwi", "data-state", "cz-call"),
		waitAttr("#cz-call-state", "data-state", "connected"),
		waitAttr("#cz-recording-state", "data-state", "in-progress"),
		waitAttr("#cz-transcription-state", "data-state", "in-progress"),
	)
	if origin := eval[string](b, "page origin", `location.origin`); origin == h.url {
		t.Fatalf("the customization runs on hush's own origin %s", origin)
	}

	// As Dynamics documents it, the recording includes the transcription:
	// pausing and starting the recording acts on both.
	for _, capability := range []string{"recording"} {
		Cap := strings.ToUpper(capability[:1]) + capability[1:]
		stateEl := "#cz-" + capability + "-state"
		eventEl := "#cz-" + capability + "-event"

		b.run("pause the "+capability,
			chromedp.Click(chromedp.ID("cz-pause-"+capability)),
			waitAttr(stateEl, "data-state", "paused"),
			waitAttr("#cz-transcription-state", "data-state", "paused"),
			pollFunc(`(sel) => { try { const e = JSON.parse(document.querySelector(sel).textContent); return e.desiredState === 'paused'; } catch { return false; } }`, eventEl),
		)
		ev := compatEvent(b, eventEl)
		if ev.LiveWorkItemID != "cz-call" || !ev.Result || ev.CurrentState != "paused" || ev.TransactionID == "" {
			t.Errorf("%sOperationCompleted after the pause gave %+v", Cap, ev)
		}
		for _, k := range []string{"recording", "transcription"} {
			c := capOf(h.conversation("cz-call"), k)
			if c.State != conversation.Paused || len(c.PauseReasons) != 1 || c.PauseReasons[0].ID != "agent:carol" {
				t.Fatalf("after the customization paused the %s hush has %+v", k, c)
			}
		}
		if capability == "recording" {
			b.screenshot("customization")
		}

		// As in Dynamics, start on a paused capability resumes it.
		b.run("start the "+capability,
			chromedp.Click(chromedp.ID("cz-start-"+capability)),
			waitAttr(stateEl, "data-state", "in-progress"),
			waitAttr("#cz-transcription-state", "data-state", "in-progress"),
			pollFunc(`(sel) => { try { const e = JSON.parse(document.querySelector(sel).textContent); return e.desiredState === 'in-progress'; } catch { return false; } }`, eventEl),
		)
		ev2 := compatEvent(b, eventEl)
		if ev2.LiveWorkItemID != "cz-call" || !ev2.Result || ev2.CurrentState != "in-progress" || ev2.TransactionID == ev.TransactionID {
			t.Errorf("%sOperationCompleted after the start gave %+v", Cap, ev2)
		}
		for _, k := range []string{"recording", "transcription"} {
			if c := capOf(h.conversation("cz-call"), k); c.State != conversation.InProgress || len(c.PauseReasons) != 0 {
				t.Fatalf("after the customization started the %s hush has %+v", k, c)
			}
		}
	}
	if msg := eval[string](b, "error line", `document.getElementById('cz-error').textContent`); msg != "" {
		t.Errorf("the customization shows an error: %s", msg)
	}
	// From an origin hush does not allow (the same desk, named localhost),
	// the browser keeps the customization from reaching hush.
	other := b.newTab("disallowed origin")
	other.run("open the customization from localhost",
		chromedp.Navigate(strings.Replace(deskURL, "127.0.0.1", "localhost", 1)+"/customization.html"),
		waitText("#cz-error", "Cannot reach hush"),
		pollFunc(`() => !document.getElementById('cz-recording-state').hasAttribute('data-state')`),
	)
	// The other call was never touched.
	if c := h.conversation("cz-earlier"); c.Recording.State != conversation.InProgress || c.Transcription.State != conversation.InProgress {
		t.Errorf("the unfocused call changed: %+v", c)
	}
	b.expectNoUncaught()
}

// dynamicsEvent is the payload of onRecordingOperationCompleted and
// onTranscriptionOperationCompleted.
type dynamicsEvent struct {
	LiveWorkItemID string `json:"liveWorkItemId"`
	TransactionID  string `json:"transactionId"`
	Result         bool   `json:"result"`
	CurrentState   string `json:"currentState"`
	DesiredState   string `json:"desiredState"`
}

// compatEvent decodes the last event the customization shows in css.
func compatEvent(b *tab, css string) dynamicsEvent {
	b.t.Helper()
	raw := eval[string](b, "last event", fmt.Sprintf(`document.querySelector(%q).textContent`, css))
	var ev dynamicsEvent
	if err := json.Unmarshal([]byte(raw), &ev); err != nil {
		b.t.Fatalf("the customization's last event %q: %v", raw, err)
	}
	return ev
}

func TestBrowserAudit(t *testing.T) {
	h := startLiveHush(t, nil)
	alice := h.newKey("agent", "alice")
	sup := h.newKey("supervisor", "")
	for _, id := range []string{"audit-a", "audit-b"} {
		h.register(id, "alice")
		h.must(alice, "POST", "/v1/conversations/"+id+"/recording/pause", `{"reason":"card number"}`, http.StatusAccepted, nil)
		h.must(alice, "POST", "/v1/conversations/"+id+"/recording/resume", `{}`, http.StatusAccepted, nil)
	}
	h.platform("audit-b", "hold")
	h.platform("audit-b", "unhold")
	h.settle("audit-a")
	h.settle("audit-b")

	b := newBrowser(t)
	b.signIn(h.url, sup)
	b.run("open the audit view",
		chromedp.Click(chromedp.ID("nav-audit")),
		chromedp.WaitVisible(chromedp.ID("view-audit")),
		waitAttr("#nav-audit", "aria-current", "page"),
		waitAttr("#audit-verify", "data-ok", "true"),
		waitPresent(`#audit-rows tr[data-testid="audit-row"][data-action="command.pause"]`),
		waitPresent(`#audit-rows tr[data-testid="audit-row"][data-action="event.hold"]`),
	)
	b.screenshot("audit")

	// Filtered by conversation: exactly the entries hush has for it.
	want := len(h.audit("audit-a"))
	if want == 0 {
		t.Fatal("hush audited nothing for audit-a")
	}
	b.run("filter by conversation",
		chromedp.SendKeys(chromedp.ID("audit-conversation"), "audit-a"),
		chromedp.Click(chromedp.ID("audit-apply")),
		pollFunc(`(want) => {
			const rows = [...document.querySelectorAll('#audit-rows tr[data-testid="audit-row"]')];
			return rows.length === want && rows.every((r) => r.cells[2].textContent === 'audit-a');
		}`, want),
	)
	b.screenshot("audit-filtered")

	b.run("filter by reason",
		clearInput("audit-conversation"),
		chromedp.SendKeys(chromedp.ID("audit-conversation"), "audit-b"),
		chromedp.SendKeys(chromedp.ID("audit-reason"), "hold"),
		chromedp.Click(chromedp.ID("audit-apply")),
		pollFunc(`() => {
			const rows = [...document.querySelectorAll('#audit-rows tr[data-testid="audit-row"]')];
			return rows.length > 0 && rows.every((r) => r.cells[2].textContent === 'audit-b')
				&& rows.some((r) => r.dataset.action === 'event.hold') && !rows.some((r) => r.dataset.action === 'command.pause');
		}`),
	)
	b.run("filter by actor",
		clearInput("audit-conversation"),
		clearInput("audit-reason"),
		chromedp.SendKeys(chromedp.ID("audit-actor"), "agent:alice"),
		chromedp.Click(chromedp.ID("audit-apply")),
		pollFunc(`() => {
			const rows = [...document.querySelectorAll('#audit-rows tr[data-testid="audit-row"]')];
			return rows.length === 4 && rows.every((r) => r.cells[3].textContent === 'agent:alice');
		}`),
	)
	b.run("a filter nothing matches",
		clearInput("audit-actor"),
		chromedp.SendKeys(chromedp.ID("audit-conversation"), "no-such-call"),
		chromedp.Click(chromedp.ID("audit-apply")),
		chromedp.WaitVisible(chromedp.ID("audit-empty")),
		waitAbsent(`#audit-rows tr`),
	)
	b.run("verify again",
		chromedp.Click(chromedp.ID("audit-verify-again")),
		waitAttr("#audit-verify", "data-ok", "true"),
		waitText("#audit-verify", "intact"),
	)
	b.expectNoUncaught()
}
