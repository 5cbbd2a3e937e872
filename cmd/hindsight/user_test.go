package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var oneTimeRe = regexp.MustCompile(`(?m)password[^:\n]*: (\S+)$`)

// TestCLI_Users drives hindsight user and token on a data dir.
func TestCLI_Users(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cli := func(args ...string) (int, string, string) {
		return runCLI(t, nil, append(args, "--data-dir", data)...)
	}
	code, out, errOut := cli("user", "create", "--email", "Ops@Example.com", "--role", "admin", "--name", "Ops")
	if code != 0 || !strings.Contains(out, "User ops@example.com created") || oneTimeRe.FindStringSubmatch(out) == nil {
		t.Fatalf("user create: %d\n%s\n%s", code, out, errOut)
	}
	withStdin(t, "a long enough password\n", func() {
		code, out, errOut = cli("user", "create", "--email", "viewer@example.com", "--password-stdin")
	})
	if code != 0 || strings.Contains(out, "One-time password") {
		t.Fatalf("user create --password-stdin: %d\n%s\n%s", code, out, errOut)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"taken", []string{"user", "create", "--email", "OPS@example.com"}, "is taken"},
		{"bad address", []string{"user", "create", "--email", "nope"}, "e-mail address"},
		{"bad role", []string{"user", "create", "--email", "x@example.com", "--role", "root"}, "--role"},
		{"unknown user", []string{"user", "set-role", "ghost@example.com", "editor"}, "not found"},
		{"bad scope", []string{"token", "create", "--user", "viewer@example.com", "--name", "x", "--scopes", "read,delete"}, "not a scope"},
		{"scope beyond role", []string{"token", "create", "--user", "viewer@example.com", "--name", "x", "--scopes", "write"}, "needs the editor role"},
		{"bad expiry", []string{"token", "create", "--user", "ops@example.com", "--name", "x", "--expires", "soon"}, "--expires"},
		{"last admin", []string{"user", "set-role", "ops@example.com", "viewer"}, "last enabled admin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := cli(tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("%v: %d\n%s\n%s", tc.args, code, out, errOut)
			}
		})
	}
	if code, out, _ = cli("user", "set-role", "viewer@example.com", "editor"); code != 0 || !strings.Contains(out, "is now editor") {
		t.Errorf("set-role: %d %s", code, out)
	}
	code, out, errOut = cli("token", "create", "--user", "viewer@example.com", "--name", "ci", "--scopes", "read,write", "--expires", "90d")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "hs_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "Shown once") {
		t.Fatalf("token create: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = cli("token", "list")
	if code != 0 || !strings.Contains(out, tok[:11]+"…") || strings.Contains(out, tok) || !strings.Contains(out, "read,write") || !strings.Contains(out, "active") {
		t.Errorf("token list: %d\n%s", code, out)
	}
	if code, out, _ = cli("token", "revoke", "1"); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("token revoke: %d %s", code, out)
	}
	if code, out, _ = cli("token", "list", "--user", "viewer@example.com"); !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke: %d %s", code, out)
	}
	if code, out, _ = cli("user", "disable", "viewer@example.com"); code != 0 || !strings.Contains(out, "disabled") {
		t.Errorf("disable: %d %s", code, out)
	}
	code, out, _ = cli("user", "reset-password", "viewer@example.com")
	if code != 0 || oneTimeRe.FindStringSubmatch(out) == nil {
		t.Errorf("reset-password: %d %s", code, out)
	}
	code, out, _ = cli("user", "list")
	if code != 0 || !strings.Contains(out, "ops@example.com") || !strings.Contains(out, "disabled") || !strings.Contains(out, "must change password") {
		t.Errorf("user list: %d\n%s", code, out)
	}
}

// TestCLI_FirstAdminAndTokens is the acceptance story: the first start
// prints the admin's one-time password once; it signs in; a token made with
// the CLI works from the CLI (also from HINDSIGHT_TOKEN_FILE) until it is
// revoked.
func TestCLI_FirstAdminAndTokens(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	var firstOut string
	base, stop := serveOut(t, nil, &firstOut, "--data-dir", data)
	m := regexp.MustCompile(`e-mail: +(\S+)\n +password: +(\S+)`).FindStringSubmatch(firstOut)
	if m == nil || m[1] != "admin@localhost" {
		stop()
		t.Fatalf("the first start did not print the admin:\n%s", firstOut)
	}
	login := call(t, "POST", base+"/api/v1/auth/login", `{"email":"admin@localhost","password":"`+m[2]+`"}`, 200)
	if login["user"].(map[string]any)["must_change_password"] != true {
		t.Errorf("login: %v", login)
	}
	code, out, errOut := runCLI(t, nil, "token", "create", "--user", "admin@localhost", "--name", "cli", "--scopes", "read,admin", "--data-dir", data)
	if code != 0 {
		t.Fatalf("token create: %d %s", code, errOut)
	}
	tok := strings.TrimSpace(out)
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, []string{"HINDSIGHT_TOKEN_FILE=" + file}, "search", "anything", "--server", base)
	if code != 0 {
		t.Errorf("search with HINDSIGHT_TOKEN_FILE: %d\n%s\n%s", code, out, errOut)
	}
	runCLI(t, nil, "token", "revoke", "2", "--data-dir", data) // 1 is the test helper's token
	code, _, errOut = runCLI(t, nil, "search", "anything", "--server", base, "--token", tok)
	if code != 1 || !strings.Contains(errOut, "refused the API token") {
		t.Errorf("search with a revoked token: %d\n%s", code, errOut)
	}
	stop()

	var secondOut string
	_, stop = serveOut(t, nil, &secondOut, "--data-dir", data)
	stop()
	if strings.Contains(secondOut, "password") {
		t.Errorf("the second start printed a password:\n%s", secondOut)
	}
}
