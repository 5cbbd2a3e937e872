package e2e

import "testing"

func TestPathMatches(t *testing.T) {
	for _, c := range []struct {
		pattern, path string
		want          bool
	}{
		{"/login", "/login", true},
		{"/api/v1/incidents/*/rca", "/api/v1/incidents/INC-4/rca", true},
		{"/api/v1/incidents/*/rca", "/api/v1/incidents/INC-4/rca/lint", true},
		{"/api/v1/incidents/*/rca", "/api/v1/incidents/INC-4/timeline", false},
		{"/api/v1/incidents/*/rca", "/api/v1/incidents/a/b/rca", false},
		{"/api/v1/incidents/*/rca$", "/api/v1/incidents/INC-4/rca", true},
		{"/api/v1/incidents/*/rca$", "/api/v1/incidents/INC-4/rca/lint", false},
		{"/api/v1/auth/me", "/api/v1/auth/mex", true},
		{"/api/v1/auth/me", "/api/v1/auth", false},
	} {
		if got := pathMatches(c.pattern, c.path); got != c.want {
			t.Errorf("pathMatches(%q, %q) = %v, want %v", c.pattern, c.path, got, c.want)
		}
	}
}
