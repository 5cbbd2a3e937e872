package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
	"github.com/hindsightrca/hindsight/internal/store"
)

const (
	slackToken = "xoxb-secret-token-123"
	mmToken    = "mm-secret-token-456"
)

// at is a time on the fixture incident's day (it runs 10:00 to 12:00 UTC,
// so the default window is 09:00 to 13:00).
func at(hh, mm int) time.Time { return time.Date(2026, 3, 1, hh, mm, 0, 0, time.UTC) }

func slackTSOf(t time.Time) string { return fmt.Sprintf("%d.000100", t.Unix()) }

// fakeSlackAPI answers like Slack's Web API: newest-first history in two
// pages joined by next_cursor, a 429 with Retry-After: 1 before the second
// page is served, replies of one thread, users.info and conversations.info.
// With broken set, the second page fails.
type fakeSlackAPI struct {
	mu      sync.Mutex
	broken  bool
	limited bool
	calls   map[string]int
}

// setBroken makes the second page fail, or serve again.
func (f *fakeSlackAPI) setBroken(b bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.broken = b
}

func (f *fakeSlackAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	f.calls[method]++
	w.Header().Set("Content-Type", "application/json")
	if r.Header.Get("Authorization") != "Bearer "+slackToken {
		_, _ = io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
		return
	}
	root := slackTSOf(at(10, 20))
	q := r.URL.Query()
	switch method {
	case "conversations.info":
		_, _ = io.WriteString(w, `{"ok":true,"channel":{"id":"C123","name":"inc-checkout"}}`)
	case "users.info":
		names := map[string]string{"U1": `{"id":"U1","name":"ana","profile":{"display_name":"Ana Lima"}}`, "U2": `{"id":"U2","name":"bo","real_name":"Bo Chen"}`}
		_, _ = io.WriteString(w, `{"ok":true,"user":`+names[q.Get("user")]+`}`)
	case "conversations.replies":
		fmt.Fprintf(w, `{"ok":true,"messages":[{"type":"message","user":"U1","text":"rolling back","ts":%q,"thread_ts":%q,"reply_count":1},`+
			`{"type":"message","user":"U2","text":"<@U1> confirmed, 502s gone","ts":%q,"thread_ts":%q}],"has_more":false}`,
			root, root, slackTSOf(at(10, 25)), root)
	case "conversations.history":
		if q.Get("cursor") == "" {
			fmt.Fprintf(w, `{"ok":true,"messages":[{"type":"message","user":"U1","text":"rolling back","ts":%q,"thread_ts":%q,"reply_count":1},`+
				`{"type":"message","user":"U2","text":"checkout 502s","ts":%q}],"has_more":true,"response_metadata":{"next_cursor":"page2"}}`,
				root, root, slackTSOf(at(10, 10)))
			return
		}
		if f.broken {
			_, _ = io.WriteString(w, `{"ok":false,"error":"internal_error"}`)
			return
		}
		if !f.limited {
			f.limited = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.limited = false
		fmt.Fprintf(w, `{"ok":true,"messages":[{"type":"message","user":"U2","text":"paging <!here>","ts":%q}],"has_more":false,"response_metadata":{"next_cursor":""}}`,
			slackTSOf(at(10, 5)))
	default:
		_, _ = io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
	}
}

// fakeMattermostAPI answers like Mattermost's API v4 for channel ch1, with
// one 429 (Retry-After: 1) before the first page of posts.
type fakeMattermostAPI struct {
	mu      sync.Mutex
	limited bool
}

func (f *fakeMattermostAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+mmToken {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"id":"api.context.session_expired.app_error","status_code":401}`)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/v4/channels/ch1":
		_, _ = io.WriteString(w, `{"id":"ch1","name":"inc-checkout","display_name":"Incident checkout"}`)
	case r.Method == http.MethodGet && r.URL.Path == "/api/v4/channels/ch1/posts":
		if !f.limited {
			f.limited = true
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.limited = false
		fmt.Fprintf(w, `{"order":["p2","p1"],"posts":{`+
			`"p1":{"id":"p1","create_at":%d,"user_id":"u1","channel_id":"ch1","message":"db disk full","type":""},`+
			`"p2":{"id":"p2","create_at":%d,"user_id":"u2","channel_id":"ch1","root_id":"p1","message":"freeing space","type":""}}}`,
			at(10, 30).UnixMilli(), at(10, 31).UnixMilli())
	case r.Method == http.MethodPost && r.URL.Path == "/api/v4/users/ids":
		_, _ = io.WriteString(w, `[{"id":"u1","username":"ana","first_name":"Ana","last_name":"Lima"},{"id":"u2","username":"bo","nickname":"Bo"}]`)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// timelineOf reads INC-1's timeline from the data dir.
func timelineOf(t *testing.T, data string) []incident.TimelineEvent {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(data, "hindsight.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := app.New(s, app.Options{}).Timeline(ctx, "INC-1", incident.TimelineFilter{Limit: 100, IncludeHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

func TestCLI_Pull(t *testing.T) {
	data := fixtureDataDir(t)
	slackAPI := &fakeSlackAPI{calls: map[string]int{}}
	slackSrv := httptest.NewServer(slackAPI)
	t.Cleanup(slackSrv.Close)
	mmSrv := httptest.NewServer(&fakeMattermostAPI{})
	t.Cleanup(mmSrv.Close)
	environ := []string{"HINDSIGHT_LOG_LEVEL=debug", "HINDSIGHT_SLACK_TOKEN=" + slackToken, "HINDSIGHT_SLACK_API_URL=" + slackSrv.URL + "/api",
		"HINDSIGHT_MATTERMOST_URL=" + mmSrv.URL, "HINDSIGHT_MATTERMOST_TOKEN=" + mmToken}
	slackArgs := []string{"pull", "slack", "--incident", "INC-1", "--channel", "C123", "--data-dir", data}
	mmArgs := []string{"pull", "mattermost", "--incident", "INC-1", "--channel", "ch1", "--data-dir", data}
	secrets := []string{slackToken, mmToken}
	slackAPI.setBroken(true)
	runPullCases(t, data, secrets, []pullCase{
		{name: "slack stops part way and writes nothing", environ: environ, args: slackArgs, wantCode: 1,
			wantErr: []string{"internal_error", "nothing was written", "--cursor page2 --from 2026-03-01T09:00:00Z --to 2026-03-01T13:00:00Z",
				"--channel C123 --from 2026-03-01T10:10:00.0001Z --to 2026-03-01T13:00:00Z"}, wantCount: 1},
	})
	slackAPI.setBroken(false)
	tests := []pullCase{
		{name: "slack dry run", environ: environ, args: append(slackArgs, "--dry-run"),
			wantOut:   []string{"Dry run of slack:C123 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1", "4 events read; would be 4 added", "Bo Chen", "@Ana Lima confirmed"},
			wantErr:   []string{"pull: reading slack channel C123 (1 of 1), from 2026-03-01T09:00:00Z to 2026-03-01T13:00:00Z"},
			wantCount: 1},
		{name: "slack pull", environ: environ, args: slackArgs,
			wantOut:   []string{"Pulled slack:C123 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1: 4 added, 0 duplicates, 0 rejected, 0 outside the window", "Undo it with: hindsight import undo 1"},
			wantCount: 5},
		{name: "slack pull again adds nothing", environ: environ, args: slackArgs,
			wantOut: []string{"0 added, 4 duplicates"}, wantCount: 5},
		{name: "mattermost pull", environ: environ, args: mmArgs,
			wantOut: []string{"Pulled mattermost:ch1 2026-03-01T09:00Z..2026-03-01T13:00Z into INC-1: 2 added, 0 duplicates"}, wantCount: 7},
		{name: "mattermost pull again adds nothing", environ: environ, args: mmArgs,
			wantOut: []string{"0 added, 2 duplicates"}, wantCount: 7},
		{name: "window from flags", environ: environ, args: append(mmArgs, "--from", "2026-03-01 10:31", "--to", "2026-03-01T10:40:00Z"),
			wantOut: []string{"mattermost:ch1 2026-03-01T10:31Z..2026-03-01T10:40Z", "0 added, 1 duplicates"}, wantCount: 7},
		{name: "undo the slack pull", args: []string{"import", "undo", "1", "--data-dir", data},
			wantOut: []string{"Undid import batch 1 (slack slack:C123"}, wantCount: 3},
		{name: "slack token required", args: slackArgs, wantCode: 2, wantErr: []string{"HINDSIGHT_SLACK_TOKEN"}, wantCount: 3},
		{name: "mattermost url required", environ: []string{"HINDSIGHT_MATTERMOST_TOKEN=" + mmToken}, args: mmArgs, wantCode: 2,
			wantErr: []string{"HINDSIGHT_MATTERMOST_URL"}, wantCount: 3},
		{name: "channel required", environ: environ, args: []string{"pull", "slack", "--incident", "INC-1", "--data-dir", data}, wantCode: 2,
			wantErr: []string{"--channel"}, wantCount: 3},
		{name: "cursor needs one channel", environ: environ, args: append(slackArgs, "--channel", "C9", "--cursor", "page2"), wantCode: 2,
			wantErr: []string{"--cursor"}, wantCount: 3},
		{name: "bad from", environ: environ, args: append(slackArgs, "--from", "yesterday"), wantCode: 2, wantErr: []string{"--from"}, wantCount: 3},
		{name: "unknown incident", environ: environ, args: []string{"pull", "slack", "--incident", "INC-9", "--channel", "C123", "--data-dir", data},
			wantCode: 1, wantErr: []string{"incident INC-9 not found"}, wantCount: 3},
	}
	runPullCases(t, data, secrets, tests)
}

func TestCLI_PullThreadsAndNames(t *testing.T) {
	data := fixtureDataDir(t)
	slackSrv := httptest.NewServer(&fakeSlackAPI{calls: map[string]int{}})
	t.Cleanup(slackSrv.Close)
	mmSrv := httptest.NewServer(&fakeMattermostAPI{})
	t.Cleanup(mmSrv.Close)
	environ := []string{"HINDSIGHT_SLACK_TOKEN=" + slackToken, "HINDSIGHT_SLACK_API_URL=" + slackSrv.URL + "/api",
		"HINDSIGHT_MATTERMOST_URL=" + mmSrv.URL, "HINDSIGHT_MATTERMOST_TOKEN=" + mmToken}
	for _, args := range [][]string{
		{"pull", "slack", "--incident", "INC-1", "--channel", "C123", "--data-dir", data},
		{"pull", "mattermost", "--incident", "INC-1", "--channel", "ch1", "--data-dir", data},
	} {
		if code, out, errOut := runCLI(t, environ, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
		}
	}
	type row struct{ Source, Actor, Body, Parent string }
	var got []row
	for _, e := range timelineOf(t, data) {
		if e.Actor != "bob.secret" { // the fixture's own event
			got = append(got, row{e.Source, e.Actor, e.Body, e.ParentID})
		}
	}
	root := "C123:" + slackTSOf(at(10, 20))
	want := []row{
		{"slack", "Bo Chen", "paging @here", ""},
		{"slack", "Bo Chen", "checkout 502s", ""},
		{"slack", "Ana Lima", "rolling back", ""},
		{"slack", "Bo Chen", "@Ana Lima confirmed, 502s gone", root},
		{"mattermost", "Ana Lima", "db disk full", ""},
		{"mattermost", "Bo", "freeing space", "p1"},
	}
	if len(got) != len(want) {
		t.Fatalf("timeline = %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
