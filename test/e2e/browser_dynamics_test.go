package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/server"
	sdk "github.com/hush-cc/hush/sdk/js"
)

// agentDesk serves the Dynamics customization pages of sdk/js/testdata on
// their own origin, with a hush-config.js naming h and key, like an agent
// desktop that embeds hush's shim.
type agentDesk struct {
	url string
	srv *httptest.Server
}

// newAgentDesk reserves the desk's origin, so that hush can allow it
// before it starts; serve then points the desk at hush.
func newAgentDesk(t *testing.T) *agentDesk {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	t.Cleanup(srv.Close)
	return &agentDesk{url: "http://" + srv.Listener.Addr().String(), srv: srv}
}

func (d *agentDesk) serve(h *liveHush, key string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /hush-config.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/javascript")
		cfg, _ := json.Marshal(map[string]string{"baseUrl": h.url, "apiKey": key})
		fmt.Fprintf(w, "window.hushConfig = %s;\n", cfg)
	})
	mux.Handle("GET /sdk/", http.StripPrefix("/sdk/", http.FileServerFS(sdk.FS)))
	mux.Handle("GET /", http.FileServer(http.Dir("../../sdk/js/testdata")))
	d.srv.Config.Handler = mux
	d.srv.Start()
}

// sampleEvent is one line the Microsoft Learn sample writes per event.
type sampleEvent struct {
	Kind           string `json:"kind"`
	LiveWorkItemID string `json:"liveWorkItemId"`
	TransactionID  string `json:"transactionId"`
	Result         bool   `json:"result"`
	CurrentState   string `json:"currentState"`
	DesiredState   string `json:"desiredState"`
}

func sampleEvents(b *tab) []sampleEvent {
	b.t.Helper()
	raw := eval[string](b, "sample events", `document.getElementById('events').textContent`)
	var out []sampleEvent
	for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
		if line == "" {
			continue
		}
		var ev sampleEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			b.t.Fatalf("sample event %q: %v", line, err)
		}
		out = append(out, ev)
	}
	return out
}

// clickResult clicks a sample button and waits for its outcome.
func clickResult(id, want string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.ID(id)),
		waitText("#result", want),
	}
}

// The Microsoft Learn sample, unchanged, against a real hush: Dynamics'
// semantics hold end to end.
func TestBrowserDynamicsSample(t *testing.T) {
	desk := newAgentDesk(t)
	h := startLiveHush(t, func(c *server.Config) { c.AllowedOrigins = []string{desk.url} })
	dana := h.newKey("agent", "dana")
	ingest := h.newKey("ingest", "")
	h.register("ms-call", "dana")
	h.register("ms-newer", "dana") // the newest call: the fallback focus, not the host's
	desk.serve(h, dana)

	b := newBrowser(t)
	b.run("open the sample with the host's focus",
		chromedp.Navigate(desk.url+"/mslearn-sample.html?focus=ms-call"),
		waitText("#status", "ready"),
	)

	// pauseRecording pauses the transcription too, and resolves once both
	// are paused.
	b.run("pause the recording", clickResult("pauseRecording", "succeeded")...)
	c := h.conversation("ms-call")
	for _, cp := range []conversation.CapView{c.Recording, c.Transcription} {
		if cp.State != conversation.Paused || len(cp.PauseReasons) != 1 || cp.PauseReasons[0].ID != "agent:dana" {
			t.Fatalf("after pauseRecording hush has %+v", cp)
		}
	}
	b.run("the pause events", pollFunc(`() => document.getElementById('events').textContent.trim().split('\n').length >= 2`))
	for _, ev := range sampleEvents(b) {
		if ev.LiveWorkItemID != "ms-call" || !ev.Result || ev.CurrentState != "paused" || ev.DesiredState != "paused" || ev.TransactionID == "" {
			t.Errorf("event after the pause: %+v", ev)
		}
	}

	// A start while the caller is on hold rejects: the call stays paused.
	h.platform("ms-call", "hold")
	b.run("start during a hold", clickResult("startRecording", "stays paused: the call is on hold")...)
	if c := h.conversation("ms-call"); c.Recording.DesiredState != conversation.Paused {
		t.Fatalf("a start during a hold left the recording %s", c.Recording.DesiredState)
	}
	h.platform("ms-call", "unhold")
	b.run("start after the hold", clickResult("startRecording", "succeeded")...)
	if c := h.conversation("ms-call"); c.Recording.State != conversation.InProgress || c.Transcription.State != conversation.InProgress {
		t.Fatalf("after startRecording hush has %+v / %+v", c.Recording, c.Transcription)
	}

	// Transcription alone cannot be driven while the recording runs.
	b.run("pause the transcription alone", clickResult("pauseTranscription", "Recording is running and includes the transcription")...)
	if c := h.conversation("ms-call"); c.Transcription.DesiredState != conversation.InProgress {
		t.Fatalf("a refused pauseTranscription changed the transcription: %+v", c.Transcription)
	}

	// The customer declines: nobody starts the recording again.
	h.must(ingest, "POST", "/v1/conversations/ms-call/consent", `{"recording":"declined"}`, http.StatusOK, nil)
	b.run("start after the customer declined", clickResult("startRecording", "The customer declined recording")...)
	if c := h.conversation("ms-call"); c.Recording.DesiredState != conversation.Paused {
		t.Fatalf("after the decline the recording is %s", c.Recording.DesiredState)
	}

	if c := h.conversation("ms-newer"); c.Recording.State != conversation.InProgress || c.Transcription.State != conversation.InProgress {
		t.Errorf("the call without focus changed: %+v", c)
	}
	b.expectNoUncaught()
}

// With agents' pausing switched off, the customization of the issue that
// built the shim shows the administrator's refusal, and after a transfer the
// new agent's page controls the call while the old agent's no longer can.
func TestBrowserDynamicsAdminSwitchAndTransfer(t *testing.T) {
	desk := newAgentDesk(t)
	h := startLiveHush(t, func(c *server.Config) {
		c.AllowedOrigins = []string{desk.url}
		c.DenyAgentPause = true
	})
	erin := h.newKey("agent", "erin")
	ingest := h.newKey("ingest", "")
	h.register("sw-call", "erin")
	desk.serve(h, erin)

	b := newBrowser(t)
	b.run("pause with agent pausing off",
		chromedp.Navigate(desk.url+"/customization.html"),
		waitText("#cz-handlers", "registered"),
		waitAttr("#cz-lwi", "data-state", "sw-call"),
		chromedp.Click(chromedp.ID("cz-pause-recording")),
		waitText("#cz-error", "Your administrator does not allow agents to pause and resume recording."),
	)
	if c := h.conversation("sw-call"); c.Recording.DesiredState != conversation.InProgress {
		t.Fatalf("a refused pause changed the recording: %+v", c.Recording)
	}

	h.must(ingest, "POST", "/v1/conversations/sw-call/transfer", `{"agentId":"frank"}`, http.StatusOK, nil)
	b.run("the old agent after the transfer",
		chromedp.Click(chromedp.ID("cz-start-recording")),
		waitText("#cz-error", "belongs to another agent"),
	)
	b.expectNoUncaught()
}
