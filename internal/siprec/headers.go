package siprec

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Option tags (RFC 3261 section 19.2) the recorder knows.
const (
	tagSIPREC = "siprec" // RFC 7866
	tagTimer  = "timer"  // RFC 4028 session timers
	tag100rel = "100rel" // RFC 3262: the recorder sends no provisional answer to make reliable
)

// supportedTags is the recorder's Supported header value.
const supportedTags = "siprec, timer"

// allowedMethods is the recorder's Allow header value.
const allowedMethods = "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, INFO"

// optionTags returns the option tags listed in every header called name.
func optionTags(req *sip.Request, name string) []string {
	var out []string
	for _, h := range req.GetHeaders(name) {
		for _, t := range strings.Split(h.Value(), ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// unsupportedRequired returns the option tags in Require that the recorder
// does not support; they earn a 420 Bad Extension.
func unsupportedRequired(req *sip.Request) []string {
	var out []string
	for _, t := range optionTags(req, "Require") {
		switch t {
		case tagSIPREC, tagTimer, tag100rel:
		default:
			out = append(out, t)
		}
	}
	return out
}

// isRecordingSession reports whether an INVITE opens a SIPREC recording
// session: RFC 7866 has the client put "siprec" in Require and mark its
// Contact with the +sip.src feature tag. Either is accepted, and so is the
// option tag in Supported, which some clients use instead.
func isRecordingSession(req *sip.Request) bool {
	if slices.Contains(optionTags(req, "Require"), tagSIPREC) || slices.Contains(optionTags(req, "Supported"), tagSIPREC) {
		return true
	}
	if c := req.Contact(); c != nil && c.Params != nil && c.Params.Has("+sip.src") {
		return true
	}
	return false
}

// sessionExpires parses the Session-Expires header (RFC 4028): the
// interval and whether it is present.
func sessionExpires(req *sip.Request) (time.Duration, bool, error) {
	h := req.GetHeader("Session-Expires")
	if h == nil {
		h = req.GetHeader("x") // the header's compact form
	}
	if h == nil {
		return 0, false, nil
	}
	v, _, _ := strings.Cut(h.Value(), ";")
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 32)
	if err != nil || n == 0 {
		return 0, true, malformed("Session-Expires %q", h.Value())
	}
	return time.Duration(n) * time.Second, true, nil
}

// maxIDLen bounds a conversation id taken from a Call-ID as is.
const maxIDLen = 128

// ConversationID returns the conversation id of the recording session
// with the given Call-ID: the Call-ID itself when it is short and made of
// characters the API accepts in ids (letters, digits, . _ : @ -), else a
// digest of it.
func ConversationID(callID string) string {
	if callID != "" && len(callID) <= maxIDLen && !unsafeIDRune(rune(callID[0])) && !strings.ContainsAny(callID[:1], ".:@_-") &&
		strings.IndexFunc(callID, unsafeIDRune) < 0 {
		return callID
	}
	sum := sha256.Sum256([]byte(callID))
	return "sip-" + hex.EncodeToString(sum[:16])
}

func unsafeIDRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	case r == '-', r == '.', r == '_', r == '@', r == ':':
		return false
	}
	return true
}
