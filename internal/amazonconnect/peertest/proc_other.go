//go:build !linux

package peertest

import "syscall"

// sysProcAttr relies on the closed stdin alone where Pdeathsig is missing.
func sysProcAttr() *syscall.SysProcAttr { return nil }
