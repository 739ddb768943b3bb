package amazonconnect

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func referenceRecord(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/agent-event-hold.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeReferenceEvent(t *testing.T) {
	ev, err := Decode(referenceRecord(t))
	if err != nil {
		t.Fatal(err)
	}
	if ev.EventID != "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" || ev.EventType != EventStateChange {
		t.Fatalf("id/type = %q/%q", ev.EventID, ev.EventType)
	}
	want := time.Date(2025, 3, 4, 15, 2, 11, 482e6, time.UTC)
	if !ev.EventTimestamp.Equal(want) {
		t.Fatalf("EventTimestamp = %v, want %v", ev.EventTimestamp, want)
	}
	if ev.Current == nil || ev.Previous == nil {
		t.Fatal("snapshots missing")
	}
	cfg := ev.Current.Configuration
	if cfg.Username != "sobrien" || cfg.FirstName != "Siobhán" || cfg.LastName != "O’Brien" {
		t.Fatalf("configuration = %+v", cfg)
	}
	if len(ev.Current.Contacts) != 1 {
		t.Fatalf("contacts = %d", len(ev.Current.Contacts))
	}
	c := ev.Current.Contacts[0]
	if c.ContactID != "c0ffee00-1111-2222-3333-444455556666" || c.Channel != ChannelVoice || c.State != StateConnectedOnHold {
		t.Fatalf("contact = %+v", c)
	}
	if c.InitialContactID != "" || c.RootContactID() != c.ContactID {
		t.Fatalf("null InitialContactId decoded as %q", c.InitialContactID)
	}
	if ev.Previous.Contacts[0].State != StateConnected {
		t.Fatalf("previous state = %q", ev.Previous.Contacts[0].State)
	}
}

func TestDecodeIgnoresUnknownFields(t *testing.T) {
	rec := `{"EventId":"e1","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT",
		"AgentARN":"arn:a","NewTopLevel":{"x":[1,2]},
		"CurrentAgentSnapshot":{"Contacts":[{"ContactId":"c1","Channel":"VOICE","State":"CONNECTED","Brand":"new"}]}}`
	ev, err := Decode([]byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Current.Contacts[0].ContactID != "c1" {
		t.Fatalf("contact = %+v", ev.Current.Contacts[0])
	}
}

func TestDecodeErrors(t *testing.T) {
	ref := referenceRecord(t)
	cases := []struct {
		name   string
		data   []byte
		reason DecodeReason
	}{
		{"invalid utf-8", []byte("{\"EventId\":\"e\xff\"}"), ReasonUTF8},
		{"truncated", ref[:len(ref)/2], ReasonJSON},
		{"empty", nil, ReasonJSON},
		{"array", []byte(`[1,2]`), ReasonJSON},
		{"trailing data", append(append([]byte{}, ref...), '}'), ReasonJSON},
		{"bad timestamp", []byte(`{"EventId":"e","EventTimestamp":"yesterday","EventType":"HEART_BEAT","AgentARN":"a"}`), ReasonJSON},
		{"wrong type", []byte(`{"EventId":7}`), ReasonJSON},
		{"null", []byte(`null`), ReasonInvalid},
		{"no event id", []byte(`{"EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT","AgentARN":"a"}`), ReasonInvalid},
		{"no agent", []byte(`{"EventId":"e","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT"}`), ReasonInvalid},
		{"contact without id", []byte(`{"EventId":"e","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT","AgentARN":"a",
			"CurrentAgentSnapshot":{"Contacts":[{"Channel":"VOICE","State":"CONNECTED"}]}}`), ReasonInvalid},
		{"contact twice", []byte(`{"EventId":"e","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT","AgentARN":"a",
			"PreviousAgentSnapshot":{"Contacts":[{"ContactId":"c","Channel":"VOICE"},{"ContactId":"c","Channel":"CHAT"}]}}`), ReasonInvalid},
		{"contact id too long", []byte(`{"EventId":"e","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT","AgentARN":"a",
			"CurrentAgentSnapshot":{"Contacts":[{"ContactId":"` + strings.Repeat("c", maxIDLen+1) + `","Channel":"VOICE","State":"CONNECTED"}]}}`), ReasonInvalid},
		{"agent ARN too long", []byte(`{"EventId":"e","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT",
			"AgentARN":"` + strings.Repeat("a", maxARNLen+1) + `"}`), ReasonInvalid},
		{"too many contacts", []byte(`{"EventId":"e","EventTimestamp":"2025-03-04T15:02:11.482Z","EventType":"HEART_BEAT","AgentARN":"a",
			"CurrentAgentSnapshot":{"Contacts":[` + manyContacts(maxContacts+1) + `]}}`), ReasonInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(tc.data)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if de.Reason != tc.reason {
				t.Fatalf("reason = %q, want %q (%v)", de.Reason, tc.reason, err)
			}
			if !strings.Contains(err.Error(), string(tc.reason)) {
				t.Fatalf("message %q does not name the reason", err)
			}
		})
	}
}

func TestDecodeBatch(t *testing.T) {
	ref := string(referenceRecord(t))
	one, err := DecodeBatch([]byte(ref))
	if err != nil || len(one) != 1 {
		t.Fatalf("single: %d events, %v", len(one), err)
	}
	second := strings.Replace(ref, "0f1e2d3c", "1f1e2d3c", 1)
	two, err := DecodeBatch([]byte(" [" + ref + "," + second + "]"))
	if err != nil || len(two) != 2 {
		t.Fatalf("array: %d events, %v", len(two), err)
	}
	if two[1].EventID != "1f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0" {
		t.Fatalf("second id = %q", two[1].EventID)
	}
	_, err = DecodeBatch([]byte("[" + ref + `,{"EventId":""}]`))
	var de *DecodeError
	if !errors.As(err, &de) || de.Index != 1 || de.Reason != ReasonInvalid {
		t.Fatalf("bad element: %v", err)
	}
	_, err = DecodeBatch([]byte("[" + ref))
	if !errors.As(err, &de) || de.Reason != ReasonJSON {
		t.Fatalf("truncated array: %v", err)
	}
}

// manyContacts returns n chat contacts as a JSON array's elements.
func manyContacts(n int) string {
	cs := make([]string, n)
	for i := range cs {
		cs[i] = fmt.Sprintf(`{"ContactId":"c%d","Channel":"CHAT","State":"CONNECTED"}`, i)
	}
	return strings.Join(cs, ",")
}
