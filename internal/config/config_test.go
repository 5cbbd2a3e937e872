package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfig_Load(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "url")
	if err := os.WriteFile(secret, []byte("postgres://u:pw@db/hindsight\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	slackFile := filepath.Join(t.TempDir(), "slack")
	mmFile := filepath.Join(t.TempDir(), "mattermost")
	for p, v := range map[string]string{slackFile: "xoxb-from-file\n", mmFile: " mm-from-file \n"} {
		if err := os.WriteFile(p, []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name    string
		environ []string
		want    func(Config) bool
		wantErr string // substring of Load or Validate error
	}{
		{name: "defaults", want: func(c Config) bool {
			return c.DataDir == "./hindsight-data" && c.Addr == "127.0.0.1:8080" && !c.UsesPostgres() &&
				c.SQLitePath() == filepath.Join("hindsight-data", "hindsight.db")
		}},
		{name: "env overrides", environ: []string{"HINDSIGHT_DATA_DIR=/tmp/x", "HINDSIGHT_ADDR=:9000", "HINDSIGHT_LOG_FORMAT=json"},
			want: func(c Config) bool { return c.DataDir == "/tmp/x" && c.Addr == ":9000" && c.LogFormat == "json" }},
		{name: "postgres", environ: []string{"HINDSIGHT_DATABASE_URL=postgresql://h@localhost/db"},
			want: func(c Config) bool { return c.UsesPostgres() }},
		{name: "url from file", environ: []string{"HINDSIGHT_DATABASE_URL_FILE=" + secret},
			want: func(c Config) bool {
				return c.DatabaseURL == "postgres://u:pw@db/hindsight" && c.RedactedDatabaseURL() == "postgres://u:xxxxx@db/hindsight"
			}},
		{name: "bad url", environ: []string{"HINDSIGHT_DATABASE_URL=mysql://x"}, wantErr: "must start with postgres://"},
		{name: "bad addr", environ: []string{"HINDSIGHT_ADDR=8080"}, wantErr: "want host:port"},
		{name: "bad level", environ: []string{"HINDSIGHT_LOG_LEVEL=loud"}, wantErr: "HINDSIGHT_LOG_LEVEL"},
		{name: "time zone", environ: []string{"HINDSIGHT_TIMEZONE=Asia/Tokyo"},
			want: func(c Config) bool { l, _ := c.Location(); return l.String() == "Asia/Tokyo" }},
		{name: "bad time zone", environ: []string{"HINDSIGHT_TIMEZONE=Mars/Base"}, wantErr: "HINDSIGHT_TIMEZONE"},
		{name: "bad duration", environ: []string{"HINDSIGHT_SHUTDOWN_TIMEOUT=soon"}, wantErr: "HINDSIGHT_SHUTDOWN_TIMEOUT"},
		{name: "upload limit", environ: []string{"HINDSIGHT_MAX_UPLOAD_BYTES=1048576"},
			want: func(c Config) bool { return c.MaxUploadBytes == 1<<20 }},
		{name: "upload limit too small", environ: []string{"HINDSIGHT_MAX_UPLOAD_BYTES=10"}, wantErr: "HINDSIGHT_MAX_UPLOAD_BYTES"},
		{name: "pull defaults", want: func(c Config) bool {
			return c.SlackAPIURL == "https://slack.com/api" && c.SlackToken == "" && c.MattermostURL == "" && c.MattermostToken == ""
		}},
		{name: "pull tokens from env", environ: []string{"HINDSIGHT_SLACK_TOKEN=xoxb-1", "HINDSIGHT_SLACK_API_URL=http://127.0.0.1:9/api",
			"HINDSIGHT_MATTERMOST_URL=https://chat.example.com", "HINDSIGHT_MATTERMOST_TOKEN=mm-1"},
			want: func(c Config) bool {
				return c.SlackToken == "xoxb-1" && c.SlackAPIURL == "http://127.0.0.1:9/api" &&
					c.MattermostURL == "https://chat.example.com" && c.MattermostToken == "mm-1"
			}},
		{name: "pull tokens from files", environ: []string{"HINDSIGHT_SLACK_TOKEN_FILE=" + slackFile, "HINDSIGHT_MATTERMOST_TOKEN_FILE=" + mmFile},
			want: func(c Config) bool { return c.SlackToken == "xoxb-from-file" && c.MattermostToken == "mm-from-file" }},
		{name: "slack token and file", environ: []string{"HINDSIGHT_SLACK_TOKEN=xoxb-1", "HINDSIGHT_SLACK_TOKEN_FILE=" + slackFile},
			wantErr: "set HINDSIGHT_SLACK_TOKEN or HINDSIGHT_SLACK_TOKEN_FILE, not both"},
		{name: "mattermost token file missing", environ: []string{"HINDSIGHT_MATTERMOST_TOKEN_FILE=" + mmFile + ".gone"},
			wantErr: "HINDSIGHT_MATTERMOST_TOKEN_FILE"},
		{name: "bad slack api url", environ: []string{"HINDSIGHT_SLACK_API_URL=slack.com/api"}, wantErr: "HINDSIGHT_SLACK_API_URL"},
		{name: "bad mattermost url", environ: []string{"HINDSIGHT_MATTERMOST_URL=ftp://chat"}, wantErr: "HINDSIGHT_MATTERMOST_URL"},
		{name: "both url and file", environ: []string{"HINDSIGHT_DATABASE_URL=postgres://a", "HINDSIGHT_DATABASE_URL_FILE=" + secret}, wantErr: "not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(tt.environ)
			if err == nil {
				err = c.Validate()
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want(c) {
				t.Fatalf("unexpected config %+v", c)
			}
		})
	}
}
