package engine

import (
	"bytes"
	"encoding/json"
	"testing"

	"pgregory.net/rapid"

	"github.com/hush-cc/hush/internal/conversation"
	"github.com/hush-cc/hush/internal/jsonenc/jsonenctest"
)

// TestDetailJSONIsJSONMarshal checks that the hand-written encoder writes
// exactly the bytes encoding/json writes, for any detail: with strings that
// need escaping or are not UTF-8, zero and far-off times, a Result.
func TestDetailJSONIsJSONMarshal(t *testing.T) {
	str := rapid.OneOf(
		rapid.SampledFrom([]string{"", "agent:a", "c3445e7d66bca839cf5e27dc37097b07", "in-progress", `<a href="x">&amp;</a>`, "\u2028\x00\t\"\\"}),
		rapid.String(),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }),
	)
	tm := jsonenctest.Times()
	state := rapid.Custom(func(t *rapid.T) stateDetail {
		return stateDetail{State: conversation.State(str.Draw(t, "state")), Desired: conversation.State(str.Draw(t, "desired")),
			Reasons: rapid.SliceOfN(str, -1, 3).Draw(t, "reasons")}
	})
	rapid.Check(t, func(t *rapid.T) {
		d := detail{
			TransactionID: str.Draw(t, "transactionId"),
			EventID:       str.Draw(t, "eventId"),
			EffectiveAt:   tm.Draw(t, "effectiveAt"),
			SessionID:     str.Draw(t, "sessionId"),
			AgentID:       str.Draw(t, "agentId"),
			Consent:       conversation.ConsentState(str.Draw(t, "consent")),
			Recording:     state.Draw(t, "recording"),
			Transcription: state.Draw(t, "transcription"),
		}
		if rapid.Bool().Draw(t, "result") {
			d.Result = &conversation.Result{TransactionID: str.Draw(t, "result.transactionId"), State: conversation.State(str.Draw(t, "result.state")),
				Err: str.Draw(t, "result.error"), Final: rapid.Bool().Draw(t, "result.final")}
		}
		for range rapid.IntRange(0, 2).Draw(t, "drives") {
			d.Drives = append(d.Drives, driveDetail{TransactionID: str.Draw(t, "drive.transactionId"),
				Capability: conversation.Capability(str.Draw(t, "drive.capability")), Target: conversation.State(str.Draw(t, "drive.target")),
				At: tm.Draw(t, "drive.at")})
		}
		for range rapid.IntRange(0, 2).Draw(t, "confirmed") {
			d.Confirmed = append(d.Confirmed, confirmDetail{TransactionID: str.Draw(t, "confirm.transactionId"),
				Capability: conversation.Capability(str.Draw(t, "confirm.capability")), State: conversation.State(str.Draw(t, "confirm.state")),
				By: str.Draw(t, "confirm.by"), Error: str.Draw(t, "confirm.error")})
		}
		got, err := d.appendJSON(nil)
		jsonenctest.SameAsMarshal(t, d, got, err)
	})
}

// TestOperationCompletedJSONIsJSONMarshal checks the operation event's
// encoder against encoding/json; rapid.Make fills every field, so a field
// added to the type and not to the encoder fails here.
func TestOperationCompletedJSONIsJSONMarshal(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		op := rapid.Make[conversation.OperationCompleted]().Draw(t, "op")
		want, err := json.Marshal(op)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeEvent(op)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("encoder wrote\n%s (%v)\njson.Marshal\n%s", got, err, want)
		}
	})
}
