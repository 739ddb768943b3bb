package sqlite

import (
	"fmt"
	"time"
)

// formatTime is how every time is stored: the audit hash covers this exact
// text, so it must read back to the same instant.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}
