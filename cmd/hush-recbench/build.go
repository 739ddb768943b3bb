package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// loreste/siprec as built by default: the commit the figures in
// docs/BENCHMARKS.md were measured against.
const (
	defaultLoresteRepo   = "https://github.com/loreste/siprec.git"
	defaultLoresteCommit = "782b1a95cc76e00279230d55785e66bbaf02aac0"
)

// loresteSource says where loreste/siprec's source comes from.
type loresteSource struct {
	repo   string // URL, or a local git directory
	commit string
}

// binaries are the programs a run starts.
type binaries struct {
	hush, callload, loreste string
}

// build builds hush and hush-callload from this module, and loreste/siprec
// from its repository unless the work directory holds it already.
func build(ctx context.Context, o options, log io.Writer) (binaries, error) {
	bin := filepath.Join(o.work, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return binaries{}, fmt.Errorf("work directory: %w", err)
	}
	b := binaries{
		hush:     filepath.Join(bin, "hush"),
		callload: filepath.Join(bin, "hush-callload"),
		loreste:  filepath.Join(bin, "loreste-siprec-"+o.loreste.commit),
	}
	fmt.Fprintln(log, "building hush and hush-callload")
	for _, p := range []struct{ out, pkg string }{{b.hush, "./cmd/hush"}, {b.callload, "./cmd/hush-callload"}} {
		if err := command(ctx, "", log, "go", "build", "-trimpath", "-o", p.out, p.pkg).Run(); err != nil {
			return b, fmt.Errorf("build %s (run hush-recbench from hush's source tree): %w", p.pkg, err)
		}
	}
	if _, err := os.Stat(b.loreste); err == nil {
		return b, nil
	}
	src := filepath.Join(o.work, "loreste-src-"+o.loreste.commit)
	if err := loresteSourceTree(ctx, o.loreste, o.work, src, log); err != nil {
		return b, err
	}
	fmt.Fprintln(log, "building loreste/siprec (the first build downloads its modules and takes minutes)")
	cmd := command(ctx, src, log, "go", "build", "-trimpath", "-o", b.loreste, "./cmd/siprec")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := cmd.Run(); err != nil {
		return b, fmt.Errorf("build loreste/siprec: %w", err)
	}
	return b, nil
}

// loresteSourceTree writes the files loreste/siprec's server is built from
// (go.mod, go.sum, cmd/siprec, pkg) at the commit into dir. A local git
// directory is read in place; a URL is fetched into the work directory.
func loresteSourceTree(ctx context.Context, s loresteSource, work, dir string, log io.Writer) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	gitDir := s.repo
	if fi, err := os.Stat(s.repo); err != nil || !fi.IsDir() {
		gitDir = filepath.Join(work, "loreste.git")
		if _, err := os.Stat(gitDir); errors.Is(err, os.ErrNotExist) {
			if err := command(ctx, "", log, "git", "init", "-q", "--bare", gitDir).Run(); err != nil {
				return fmt.Errorf("loreste/siprec: git init: %w", err)
			}
		}
		fmt.Fprintf(log, "fetching loreste/siprec %s from %s\n", s.commit, s.repo)
		if err := command(ctx, "", log, "git", "--git-dir", gitDir, "fetch", "-q", "--depth", "1", s.repo, s.commit).Run(); err != nil {
			return fmt.Errorf("loreste/siprec: fetch: %w", err)
		}
	}
	tmp := dir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	tarball := filepath.Join(tmp, "src.tar")
	if err := command(ctx, "", log, "git", "--git-dir", gitDir, "archive", "-o", tarball, s.commit, "go.mod", "go.sum", "cmd/siprec", "pkg").Run(); err != nil {
		return fmt.Errorf("loreste/siprec: git archive %s: %w", s.commit, err)
	}
	if err := command(ctx, tmp, log, "tar", "-xf", "src.tar").Run(); err != nil {
		return fmt.Errorf("loreste/siprec: unpack: %w", err)
	}
	if err := os.Remove(tarball); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// command returns cmd with its output sent to log.
func command(ctx context.Context, dir string, log io.Writer, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Stdout = log
	cmd.Stderr = log
	return cmd
}
