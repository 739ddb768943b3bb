package conversation

// transfer hands the conversation to another agent. The conversation, its
// held reasons and its drives stay as they are: a transfer changes who may
// see and control the call, not whether it is recorded.
func (a *applier) transfer() error {
	if a.in.AgentID == "" {
		return errorf(CodeInvalid, "a transfer needs the agent it hands the conversation to")
	}
	a.next.AgentID = a.in.AgentID
	return nil
}

// consent records the customer's answer. A decline pauses recording and
// transcription under a reason nothing releases, and it is final: a later
// "granted" is refused, since the customer's no cannot be taken back by
// whoever reports the next answer.
func (a *applier) consent() error {
	switch a.in.Consent {
	case ConsentGranted:
		if a.next.Consent == ConsentDeclined {
			return errorf(CodeConsentDeclined, "the customer already declined recording; the answer is final")
		}
		a.next.Consent = ConsentGranted
	case ConsentDeclined:
		a.next.Consent = ConsentDeclined
		a.addReasonAll(Reason{Kind: Consent, Since: a.since(), By: a.in.Actor})
	default:
		return errorf(CodeInvalid, `consent must be "granted" or "declined"`)
	}
	return nil
}
