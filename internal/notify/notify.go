// Package notify delivers messages to people: Slack incoming webhooks and
// e-mail over SMTP. It knows nothing about incidents; internal/app builds
// the messages. Every sender takes a context, bounds its time, and returns
// errors that never contain a secret (webhook URLs, passwords).
package notify
