// Package deptest holds the test that keeps hush's imports pointing inward:
// the domain imports nothing of hush, the store no adapter, and each layer
// only the layers inside it. The layers are listed in deptest_test.go; a new
// package must be placed in one.
package deptest
