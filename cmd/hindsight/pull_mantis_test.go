package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

const mantisToken = "mantis-cli-secret-42"

// fakeMantisAPI answers like MantisBT's REST API for issue 42: created
// 10:05, a public and a private note, one status change.
func fakeMantisAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != mantisToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"API token not found","code":1000}`)
			return
		}
		if r.URL.Path != "/api/rest/issues/42" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"Issue #7 not found","code":1100}`)
			return
		}
		_, _ = io.WriteString(w, `{"issues":[{"id":42,"summary":"Checkout 502","description":"EU checkout fails",
			"reporter":{"name":"ana","real_name":"Ana Lima"},"created_at":"2026-03-01T10:05:00+00:00",
			"notes":[{"id":101,"reporter":{"name":"bo"},"text":"LB lost its backends","view_state":{"id":10,"name":"public"},"created_at":"2026-03-01T10:20:00+00:00"},
				{"id":102,"reporter":{"name":"bo"},"text":"private","view_state":{"id":50,"name":"private"},"created_at":"2026-03-01T10:21:00+00:00"}],
			"history":[{"created_at":"2026-03-01T10:50:00+00:00","user":{"name":"bo"},"field":{"name":"status","label":"Status"},"type":{"id":0,"name":"field-updated"},
				"old_value":{"id":50,"name":"assigned","label":"assigned"},"new_value":{"id":80,"name":"resolved","label":"resolved"},"message":"Status"}]}]}`)
	})
}

func TestCLI_PullMantis(t *testing.T) {
	data := fixtureDataDir(t)
	srv := httptest.NewServer(fakeMantisAPI())
	t.Cleanup(srv.Close)
	environ := []string{"HINDSIGHT_MANTIS_URL=" + srv.URL, "HINDSIGHT_MANTIS_TOKEN=" + mantisToken}
	args := []string{"pull", "mantis", "--incident", "INC-1", "--data-dir", data}
	tests := []pullCase{
		{name: "pull", environ: environ, args: append(args, "--id", "42"), wantOut: []string{"3 added, 0 duplicates"}, wantCount: 4},
		{name: "again adds nothing", environ: environ, args: append(args, "--id", "Mantis 42"), wantOut: []string{"0 added, 3 duplicates"}, wantCount: 4},
		{name: "unknown issue", environ: environ, args: append(args, "--id", "7"), wantCode: 1, wantErr: []string{"404 Issue #7 not found"}, wantCount: 4},
		{name: "bad id", environ: environ, args: append(args, "--id", "x"), wantCode: 2, wantErr: []string{"not an issue id"}, wantCount: 4},
		{name: "token required", environ: []string{"HINDSIGHT_MANTIS_URL=" + srv.URL}, args: append(args, "--id", "42"), wantCode: 2, wantErr: []string{"HINDSIGHT_MANTIS_TOKEN"}, wantCount: 4},
		{name: "wrong token", environ: []string{"HINDSIGHT_MANTIS_URL=" + srv.URL, "HINDSIGHT_MANTIS_TOKEN=nope-nope"}, args: append(args, "--id", "42"),
			wantCode: 1, wantErr: []string{"401 API token not found"}, wantCount: 4},
	}
	runPullCases(t, data, []string{mantisToken}, tests)
}
