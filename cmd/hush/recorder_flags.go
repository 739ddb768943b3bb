package main

import (
	"flag"

	"github.com/hush-cc/hush/internal/server"
)

// recorderFlags defines the built-in recorder's flags.
func recorderFlags(fs *flag.FlagSet, c *server.RecorderConfig) {
	fs.StringVar(&c.SIPListen, "sip-listen", "", "SIPREC listen address (UDP and TCP), e.g. 127.0.0.1:5060: enables the recorder")
	fs.StringVar(&c.RTPPorts, "rtp-ports", "30000-30999", "UDP port range for RTP")
}
