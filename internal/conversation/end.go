package conversation

// EndReason says why a call ended. Empty means the platform did not say.
type EndReason string

// End reasons. The recorder's SIPREC sessions say which of these ended
// them; other platforms may leave the reason empty.
const (
	EndBye          EndReason = "bye"             // the client sent BYE
	EndShutdown     EndReason = "shutdown"        // hush stopped
	EndSessionTimer EndReason = "session-expired" // no session refresh came (RFC 4028)
	EndAnswerLost   EndReason = "answer-lost"     // the 200 OK could not be sent
	EndCancelled    EndReason = "cancelled"       // the client cancelled the INVITE
	EndACKTimeout   EndReason = "ack-timeout"     // no ACK came for the 200 OK
	// EndMediaTimeout: no RTP arrived on any stream that should carry
	// some for the recorder's RTP timeout.
	EndMediaTimeout EndReason = "media-timeout"
	// EndRecorderRestarted: the recorder stopped (crashed or was killed)
	// during the call, and its restart closed the call; the recording
	// holds the audio written before that.
	EndRecorderRestarted EndReason = "recorder-restarted"
)
