// Package config reads Hindsight's settings from HINDSIGHT_* environment
// variables (flags override them in cmd) and validates them at start.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every setting of the hindsight process.
type Config struct {
	// DataDir holds the SQLite database and the search index.
	DataDir string `env:"HINDSIGHT_DATA_DIR" envDefault:"./hindsight-data"`
	// Addr is where the HTTP server listens.
	Addr string `env:"HINDSIGHT_ADDR" envDefault:"127.0.0.1:8080"`
	// DatabaseURL, when set to postgres://…, switches from SQLite to PostgreSQL.
	DatabaseURL string `env:"HINDSIGHT_DATABASE_URL"`
	// DatabaseURLFile names a file holding DatabaseURL (for secrets mounts).
	DatabaseURLFile string `env:"HINDSIGHT_DATABASE_URL_FILE"`
	// LogFormat is "text" or "json"; empty picks text.
	LogFormat string `env:"HINDSIGHT_LOG_FORMAT"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"HINDSIGHT_LOG_LEVEL" envDefault:"info"`
	// MaxBodyBytes bounds request bodies.
	MaxBodyBytes int64 `env:"HINDSIGHT_MAX_BODY_BYTES" envDefault:"10485760"`
	// MaxUploadBytes bounds an import upload (POST /incidents/:id/imports).
	MaxUploadBytes int64 `env:"HINDSIGHT_MAX_UPLOAD_BYTES" envDefault:"209715200"`
	// ShutdownTimeout bounds how long in-flight requests may finish on stop.
	ShutdownTimeout time.Duration `env:"HINDSIGHT_SHUTDOWN_TIMEOUT" envDefault:"15s"`
	// Timezone is the IANA zone (e.g. Europe/Berlin) whose calendar day
	// decides whether an action is overdue. Empty: the server's local zone.
	Timezone string `env:"HINDSIGHT_TIMEZONE"`
	// RequestTimeout bounds reading a request and writing its response.
	RequestTimeout time.Duration `env:"HINDSIGHT_REQUEST_TIMEOUT" envDefault:"60s"`
	// TemplatesDir holds extra RCA templates (*.yaml, *.yml) read at start;
	// one with a built-in's key replaces it. Empty: built-ins only.
	TemplatesDir string `env:"HINDSIGHT_TEMPLATES_DIR"`
	// ChromiumPath names the Chromium or Chrome binary PDF exports print
	// with. Empty: chromium, chromium-browser or google-chrome on PATH.
	ChromiumPath string `env:"HINDSIGHT_CHROMIUM_PATH"`
	// SlackToken is the Web API token "hindsight pull slack" sends (a bot
	// or user token with channels:history, groups:history, users:read). It
	// is a secret: never log or print it.
	SlackToken string `env:"HINDSIGHT_SLACK_TOKEN"`
	// SlackTokenFile names a file holding SlackToken.
	SlackTokenFile string `env:"HINDSIGHT_SLACK_TOKEN_FILE"`
	// SlackAPIURL is the root of Slack's Web API (for proxies and tests).
	SlackAPIURL string `env:"HINDSIGHT_SLACK_API_URL" envDefault:"https://slack.com/api"`
	// MattermostURL is the Mattermost server "hindsight pull mattermost"
	// reads, e.g. https://chat.example.com.
	MattermostURL string `env:"HINDSIGHT_MATTERMOST_URL"`
	// MattermostToken is a personal access or bot token for MattermostURL.
	// It is a secret: never log or print it.
	MattermostToken string `env:"HINDSIGHT_MATTERMOST_TOKEN"`
	// MattermostTokenFile names a file holding MattermostToken.
	MattermostTokenFile string `env:"HINDSIGHT_MATTERMOST_TOKEN_FILE"`
	// PagerDutyToken is a REST API key "hindsight pull pagerduty" sends
	// (read-only is enough). It is a secret: never log or print it.
	PagerDutyToken     string `env:"HINDSIGHT_PAGERDUTY_TOKEN"`
	PagerDutyTokenFile string `env:"HINDSIGHT_PAGERDUTY_TOKEN_FILE"`
	// PagerDutyAPIURL is the root of PagerDuty's REST API (EU accounts,
	// proxies, tests).
	PagerDutyAPIURL string `env:"HINDSIGHT_PAGERDUTY_API_URL" envDefault:"https://api.pagerduty.com"`
	// OpsGenieToken is an API integration key ("GenieKey") for
	// "hindsight pull opsgenie". It is a secret.
	OpsGenieToken     string `env:"HINDSIGHT_OPSGENIE_TOKEN"`
	OpsGenieTokenFile string `env:"HINDSIGHT_OPSGENIE_TOKEN_FILE"`
	// OpsGenieAPIURL is https://api.opsgenie.com, or https://api.eu.opsgenie.com for EU accounts.
	OpsGenieAPIURL string `env:"HINDSIGHT_OPSGENIE_API_URL" envDefault:"https://api.opsgenie.com"`
	// ZabbixURL is the Zabbix frontend whose api_jsonrpc.php "hindsight
	// pull zabbix" calls, e.g. https://zabbix.example.com.
	ZabbixURL string `env:"HINDSIGHT_ZABBIX_URL"`
	// ZabbixToken is a Zabbix API token (5.4+). It is a secret.
	ZabbixToken     string `env:"HINDSIGHT_ZABBIX_TOKEN"`
	ZabbixTokenFile string `env:"HINDSIGHT_ZABBIX_TOKEN_FILE"`
	// VictorOpsAPIID and VictorOpsAPIKey authenticate "hindsight pull
	// victorops" against the Splunk On-Call public API. The key is a secret.
	VictorOpsAPIID      string `env:"HINDSIGHT_VICTOROPS_API_ID"`
	VictorOpsAPIKey     string `env:"HINDSIGHT_VICTOROPS_API_KEY"`
	VictorOpsAPIKeyFile string `env:"HINDSIGHT_VICTOROPS_API_KEY_FILE"`
	// VictorOpsAPIURL is the root of the Splunk On-Call public API.
	VictorOpsAPIURL string `env:"HINDSIGHT_VICTOROPS_API_URL" envDefault:"https://api.victorops.com"`
	// JiraURL is the Jira site "hindsight pull jira" reads
	// (https://example.atlassian.net or a Data Center base URL).
	JiraURL string `env:"HINDSIGHT_JIRA_URL"`
	// JiraUser is the account e-mail for Jira Cloud basic auth with an API
	// token; empty sends JiraToken as a Bearer personal access token (Data
	// Center).
	JiraUser string `env:"HINDSIGHT_JIRA_USER"`
	// JiraToken is the API token or personal access token. A secret.
	JiraToken     string `env:"HINDSIGHT_JIRA_TOKEN"`
	JiraTokenFile string `env:"HINDSIGHT_JIRA_TOKEN_FILE"`
	// RedmineURL and RedmineKey ("X-Redmine-API-Key") for "hindsight pull redmine".
	RedmineURL     string `env:"HINDSIGHT_REDMINE_URL"`
	RedmineKey     string `env:"HINDSIGHT_REDMINE_KEY"`
	RedmineKeyFile string `env:"HINDSIGHT_REDMINE_KEY_FILE"`
	// BugzillaURL and BugzillaKey (X-BUGZILLA-API-KEY) for "hindsight pull bugzilla".
	BugzillaURL     string `env:"HINDSIGHT_BUGZILLA_URL"`
	BugzillaKey     string `env:"HINDSIGHT_BUGZILLA_KEY"`
	BugzillaKeyFile string `env:"HINDSIGHT_BUGZILLA_KEY_FILE"`
	// MantisURL and MantisToken (Authorization header) for "hindsight pull mantis".
	MantisURL       string `env:"HINDSIGHT_MANTIS_URL"`
	MantisToken     string `env:"HINDSIGHT_MANTIS_TOKEN"`
	MantisTokenFile string `env:"HINDSIGHT_MANTIS_TOKEN_FILE"`
	// GitHubToken and GitHubAPIURL for "hindsight pull github".
	GitHubToken     string `env:"HINDSIGHT_GITHUB_TOKEN"`
	GitHubTokenFile string `env:"HINDSIGHT_GITHUB_TOKEN_FILE"`
	GitHubAPIURL    string `env:"HINDSIGHT_GITHUB_API_URL" envDefault:"https://api.github.com"`

	// Ticket sync (see internal/config/tickets.go): a tracker whose URL and
	// credentials above are set is read for the tickets linked to
	// corrective actions; these say where new tickets go.
	TicketJiraProject       string `env:"HINDSIGHT_TICKET_JIRA_PROJECT"`
	TicketJiraIssueType     string `env:"HINDSIGHT_TICKET_JIRA_ISSUE_TYPE" envDefault:"Task"`
	TicketRedmineProject    string `env:"HINDSIGHT_TICKET_REDMINE_PROJECT"`
	TicketRedmineTrackerID  int    `env:"HINDSIGHT_TICKET_REDMINE_TRACKER_ID"`
	TicketBugzillaProduct   string `env:"HINDSIGHT_TICKET_BUGZILLA_PRODUCT"`
	TicketBugzillaComponent string `env:"HINDSIGHT_TICKET_BUGZILLA_COMPONENT"`
	TicketBugzillaVersion   string `env:"HINDSIGHT_TICKET_BUGZILLA_VERSION" envDefault:"unspecified"`
	TicketMantisProject     string `env:"HINDSIGHT_TICKET_MANTIS_PROJECT"`
	TicketMantisCategory    string `env:"HINDSIGHT_TICKET_MANTIS_CATEGORY" envDefault:"General"`
	TicketGitHubRepo        string `env:"HINDSIGHT_TICKET_GITHUB_REPO"`
	// TicketSyncInterval is how often linked tickets are read back.
	TicketSyncInterval time.Duration `env:"HINDSIGHT_TICKET_SYNC_INTERVAL" envDefault:"15m"`
	// TicketIncidentAfter files a ticket in TicketIncidentSystem for each
	// incident still not resolved this long after it started (0: never).
	TicketIncidentAfter  time.Duration `env:"HINDSIGHT_TICKET_INCIDENT_AFTER"`
	TicketIncidentSystem string        `env:"HINDSIGHT_TICKET_INCIDENT_SYSTEM"`

	// Reminders (see internal/config/reminders.go): digests of due-soon and
	// overdue corrective actions, to Slack and e-mail. Off unless a channel
	// or test mode is set.
	ReminderInterval         time.Duration `env:"HINDSIGHT_REMINDER_INTERVAL" envDefault:"1h"`
	ReminderDueSoonDays      int           `env:"HINDSIGHT_REMINDER_DUE_SOON_DAYS" envDefault:"7"`
	ReminderThrottle         time.Duration `env:"HINDSIGHT_REMINDER_THROTTLE" envDefault:"24h"`
	ReminderTestMode         bool          `env:"HINDSIGHT_REMINDER_TEST_MODE"`
	ReminderSlackWebhook     string        `env:"HINDSIGHT_REMINDER_SLACK_WEBHOOK"`
	ReminderSlackWebhookFile string        `env:"HINDSIGHT_REMINDER_SLACK_WEBHOOK_FILE"`
	ReminderTeamWebhooks     string        `env:"HINDSIGHT_REMINDER_TEAM_WEBHOOKS"`
	ReminderTeamWebhooksFile string        `env:"HINDSIGHT_REMINDER_TEAM_WEBHOOKS_FILE"`
	ReminderTeamEmails       string        `env:"HINDSIGHT_REMINDER_TEAM_EMAILS"`
	// SMTP sends e-mail (reminders): host:port, STARTTLS when offered.
	SMTPAddr         string `env:"HINDSIGHT_SMTP_ADDR"`
	SMTPUser         string `env:"HINDSIGHT_SMTP_USER"`
	SMTPPassword     string `env:"HINDSIGHT_SMTP_PASSWORD"`
	SMTPPasswordFile string `env:"HINDSIGHT_SMTP_PASSWORD_FILE"`
	SMTPFrom         string `env:"HINDSIGHT_SMTP_FROM"`
	// SMTPTLS: empty requires STARTTLS unless the server is local; starttls, tls (port 465) or none.
	SMTPTLS string `env:"HINDSIGHT_SMTP_TLS"`

	// StatuspageToken ("OAuth <key>") and StatuspageAPIURL for "hindsight pull statuspage".
	StatuspageToken     string `env:"HINDSIGHT_STATUSPAGE_TOKEN"`
	StatuspageTokenFile string `env:"HINDSIGHT_STATUSPAGE_TOKEN_FILE"`
	StatuspageAPIURL    string `env:"HINDSIGHT_STATUSPAGE_API_URL" envDefault:"https://api.statuspage.io"`
	// HookMaxBodyBytes bounds one webhook delivery's body.
	HookMaxBodyBytes int64 `env:"HINDSIGHT_HOOK_MAX_BODY_BYTES" envDefault:"1048576"`
	// HookRouteWindow is how long before an open incident's start an alert
	// of one of its services is still routed to it.
	HookRouteWindow time.Duration `env:"HINDSIGHT_HOOK_ROUTE_WINDOW" envDefault:"1h"`
	// IndexDir holds the search index. Empty: "index" in the data dir. Each
	// server replica needs its own (it is derived from the database).
	IndexDir string `env:"HINDSIGHT_INDEX_DIR"`
	// IndexPollInterval is how often the indexer looks for changes it was
	// not notified of (PostgreSQL notifies; SQLite is polled).
	IndexPollInterval time.Duration `env:"HINDSIGHT_INDEX_POLL_INTERVAL" envDefault:"250ms"`
	// PublicURL is where people reach this server (links in Slack answers
	// and messages). Empty: taken from the request.
	PublicURL string `env:"HINDSIGHT_PUBLIC_URL"`
	// StatusPage turns the public status page (/status, no sign-in) on or
	// off; off answers 404 there. It shows only incidents marked public.
	StatusPage string `env:"HINDSIGHT_STATUS_PAGE" envDefault:"on"`
	// StatusTitle heads the public status page.
	StatusTitle string `env:"HINDSIGHT_STATUS_TITLE" envDefault:"Service status"`
	// ServerURL is the running server the CLI's search, similar and reindex
	// commands ask (instead of opening the data dir's index).
	ServerURL string `env:"HINDSIGHT_SERVER_URL"`
	// SlackSigningSecret verifies Slack's slash-command requests
	// (POST /api/v1/integrations/slack/command). A secret: never logged.
	SlackSigningSecret     string `env:"HINDSIGHT_SLACK_SIGNING_SECRET"`
	SlackSigningSecretFile string `env:"HINDSIGHT_SLACK_SIGNING_SECRET_FILE"`

	// OIDCIssuer turns on single sign-on with this OpenID Connect provider
	// (its discovery document is read from <issuer>/.well-known/openid-configuration).
	OIDCIssuer string `env:"HINDSIGHT_OIDC_ISSUER"`
	// OIDCClientID and OIDCClientSecret are this server's client at the
	// provider. The secret is a secret: never logged.
	OIDCClientID         string `env:"HINDSIGHT_OIDC_CLIENT_ID"`
	OIDCClientSecret     string `env:"HINDSIGHT_OIDC_CLIENT_SECRET"`
	OIDCClientSecretFile string `env:"HINDSIGHT_OIDC_CLIENT_SECRET_FILE"`
	// OIDCRedirectURL is the callback registered at the provider. Empty:
	// HINDSIGHT_PUBLIC_URL + /api/v1/auth/oidc/callback.
	OIDCRedirectURL string `env:"HINDSIGHT_OIDC_REDIRECT_URL"`
	// OIDCScopes are asked of the provider (openid is always added).
	OIDCScopes []string `env:"HINDSIGHT_OIDC_SCOPES" envDefault:"openid,profile,email" envSeparator:","`
	// OIDCGroupsClaim names the ID token claim with the user's groups.
	OIDCGroupsClaim string `env:"HINDSIGHT_OIDC_GROUPS_CLAIM" envDefault:"groups"`
	// OIDCRoleMap maps groups to roles: "sre-leads=admin,sre=editor". When
	// set, the provider's groups decide a user's role at every sign-in.
	OIDCRoleMap string `env:"HINDSIGHT_OIDC_ROLE_MAP"`
	// OIDCDefaultRole is the role of users none of whose groups is mapped.
	OIDCDefaultRole string `env:"HINDSIGHT_OIDC_DEFAULT_ROLE" envDefault:"viewer"`
	// OIDCName is shown on the sign-in button ("Sign in with <name>").
	OIDCName string `env:"HINDSIGHT_OIDC_NAME" envDefault:"single sign-on"`
	// SessionIdleTimeout ends a session unused this long.
	SessionIdleTimeout time.Duration `env:"HINDSIGHT_SESSION_IDLE_TIMEOUT" envDefault:"8h"`
	// SessionLifetime ends every session this long after sign-in.
	SessionLifetime time.Duration `env:"HINDSIGHT_SESSION_LIFETIME" envDefault:"168h"`
	// CookieSecure overrides whether the session cookie is Secure
	// ("true"/"false"). Empty: Secure when HINDSIGHT_PUBLIC_URL is https.
	CookieSecure string `env:"HINDSIGHT_COOKIE_SECURE"`
	// AdminEmail is the address of the admin created at the first start
	// when no user exists.
	AdminEmail string `env:"HINDSIGHT_ADMIN_EMAIL" envDefault:"admin@localhost"`
	// TrustedProxies are the reverse proxies (addresses or CIDR ranges)
	// whose X-Forwarded-For gives the client address for the audit log and
	// the per-address rate limits. Empty: none; the peer is the client.
	TrustedProxies []string `env:"HINDSIGHT_TRUSTED_PROXIES" envSeparator:","`
	// Token is the API token the CLI sends to a server (--token). A secret.
	Token     string `env:"HINDSIGHT_TOKEN"`
	TokenFile string `env:"HINDSIGHT_TOKEN_FILE"`
}

