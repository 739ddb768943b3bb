package amazonconnect

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

var streamNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]{1,128}$`)

// streamRef names a Kinesis stream by name, and by ARN when given one.
type streamRef struct {
	name string
	arn  string
}

// parseStream accepts a stream name or a stream ARN
// (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME).
func parseStream(s string) (streamRef, error) {
	if !arn.IsARN(s) {
		if !streamNameRE.MatchString(s) {
			return streamRef{}, fmt.Errorf("kinesis stream %q: not a stream name or ARN", s)
		}
		return streamRef{name: s}, nil
	}
	a, err := arn.Parse(s)
	if err != nil {
		return streamRef{}, fmt.Errorf("kinesis stream ARN %q: %w", s, err)
	}
	name, ok := strings.CutPrefix(a.Resource, "stream/")
	if a.Service != "kinesis" || !ok || !streamNameRE.MatchString(name) {
		return streamRef{}, fmt.Errorf("kinesis stream ARN %q: want arn:aws:kinesis:REGION:ACCOUNT:stream/NAME", s)
	}
	return streamRef{name: name, arn: s}, nil
}
