package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hush-cc/hush/internal/server"
)

func auditVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	data := fs.String("data", "hush-data", "data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(*data, server.DBFile)); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no hush database in %s", *data)
	}
	st, err := server.OpenStore(ctx, *data)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.VerifyAudit(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "audit chain intact")
	return nil
}
