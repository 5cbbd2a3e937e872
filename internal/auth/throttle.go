package auth

import (
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle slows down password guessing: after FreeFailures failed sign-ins
// for one key (an account, an address) in a row, the key is locked for a
// time that doubles with every further failure, up to MaxLock. A success
// clears the key. It is kept in memory per process: with several replicas
// each counts on its own, which still bounds guessing to a few tries per
// minute per replica.
type Throttle struct {
	mu       sync.Mutex
	keys     map[string]*throttleState
	now      func() time.Time
	free     int
	base     time.Duration
	maxLock  time.Duration
	lastTrim time.Time
}

type throttleState struct {
	failures int
	until    time.Time
	last     time.Time
}

// ThrottleOptions tunes a Throttle; zero fields take the defaults.
type ThrottleOptions struct {
	// FreeFailures is how many failures in a row cost nothing. Default 5.
	FreeFailures int
	// BaseLock is the first lock. Default 1s.
	BaseLock time.Duration
	// MaxLock bounds a lock. Default 15m.
	MaxLock time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// NewThrottle returns a Throttle.
func NewThrottle(o ThrottleOptions) *Throttle {
	if o.FreeFailures <= 0 {
		o.FreeFailures = 5
	}
	if o.BaseLock <= 0 {
		o.BaseLock = time.Second
	}
	if o.MaxLock <= 0 {
		o.MaxLock = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Throttle{keys: map[string]*throttleState{}, now: o.Now, free: o.FreeFailures, base: o.BaseLock, maxLock: o.MaxLock}
}

// Wait returns how long key must wait before the next try (0: go ahead).
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	st, ok := t.keys[key]
	if !ok {
		return 0
	}
	if d := st.until.Sub(t.now()); d > 0 {
		return d
	}
	return 0
}

// Fail records a failed try of key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.trim(now)
	st, ok := t.keys[key]
	if !ok {
		st = &throttleState{}
		t.keys[key] = st
	}
	st.failures++
	st.last = now
	if over := st.failures - t.free; over > 0 {
		lock := t.maxLock
		if over < 30 {
			lock = min(t.base<<(over-1), t.maxLock)
		}
		st.until = now.Add(lock)
	}
}

// Succeed clears key.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.keys, key)
}

// trim forgets keys idle for longer than a maximal lock, at most once a
// minute, so the map cannot grow without bound under a spray of addresses.
func (t *Throttle) trim(now time.Time) {
	if now.Sub(t.lastTrim) < time.Minute {
		return
	}
	t.lastTrim = now
	for k, st := range t.keys {
		if now.Sub(st.last) > t.maxLock && now.After(st.until) {
			delete(t.keys, k)
		}
	}
}

// RateLimiter is a token bucket per key (a client address): Rate requests
// per second on average, bursts of Burst.
type RateLimiter struct {
	mu       sync.Mutex
	buckets  map[string]*bucket
	limit    rate.Limit
	burst    int
	now      func() time.Time
	lastTrim time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

// NewRateLimiter allows perMinute requests a minute per key, in bursts of burst.
func NewRateLimiter(perMinute float64, burst int, now func() time.Time) *RateLimiter {
	if now == nil {
		now = time.Now
	}
	return &RateLimiter{buckets: map[string]*bucket{}, limit: rate.Limit(perMinute / 60), burst: max(burst, 1), now: now}
}

// Allow takes one token of key's bucket. When it is empty it returns false
// and how long until the next token.
func (l *RateLimiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.lastTrim) > time.Minute {
		l.lastTrim = now
		for k, b := range l.buckets {
			if now.Sub(b.last) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
		l.buckets[key] = b
	}
	b.last = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// AddressKey is the key of a client address for rate limits, throttles
// and refusal budgets: the address itself for IPv4, its /64 network for
// IPv6 (a subscriber is routinely given a whole /64, so keying per address
// would hand one client 2^64 budgets). Text that is not an address is its
// own key.
func AddressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}
