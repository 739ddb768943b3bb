package api_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/hush-cc/hush/internal/api"
	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/clock/clocktest"
	"github.com/hush-cc/hush/internal/engine"
)

type convPage struct {
	Conversations []struct {
		ID, AgentID, CallState string
		CreatedAt              time.Time
	}
	Next string
}

// Conversations list newest first, a page at a time, filtered by state,
// agent and start time; following next visits each one exactly once.
func TestConversationPaging(t *testing.T) {
	clock := clocktest.New(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	e := newEnv(t, func(ec *engine.Config, ac *api.Config) {
		ec.Clock = clock
		ac.Now = clock.Now
	})
	for i := range 7 {
		clock.Advance(time.Second)
		agent := "alice"
		if i%2 == 1 {
			agent = "bob"
		}
		e.register(fmt.Sprintf("c%d", i), agent)
	}
	e.mustDo(202, "POST", "/v1/conversations/c2/end", e.ingest, nil)
	e.mustDo(202, "POST", "/v1/conversations/c5/end", e.ingest, nil)

	var ids []string
	path := "/v1/conversations?limit=3"
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		var p convPage
		e.mustDo(200, "GET", path, e.admin, nil).decode(t, &p)
		if len(p.Conversations) > 3 {
			t.Fatalf("page of %d, limit 3", len(p.Conversations))
		}
		for _, c := range p.Conversations {
			ids = append(ids, c.ID)
		}
		if p.Next == "" {
			break
		}
		path = "/v1/conversations?limit=3&cursor=" + url.QueryEscape(p.Next)
	}
	if fmt.Sprint(ids) != "[c6 c5 c4 c3 c2 c1 c0]" {
		t.Fatalf("paged list %v, want newest first, each once", ids)
	}

	list := func(key, query string) string {
		var p convPage
		e.mustDo(200, "GET", "/v1/conversations?"+query, key, nil).decode(t, &p)
		var out []string
		for _, c := range p.Conversations {
			out = append(out, c.ID)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct{ key, query, want string }{
		{e.admin, "state=ended", "[c5 c2]"},
		{e.admin, "state=live&agent=alice", "[c6 c4 c0]"},
		{e.admin, "active=true&agent=bob", "[c3 c1]"},
		{e.alice, "", "[c6 c4 c2 c0]"},
		{e.admin, "since=" + url.QueryEscape(clock.Now().Add(-2*time.Second).Format(time.RFC3339)), "[c6 c5 c4]"},
	} {
		if got := list(tc.key, tc.query); got != tc.want {
			t.Errorf("?%s: %s, want %s", tc.query, got, tc.want)
		}
	}
	for _, bad := range []string{"state=gone", "limit=0", "limit=1001", "since=yesterday", "cursor=!!", "cursor=e30", "state=ended&active=true"} {
		if r := e.do("GET", "/v1/conversations?"+bad, e.admin, nil); r.status != 400 {
			t.Errorf("?%s: status %d, want 400", bad, r.status)
		}
	}
	e.mustDo(403, "GET", "/v1/conversations?agent=bob", e.alice, nil)
}

// The audit lists newest first; next continues with older entries, with
// the filters kept.
func TestAuditPaging(t *testing.T) {
	e := newEnv(t)
	e.register("c1", "alice")
	for range 3 {
		e.mustDo(202, "POST", "/v1/conversations/c1/hold", e.ingest, nil)
		e.mustDo(202, "POST", "/v1/conversations/c1/unhold", e.ingest, nil)
	}
	var all []int64
	path := "/v1/audit?conversation=c1&limit=2"
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		var p struct {
			Entries []audit.Entry
			Next    string
		}
		e.mustDo(200, "GET", path, e.admin, nil).decode(t, &p)
		for _, en := range p.Entries {
			if en.ConversationID != "c1" {
				t.Fatalf("filter lost on a later page: %+v", en)
			}
			all = append(all, en.Seq)
		}
		if p.Next == "" {
			break
		}
		path = "/v1/audit?conversation=c1&limit=2&cursor=" + url.QueryEscape(p.Next)
	}
	if len(all) < 7 {
		t.Fatalf("paged audit has %d entries, want at least 7", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i] >= all[i-1] {
			t.Fatalf("audit not newest first: %v", all)
		}
	}
	if r := e.do("GET", "/v1/audit?after=1&cursor=x", e.admin, nil); r.status != 400 {
		t.Fatalf("after with cursor: %d, want 400", r.status)
	}
}