// Load reads the configuration from environ (KEY=value pairs, as os.Environ
// gives them), reading *_FILE secrets.
func Load(environ []string) (Config, error) {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: m}); err != nil {
		return Config{}, envError(err)
	}
	for _, sec := range []struct {
		name  string
		value *string
		file  string
	}{
		{"HINDSIGHT_DATABASE_URL", &c.DatabaseURL, c.DatabaseURLFile},
		{"HINDSIGHT_SLACK_TOKEN", &c.SlackToken, c.SlackTokenFile},
		{"HINDSIGHT_SLACK_SIGNING_SECRET", &c.SlackSigningSecret, c.SlackSigningSecretFile},
		{"HINDSIGHT_MATTERMOST_TOKEN", &c.MattermostToken, c.MattermostTokenFile},
		{"HINDSIGHT_PAGERDUTY_TOKEN", &c.PagerDutyToken, c.PagerDutyTokenFile},
		{"HINDSIGHT_OPSGENIE_TOKEN", &c.OpsGenieToken, c.OpsGenieTokenFile},
		{"HINDSIGHT_ZABBIX_TOKEN", &c.ZabbixToken, c.ZabbixTokenFile},
		{"HINDSIGHT_VICTOROPS_API_KEY", &c.VictorOpsAPIKey, c.VictorOpsAPIKeyFile},
		{"HINDSIGHT_JIRA_TOKEN", &c.JiraToken, c.JiraTokenFile},
		{"HINDSIGHT_REDMINE_KEY", &c.RedmineKey, c.RedmineKeyFile},
		{"HINDSIGHT_BUGZILLA_KEY", &c.BugzillaKey, c.BugzillaKeyFile},
		{"HINDSIGHT_MANTIS_TOKEN", &c.MantisToken, c.MantisTokenFile},
		{"HINDSIGHT_GITHUB_TOKEN", &c.GitHubToken, c.GitHubTokenFile},
		{"HINDSIGHT_STATUSPAGE_TOKEN", &c.StatuspageToken, c.StatuspageTokenFile},
		{"HINDSIGHT_OIDC_CLIENT_SECRET", &c.OIDCClientSecret, c.OIDCClientSecretFile},
		{"HINDSIGHT_TOKEN", &c.Token, c.TokenFile},
		{"HINDSIGHT_REMINDER_SLACK_WEBHOOK", &c.ReminderSlackWebhook, c.ReminderSlackWebhookFile},
		{"HINDSIGHT_REMINDER_TEAM_WEBHOOKS", &c.ReminderTeamWebhooks, c.ReminderTeamWebhooksFile},
		{"HINDSIGHT_SMTP_PASSWORD", &c.SMTPPassword, c.SMTPPasswordFile},
	} {
		if err := readSecretFile(sec.name, sec.value, sec.file); err != nil {
			return Config{}, err
		}
	}
	return c, nil
}

