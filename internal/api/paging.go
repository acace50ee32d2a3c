package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

const (
	defaultLimit = 100
	maxLimit     = 1000
)

func limitOf(l *int) (int, error) {
	if l == nil {
		return defaultLimit, nil
	}
	if *l < 1 || *l > maxLimit {
		return 0, badRequest{fmt.Errorf("limit %d: give 1 to %d", *l, maxLimit)}
	}
	return *l, nil
}

// A cursor is opaque to clients: a kind letter and a position, base64url. The kind
// keeps one list's cursor from being taken for another's.
func encodeCursor(kind, pos string) *string {
	c := base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + pos))
	return &c
}

func decodeCursor(kind string, c *string) (string, error) {
	if c == nil || *c == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(*c)
	k, pos, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok || k != kind {
		return "", badRequest{errors.New("cursor: not one this list gave out")}
	}
	return pos, nil
}

func decodeIDCursor(kind string, c *string) (int64, error) {
	pos, err := decodeCursor(kind, c)
	if err != nil || pos == "" {
		return 0, err
	}
	id, err := strconv.ParseInt(pos, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest{errors.New("cursor: not one this list gave out")}
	}
	return id, nil
}

func anys[T any](items []T) []Object {
	out := make([]Object, len(items))
	for i, v := range items {
		out[i] = body(v)
	}
	return out
}

// slicePage pages a list the application layer returns whole: the cursor is the
// offset of the next item. Used where lists are small (per customer, per month);
// the long lists (findings, audit, sync runs) page by key in the database.
func slicePage[T any](items []T, limit *int, cursor *string) (Page, error) {
	n, err := limitOf(limit)
	if err != nil {
		return Page{}, err
	}
	pos, err := decodeCursor("o", cursor)
	if err != nil {
		return Page{}, err
	}
	start := 0
	if pos != "" {
		start, err = strconv.Atoi(pos)
		if err != nil || start < 0 {
			return Page{}, badRequest{errors.New("cursor: not one this list gave out")}
		}
	}
	start = min(start, len(items))
	end := min(start+n, len(items))
	p := Page{Items: anys(items[start:end])}
	if end < len(items) {
		p.NextCursor = encodeCursor("o", strconv.Itoa(end))
	}
	return p, nil
}

// Body carries a value of the application layer as it marshals itself: the
// document's object schemas map to it, so the generated responses pass the same
// JSON shapes the CLI prints with --output json instead of copies of them.
type Body struct{ payload }

type payload struct{ v any }

func (p payload) MarshalJSON() ([]byte, error) { return json.Marshal(p.v) }

func body(v any) Body { return Body{payload{v}} }
