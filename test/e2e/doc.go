// Package e2e holds hush's end-to-end tests: the hush binary as it ships
// and hush served in-process, driven by real peers (sipp, headless
// Chromium, kinesalite, the Connect API's test server). TestMain builds
// the binary once; the tests run beside the unit packages.
package e2e
