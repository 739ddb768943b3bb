package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/hush-cc/hush/internal/corpus"
)

func gen(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("hush-digits gen", flag.ContinueOnError)
	out := fs.String("out", "corpus", "directory to write the calls to")
	per := fs.Int("per-condition", 2, "calls per condition")
	seed := fs.Uint64("seed", 1, "seed: the same seed builds the same corpus")
	modes := fs.String("modes", "", "comma-separated modes to build ("+corpus.Spoken+", "+corpus.KeyedInband+", "+corpus.KeyedEvents+"); empty builds all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "hush-digits-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	sp := &corpus.Espeak{Ctx: ctx, Dir: tmp}
	r := rand.New(rand.NewPCG(*seed, 0x6875736864))
	n := 0
	want := strings.Split(*modes, ",")
	for i, c := range corpus.Conditions() {
		if *modes != "" && !slices.Contains(want, c.Mode) {
			continue
		}
		for j := range *per {
			call, err := corpus.Build(fmt.Sprintf("digits-%02d-%d", i, j), c, sp, r)
			if err != nil {
				return err
			}
			if err := call.Write(*out); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Printf("wrote %d calls to %s\n", n, *out)
	return nil
}
