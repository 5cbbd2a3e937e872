package api

import (
	"context"
	"crypto/sha256"
	"reflect"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
)

// touchSkipper wraps the session store so that a request which only moves
// a session's idle deadline does not rewrite its row. With an idle timeout
// scs marks every loaded session modified and commits it at the end of
// every request, so every browser request was an UPSERT on sessions (on
// SQLite, a turn in the one write lock). A commit is skipped when this
// process wrote the same values for the token less than window ago; the
// idle timeout then counts from at most window earlier than the last
// request, so window is small next to it. Anything else (new data, a new
// token, another replica's write this process has not seen) is written.
type touchSkipper struct {
	scs.CtxStore
	codec  scs.Codec
	window time.Duration

	mu      sync.Mutex
	written map[[32]byte]sessionWrite
}

// sessionWrite is what this process last wrote for a token.
type sessionWrite struct {
	deadline time.Time
	values   map[string]any
	expiry   time.Time
}

// maxRememberedSessions bounds the memory of touchSkipper: past it the map
// is emptied (the next commit of each session is then written again).
const maxRememberedSessions = 50000

func newTouchSkipper(st scs.CtxStore, codec scs.Codec, idle time.Duration) *touchSkipper {
	return &touchSkipper{CtxStore: st, codec: codec, window: min(time.Minute, idle/4), written: map[[32]byte]sessionWrite{}}
}

// CommitCtx writes the session unless only its idle deadline moved, by
// less than the window, since this process last wrote it.
func (t *touchSkipper) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	key := sha256.Sum256([]byte(token))
	deadline, values, err := t.codec.Decode(b)
	if err != nil {
		return t.CtxStore.CommitCtx(ctx, token, b, expiry)
	}
	t.mu.Lock()
	last, ok := t.written[key]
	t.mu.Unlock()
	if ok && !expiry.Before(last.expiry) && expiry.Sub(last.expiry) < t.window &&
		deadline.Equal(last.deadline) && reflect.DeepEqual(values, last.values) {
		return nil
	}
	if err := t.CtxStore.CommitCtx(ctx, token, b, expiry); err != nil {
		return err
	}
	t.mu.Lock()
	if len(t.written) >= maxRememberedSessions {
		clear(t.written)
	}
	t.written[key] = sessionWrite{deadline: deadline, values: values, expiry: expiry}
	t.mu.Unlock()
	return nil
}

// DeleteCtx deletes the session and forgets it.
func (t *touchSkipper) DeleteCtx(ctx context.Context, token string) error {
	key := sha256.Sum256([]byte(token))
	t.mu.Lock()
	delete(t.written, key)
	t.mu.Unlock()
	return t.CtxStore.DeleteCtx(ctx, token)
}

// Commit implements scs.Store (scs calls the Ctx methods).
func (t *touchSkipper) Commit(token string, b []byte, expiry time.Time) error {
	return t.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (t *touchSkipper) Delete(token string) error { return t.DeleteCtx(context.Background(), token) }
