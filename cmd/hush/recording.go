package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hush-cc/hush/internal/integrity"
	"github.com/hush-cc/hush/internal/server"
)

// recordingVerify says whether conversation ID's recording and transcript
// on disk are the files sealed into the audit when they were finished.
func recordingVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("recording verify", stderr)
	data := fs.String("data", "hush-data", "data directory")
	var id string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if id == "" {
		return usageError{"hush recording verify needs a conversation id"}
	}
	st, err := server.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	dir := filepath.Join(*data, server.RecordingsDir)
	bad := false
	for _, kind := range []string{integrity.Recording, integrity.Transcript} {
		r, err := integrity.Verify(ctx, st, dir, id, kind)
		if err != nil {
			return err
		}
		switch r.Status {
		case integrity.Intact:
			fmt.Fprintf(stdout, "%s %s: intact (sha256 %s, %d bytes, sealed in audit entry %d)\n", kind, r.File, r.Sealed.SHA256, r.Sealed.Bytes, r.SealedSeq)
		case integrity.Modified:
			bad = true
			fmt.Fprintf(stdout, "%s %s: MODIFIED: sha256 %s (%d bytes) on disk, %s (%d bytes) sealed in audit entry %d\n",
				kind, r.File, r.OnDiskHash, r.OnDiskSize, r.Sealed.SHA256, r.Sealed.Bytes, r.SealedSeq)
		case integrity.Missing:
			bad = true
			fmt.Fprintf(stdout, "%s %s: MISSING (sealed in audit entry %d)\n", kind, r.File, r.SealedSeq)
		default:
			fmt.Fprintf(stdout, "%s: no seal in the audit (not recorded here, or not finished)\n", kind)
		}
	}
	if bad {
		return errors.New("a recording file is not the one recorded")
	}
	return nil
}
