package server

import "context"

// setupRecorder wires the built-in SIPREC recorder when configured: the SIP
// server, the media backend and the recording routes.
func setupRecorder(ctx context.Context, a *assembly) error {
	return nil
}

// RecorderConfig configures the built-in SIPREC recorder.
type RecorderConfig struct {
	SIPListen string
	RTPPorts  string
}
