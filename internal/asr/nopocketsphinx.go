//go:build !pocketsphinx

package asr

import "errors"

// Pocketsphinx reports whether this build can use pocketsphinx.
const Pocketsphinx = false

func openPocketsphinx(Model, int) (Engine, error) {
	return nil, errors.New("asr: this build has no pocketsphinx (build with -tags pocketsphinx)")
}
