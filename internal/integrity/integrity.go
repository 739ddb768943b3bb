// Package integrity seals each finished recording file (the WAV, the
// transcript) into the audit chain by its SHA-256, and later tells whether
// the file on disk is still the one that was recorded.
package integrity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hush-cc/hush/internal/audit"
	"github.com/hush-cc/hush/internal/store"
)

// Kinds of sealed file.
const (
	Recording  = "recording"
	Transcript = "transcript"
)

// Action is the audit action of a seal of kind ("recording.sealed").
func Action(kind string) string { return kind + ".sealed" }

// Seal is what a seal entry's Detail holds.
type Seal struct {
	// File is the file's name in the recordings directory.
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// HashFile returns the SHA-256 (hex) and size of the file at path, read as
// a stream.
func HashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("hash %s: %w", filepath.Base(path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// SealFile hashes the file at path and appends the seal to the audit chain
// as an entry of conversationID.
func SealFile(ctx context.Context, st store.Audit, conversationID, kind, path string, now time.Time) (Seal, error) {
	sum, n, err := HashFile(path)
	if err != nil {
		return Seal{}, fmt.Errorf("seal %s of %s: %w", kind, conversationID, err)
	}
	s := Seal{File: filepath.Base(path), SHA256: sum, Bytes: n}
	detail, _ := json.Marshal(s)
	err = st.AppendAudit(ctx, audit.Entry{At: now, ConversationID: conversationID, Actor: "recorder",
		Action: Action(kind), Capability: "recording", Outcome: "sealed", Detail: detail})
	if err != nil {
		return s, fmt.Errorf("audit seal of %s of %s: %w", kind, conversationID, err)
	}
	return s, nil
}

// Status of a file against its seal.
const (
	Intact   = "intact"   // the file's hash is the sealed one
	Modified = "modified" // the file differs from what was recorded
	Missing  = "missing"  // sealed, but no file is there
	Unsealed = "unsealed" // no seal in the audit: nothing to compare with
)

// Result is the verification of one file.
type Result struct {
	Kind   string `json:"kind"`
	Status string `json:"status"`
	File   string `json:"file,omitempty"`
	// Sealed is the seal as recorded in the audit, with the entry's Seq
	// and time; OnDisk the hash and size of the file now.
	Sealed     *Seal     `json:"sealed,omitempty"`
	SealedSeq  int64     `json:"sealedSeq,omitempty"`
	SealedAt   time.Time `json:"sealedAt,omitzero"`
	OnDiskHash string    `json:"onDiskSha256,omitempty"`
	OnDiskSize int64     `json:"onDiskBytes,omitempty"`
}

// Verify compares the file of kind in dir with the newest seal of
// conversationID in the audit chain. The chain itself is checked
// elsewhere (audit verify); this trusts its entries.
func Verify(ctx context.Context, st store.Audit, dir, conversationID, kind string) (Result, error) {
	r := Result{Kind: kind, Status: Unsealed}
	entries, err := st.AuditEntries(ctx, store.AuditQuery{ConversationID: conversationID})
	if err != nil {
		return r, fmt.Errorf("read the audit of %s: %w", conversationID, err)
	}
	for _, e := range entries {
		if e.Action != Action(kind) || e.Seq < r.SealedSeq {
			continue
		}
		var s Seal
		if err := json.Unmarshal(e.Detail, &s); err != nil || s.File == "" || filepath.Base(s.File) != s.File {
			return r, fmt.Errorf("audit entry %d: malformed seal", e.Seq)
		}
		r.Sealed, r.SealedSeq, r.SealedAt, r.File = &s, e.Seq, e.At, s.File
	}
	if r.Sealed == nil {
		return r, nil
	}
	sum, n, err := HashFile(filepath.Join(dir, r.File))
	switch {
	case errors.Is(err, os.ErrNotExist):
		r.Status = Missing
		return r, nil
	case err != nil:
		return r, err
	}
	r.OnDiskHash, r.OnDiskSize = sum, n
	r.Status = Modified
	if sum == r.Sealed.SHA256 && n == r.Sealed.Bytes {
		r.Status = Intact
	}
	return r, nil
}
