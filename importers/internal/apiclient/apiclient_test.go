package apiclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRetrier_Do(t *testing.T) {
	tests := []struct {
		name       string
		limited    int    // how many 429s before a 200
		retryAfter string // the 429s' Retry-After
		r          Retrier
		wantWaits  []time.Duration
		wantErr    string
	}{
		{name: "served at once", wantWaits: nil},
		{name: "waits as asked", limited: 2, retryAfter: "3", wantWaits: []time.Duration{3 * time.Second, 3 * time.Second}},
		{name: "fallback without Retry-After", limited: 1, r: Retrier{Fallback: func(http.Header) time.Duration { return time.Minute }}, wantWaits: []time.Duration{time.Minute}},
		{name: "one second by default", limited: 1, wantWaits: []time.Duration{time.Second}},
		{name: "long wait capped", limited: 1, retryAfter: "600", r: Retrier{CapWait: true}, wantWaits: []time.Duration{time.Minute}},
		{name: "long wait refused", limited: 1, retryAfter: "600", wantErr: "x: rate limited for 10m0s, longer than 1m0s"},
		{name: "too many retries", limited: 10, r: Retrier{MaxRetries: 2}, wantErr: "x: still rate limited after 2 retries"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				calls++
				if calls <= tt.limited {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					w.WriteHeader(http.StatusTooManyRequests)
					return
				}
				_, _ = w.Write([]byte(`{"ok":true}`))
			}))
			defer srv.Close()
			var waits []time.Duration
			r := tt.r
			r.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
			ctx := context.Background()
			resp, err := r.Do(ctx, "x", func() (*http.Request, error) {
				return http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
			})
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var out struct{ OK bool }
			if err := DecodeAnswer(resp.Body, &out); err != nil || !out.OK {
				t.Fatalf("answer = %+v, %v", out, err)
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	err := Refused("v: GET /a", http.StatusForbidden, " ", "alert 7", "give a key")
	if want := "v: GET /a: 403 Forbidden: the API key may not read alert 7"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestRedact(t *testing.T) {
	got := Redact("key s3cr3t-key refused; id abc", "s3cr3t-key", "abc")
	if strings.Contains(got, "s3cr3t") || !strings.Contains(got, "[redacted]") || !strings.Contains(got, "abc") {
		t.Errorf("Redact = %q", got)
	}
}
