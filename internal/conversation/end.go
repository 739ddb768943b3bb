package conversation

// EndReason says why a call ended when it was not hung up the ordinary
// way. Empty means an ordinary end (a BYE, a platform's disconnect).
type EndReason string

// End reasons.
const (
	// EndMediaTimeout: no RTP arrived on any stream that should carry
	// some for the recorder's RTP timeout.
	EndMediaTimeout EndReason = "media-timeout"
	// EndRecorderRestarted: the recorder stopped (crashed or was killed)
	// during the call, and its restart closed the call; the recording
	// holds the audio written before that.
	EndRecorderRestarted EndReason = "recorder-restarted"
)
