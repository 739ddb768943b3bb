package peertest

import (
	"path/filepath"
	"testing"
)

// IsolateAWS points the AWS SDK of this test at local peers only: fake static
// credentials, a fixed region, empty config files and no instance metadata,
// so nothing on the machine (a profile, a role) leaks in. endpoints are
// pairs of environment variable and URL, such as
// "AWS_ENDPOINT_URL_KINESIS", url.
func IsolateAWS(t testing.TB, endpoints ...string) {
	t.Helper()
	if len(endpoints)%2 != 0 {
		t.Fatalf("IsolateAWS: endpoints must be variable, URL pairs")
	}
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "AKIDTEST",
		"AWS_SECRET_ACCESS_KEY":       "secret",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
	for i := 0; i < len(endpoints); i += 2 {
		t.Setenv(endpoints[i], endpoints[i+1])
	}
}
