package api

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// During an incident everyone reloads the status page at once. Each
// replica keeps what it rendered for StatusDeps.CacheTTL (a few seconds),
// so a burst of readers costs the database one set of queries per page and
// replica; browsers and proxies keep it for statusCacheControl besides.
// Errors (5xx, the JSON error bodies) are never kept.

// maxStatusCacheEntries bounds the pages kept (history pages are many).
const maxStatusCacheEntries = 256

type statusCacheEntry struct {
	at     time.Time
	status int
	header http.Header
	body   []byte
}

// statusCache is the per-server cache of rendered status pages.
type statusCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]statusCacheEntry
}

func newStatusCache(ttl time.Duration) *statusCache {
	return &statusCache{ttl: ttl, entries: map[string]statusCacheEntry{}}
}

func (sc *statusCache) get(key string, now time.Time) (statusCacheEntry, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	e, ok := sc.entries[key]
	if !ok || now.Sub(e.at) >= sc.ttl {
		return statusCacheEntry{}, false
	}
	return e, true
}

func (sc *statusCache) put(key string, e statusCacheEntry) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if len(sc.entries) >= maxStatusCacheEntries {
		clear(sc.entries)
	}
	sc.entries[key] = e
}

// teeWriter keeps a copy of what a handler writes.
type teeWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// cachedStatus serves a status page from the cache, or renders it with h
// and keeps it. GET and HEAD share an entry. Nothing in a page depends on
// the request beyond its path and query (the feed's links come from
// HINDSIGHT_PUBLIC_URL or are relative, never from request headers).
func (s *server) cachedStatus(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.statusCache == nil || s.statusCache.ttl <= 0 || s.status.Off {
			h(c)
			return
		}
		key := c.Request.URL.Path + "?" + c.Request.URL.RawQuery
		now := time.Now()
		if e, ok := s.statusCache.get(key, now); ok {
			for k, v := range e.header {
				c.Writer.Header()[k] = v
			}
			c.Data(e.status, e.header.Get("Content-Type"), e.body)
			return
		}
		tw := &teeWriter{ResponseWriter: c.Writer}
		c.Writer = tw
		h(c)
		c.Writer = tw.ResponseWriter
		status := tw.Status()
		ct := tw.Header().Get("Content-Type")
		if (status == http.StatusOK || status == http.StatusNotFound) && ct != "" && ct != "application/json; charset=utf-8" {
			s.statusCache.put(key, statusCacheEntry{at: now, status: status, body: bytes.Clone(tw.buf.Bytes()),
				header: http.Header{"Content-Type": {ct}, "Cache-Control": tw.Header().Values("Cache-Control")}})
		}
	}
}

// statusWithoutSessions serves the status page (/status and below) past
// the session middleware: the page never reads the session, and a
// signed-in reader's session cookie (scs re-sends it on every request)
// must not ride on an answer that says Cache-Control: public, which a
// proxy or CDN in front of the page may keep and hand to everyone.
func statusWithoutSessions(e http.Handler, withSessions http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == "/status" || strings.HasPrefix(p, "/status/") {
			e.ServeHTTP(w, r)
			return
		}
		withSessions.ServeHTTP(w, r)
	})
}