// readSecretFile sets *value from the file named by name's _FILE variant.
// Errors name the variable, never the secret.
func readSecretFile(name string, value *string, file string) error {
	if file == "" {
		return nil
	}
	if *value != "" {
		return fmt.Errorf("configuration: set %s or %s_FILE, not both", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("configuration: %s_FILE: %w", name, err)
	}
	*value = strings.TrimSpace(string(b))
	return nil
}

// envError names the environment variable behind a parse error.
func envError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("configuration: %w", err)
	}
	var errs []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			name := pe.Name
			if f, ok := reflect.TypeFor[Config]().FieldByName(pe.Name); ok {
				name, _, _ = strings.Cut(f.Tag.Get("env"), ",")
			}
			errs = append(errs, fmt.Errorf("configuration: %s: %w", name, pe.Err))
			continue
		}
		errs = append(errs, fmt.Errorf("configuration: %w", e))
	}
	return errors.Join(errs...)
}

// Validate checks the settings and says which one is wrong.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.DataDir) == "" {
		errs = append(errs, errors.New("data dir (--data-dir, HINDSIGHT_DATA_DIR) must not be empty"))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("listen address (--addr, HINDSIGHT_ADDR) %q: want host:port", c.Addr))
	}
	if c.DatabaseURL != "" && !c.UsesPostgres() {
		errs = append(errs, errors.New("HINDSIGHT_DATABASE_URL must start with postgres:// or postgresql:// (leave it empty for the embedded SQLite database)"))
	}
	switch c.LogFormat {
	case "", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("HINDSIGHT_LOG_FORMAT %q: want text or json", c.LogFormat))
	}
	if _, err := c.Location(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.Level(); err != nil {
		errs = append(errs, err)
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("HINDSIGHT_MAX_BODY_BYTES must be at least 1024"))
	}
	if c.MaxUploadBytes < 1024 {
		errs = append(errs, errors.New("HINDSIGHT_MAX_UPLOAD_BYTES must be at least 1024"))
	}
	for _, u := range [][2]string{{"HINDSIGHT_SLACK_API_URL", c.SlackAPIURL}, {"HINDSIGHT_MATTERMOST_URL", c.MattermostURL},
		{"HINDSIGHT_PAGERDUTY_API_URL", c.PagerDutyAPIURL}, {"HINDSIGHT_OPSGENIE_API_URL", c.OpsGenieAPIURL},
		{"HINDSIGHT_ZABBIX_URL", c.ZabbixURL}, {"HINDSIGHT_VICTOROPS_API_URL", c.VictorOpsAPIURL},
		{"HINDSIGHT_JIRA_URL", c.JiraURL}, {"HINDSIGHT_REDMINE_URL", c.RedmineURL}, {"HINDSIGHT_BUGZILLA_URL", c.BugzillaURL},
		{"HINDSIGHT_MANTIS_URL", c.MantisURL}, {"HINDSIGHT_GITHUB_API_URL", c.GitHubAPIURL}, {"HINDSIGHT_STATUSPAGE_API_URL", c.StatuspageAPIURL}} {
		if u[1] != "" && !strings.HasPrefix(u[1], "https://") && !strings.HasPrefix(u[1], "http://") {
			errs = append(errs, fmt.Errorf("%s %q: want an http:// or https:// URL", u[0], u[1]))
		}
	}
	if c.HookMaxBodyBytes < 1024 {
		errs = append(errs, errors.New("HINDSIGHT_HOOK_MAX_BODY_BYTES must be at least 1024"))
	}
	if c.HookRouteWindow < 0 {
		errs = append(errs, errors.New("HINDSIGHT_HOOK_ROUTE_WINDOW must not be negative"))
	}
	if c.ShutdownTimeout <= 0 || c.RequestTimeout <= 0 {
		errs = append(errs, errors.New("HINDSIGHT_SHUTDOWN_TIMEOUT and HINDSIGHT_REQUEST_TIMEOUT must be positive"))
	}
	errs = append(errs, c.validateAuth()...)
	errs = append(errs, c.validateStatus()...)
	errs = append(errs, c.validateTickets()...)
	errs = append(errs, c.validateReminders()...)
	return errors.Join(errs...)
}

// UsesPostgres reports whether the database is PostgreSQL.
func (c Config) UsesPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SearchIndexDir is the directory of the search index.
func (c Config) SearchIndexDir() string {
	if c.IndexDir != "" {
		return c.IndexDir
	}
	return filepath.Join(c.DataDir, "index")
}

// SQLitePath is the embedded database file inside the data dir.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "hindsight.db") }

// Location loads Timezone; empty gives time.Local.
func (c Config) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("HINDSIGHT_TIMEZONE %q: want an IANA zone such as Europe/Berlin or UTC", c.Timezone)
	}
	return loc, nil
}

// Level parses LogLevel.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("HINDSIGHT_LOG_LEVEL %q: want debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// RedactedDatabaseURL is DatabaseURL without its password, for logs.
func (c Config) RedactedDatabaseURL() string {
	if c.DatabaseURL == "" {
		return ""
	}
	scheme, rest, ok := strings.Cut(c.DatabaseURL, "://")
	if !ok {
		return "(invalid)"
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		user := rest[:at]
		if u, _, ok := strings.Cut(user, ":"); ok {
			user = u + ":xxxxx"
		}
		rest = user + rest[at:]
	}
	return scheme + "://" + rest
}
