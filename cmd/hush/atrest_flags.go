package main

import (
	"flag"

	"github.com/hush-cc/hush/internal/server"
)

// atRestFlags defines the encryption of recordings at rest.
func atRestFlags(fs *flag.FlagSet, c *server.AtRestConfig) {
	fs.StringVar(&c.Recipient, "recording-recipient", "", "age public key (age1…): the recorder writes WAVs and transcripts encrypted to it")
	fs.StringVar(&c.IdentityFile, "recording-identity", "", "age identity file: the API decrypts recordings for allowed callers (without it, it serves them encrypted)")
}
