package apiclient

import (
	"context"
	"encoding/json"
	"errors"
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

func TestGetter_Fetch(t *testing.T) {
	const secret = "s3cret-key"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Key") != secret || r.Header.Get("Accept") != "application/vnd.test+json" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("Link", "<next>")
			_, _ = w.Write([]byte(`{"n": 12345678901234567890}`))
		case "/gone":
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"msg": "no   such thing for ` + secret + `"}`))
		case "/bad":
			_, _ = w.Write([]byte(`{"n": `))
		}
	}))
	defer srv.Close()
	g := Getter{
		Vendor: "test",
		Auth: func(req *http.Request) {
			req.Header.Set("X-Key", secret)
			req.Header.Set("Accept", "application/vnd.test+json")
		},
		Secret:  secret,
		KeyHint: "give a key",
		Message: func(_ *http.Response, body []byte) string {
			var e struct {
				Msg string `json:"msg"`
			}
			_ = json.Unmarshal(body, &e)
			return e.Msg
		},
		UseNumber: true,
	}
	var out map[string]any
	h, err := g.Fetch(context.Background(), srv.URL+"/ok", "/ok", "the thing", &out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{"n": json.Number("12345678901234567890")}, out); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if h.Get("Link") != "<next>" {
		t.Errorf("header Link = %q", h.Get("Link"))
	}

	err = g.Get(context.Background(), srv.URL+"/gone", "/gone", "the thing", &out)
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		t.Fatalf("error = %v, want a 404 StatusError", err)
	}
	if want := "test: GET /gone: 404 no such thing for [redacted]: the thing not found"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if errors.Is(err, errGone) {
		t.Errorf("a 404 matches %v without the Getter naming it", errGone)
	}
	g.NotFound = errGone
	err = g.Get(context.Background(), srv.URL+"/gone", "/gone", "the thing", &out)
	if !errors.Is(err, errGone) {
		t.Errorf("error = %v, want it to match the Getter's NotFound", err)
	}
	g.NotFound = nil

	if err := g.Get(context.Background(), srv.URL+"/bad", "/bad", "the thing", &out); err == nil || !strings.HasPrefix(err.Error(), "test: GET /bad: decode answer:") {
		t.Errorf("error = %v, want a decode error", err)
	}

	g.Auth = nil
	err = g.Get(context.Background(), srv.URL+"/ok", "/ok", "the thing", &out)
	if want := "test: GET /ok: 401 Unauthorized: the API key was refused; give a key"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// errGone is a caller's not-found error.
var errGone = errors.New("gone")

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"-3", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
	} {
		d, ok := RetryAfter(tt.v, now)
		if d != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tt.v, d, ok, tt.want, tt.ok)
		}
	}
}
