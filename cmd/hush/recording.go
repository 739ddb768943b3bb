package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hush-cc/hush/internal/atrest"
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

// recordingDecrypt decrypts an encrypted recording file (WAV or
// transcript) with an age identity, to --out or standard output. A WAV
// written to a file gets its header sizes set from its length.
func recordingDecrypt(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("recording decrypt", stderr)
	identity := fs.String("identity", "", "age identity file (AGE-SECRET-KEY-1…) of the --recording-recipient")
	out := fs.String("out", "", "write the plaintext here (default: standard output)")
	var src string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		src, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if src == "" || *identity == "" {
		return usageError{"hush recording decrypt FILE --identity FILE [--out FILE]"}
	}
	opener, err := atrest.LoadOpener(*identity)
	if err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	plain, err := opener.Stream(in)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = io.Copy(stdout, plain)
		return err
	}
	f, err := os.OpenFile(*out, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	n, cerr := io.Copy(f, plain)
	if n >= 44 {
		fixed, err := io.ReadAll(io.NewSectionReader(atrest.FixWAV(f, n), 0, 44))
		if err == nil {
			_, err = f.WriteAt(fixed, 0)
		}
		cerr = errors.Join(cerr, err)
	}
	if err := errors.Join(cerr, f.Close()); err != nil {
		return fmt.Errorf("decrypted %d bytes to %s, then: %w", n, *out, err)
	}
	fmt.Fprintf(stdout, "decrypted %d bytes to %s\n", n, *out)
	return nil
}
