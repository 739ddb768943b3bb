package api

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/hush-cc/hush/internal/store"
)

// A cursor is opaque to clients: where the previous page ended, encoded so
// that nobody builds one by hand and the encoding may change.
type cursorBody struct {
	CreatedMs int64  `json:"t,omitempty"`
	ID        string `json:"i,omitempty"`
	Seq       int64  `json:"s,omitempty"`
}

func encode(c cursorBody) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decode(s string) (cursorBody, error) {
	var c cursorBody
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 1024 || json.Unmarshal(b, &c) != nil {
		return c, invalid("cursor is not one this server gave: pass the next value of the previous page unchanged")
	}
	return c, nil
}

func encodeCursor(p store.Position) string {
	return encode(cursorBody{CreatedMs: p.CreatedAt.UnixMilli(), ID: p.ID})
}

func decodeCursor(s string) (store.Position, error) {
	c, err := decode(s)
	if err != nil {
		return store.Position{}, err
	}
	if c.ID == "" {
		return store.Position{}, invalid("cursor is not one of a conversation list")
	}
	return store.Position{CreatedAt: time.UnixMilli(c.CreatedMs), ID: c.ID}, nil
}

func encodeAuditCursor(seq int64) string { return encode(cursorBody{Seq: seq}) }

func decodeAuditCursor(s string) (int64, error) {
	c, err := decode(s)
	if err != nil {
		return 0, err
	}
	if c.Seq <= 0 {
		return 0, invalid("cursor is not one of an audit list")
	}
	return c.Seq, nil
}
