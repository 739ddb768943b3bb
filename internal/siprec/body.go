package siprec

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"
)

// Body limits. A SIPREC INVITE body is a few kilobytes; these stop a peer
// from making the recorder buffer much more.
const (
	MaxBodySize = 1 << 20
	maxParts    = 16
)

// Content types of a SIPREC INVITE body.
const (
	TypeSDP       = "application/sdp"
	TypeMetadata  = "application/rs-metadata+xml"
	typeMetaDraft = "application/rs-metadata" // used before RFC 7865
	typeMultipart = "multipart/mixed"
)

// Body holds the parts of an INVITE body the recorder reads. A part that is
// absent is nil.
type Body struct {
	SDP      []byte
	Metadata []byte
}

// SplitBody splits an INVITE (or re-INVITE, UPDATE, BYE) body by its
// Content-Type header: a multipart/mixed body with an SDP part and a
// metadata part, or a lone SDP or metadata body. Parts of other types are
// ignored.
func SplitBody(contentType string, body []byte) (Body, error) {
	if len(body) > MaxBodySize {
		return Body{}, malformed("body of %d bytes exceeds %d", len(body), MaxBodySize)
	}
	if strings.TrimSpace(contentType) == "" {
		if len(bytes.TrimSpace(body)) == 0 {
			return Body{}, nil
		}
		return Body{}, malformed("body without a content type")
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return Body{}, malformed("content type %q: %v", contentType, err)
	}
	switch mt {
	case TypeSDP:
		return Body{SDP: body}, nil
	case TypeMetadata, typeMetaDraft:
		return Body{Metadata: body}, nil
	case typeMultipart:
		return splitMultipart(params["boundary"], body)
	}
	return Body{}, unsupported("content type %s", mt)
}

func splitMultipart(boundary string, body []byte) (Body, error) {
	if boundary == "" {
		return Body{}, malformed("multipart body without a boundary")
	}
	var out Body
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for n := 0; ; n++ {
		part, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Body{}, malformed("multipart body: %v", err)
		}
		if n == maxParts {
			return Body{}, malformed("multipart body has more than %d parts", maxParts)
		}
		if err := out.add(part); err != nil {
			return Body{}, err
		}
	}
	if out.SDP == nil && out.Metadata == nil {
		return Body{}, unsupported("multipart body holds neither SDP nor recording metadata")
	}
	return out, nil
}

// add keeps part if it is the SDP or the metadata.
func (b *Body) add(part *multipart.Part) error {
	ct := part.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return malformed("multipart part content type %q: %v", ct, err)
	}
	var dst *[]byte
	switch mt {
	case TypeSDP:
		dst = &b.SDP
	case TypeMetadata, typeMetaDraft:
		dst = &b.Metadata
	default:
		return nil
	}
	if *dst != nil {
		return malformed("multipart body has two %s parts", mt)
	}
	data, err := io.ReadAll(part)
	if err != nil {
		return malformed("multipart part %s: %v", mt, err)
	}
	*dst = data
	return nil
}
