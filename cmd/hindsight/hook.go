package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// hookCmd manages webhook integrations.
type hookCmd struct {
	Create hookCreateCmd `cmd:"" help:"Add a webhook integration and print its URL token (shown once)."`
	List   hookListCmd   `cmd:"" help:"List webhook integrations."`
	Rotate hookRotateCmd `cmd:"" help:"Give a hook a new token (the old one stops working)."`
	Delete hookDeleteCmd `cmd:"" help:"Remove a webhook integration (its alerts stay)."`
}

// hookApp opens the store and an app that knows the hook sources.
func (e *env) hookApp() (*app.App, func(), error) {
	if err := e.setup(); err != nil {
		return nil, nil, err
	}
	s, err := e.openStore()
	if err != nil {
		return nil, nil, err
	}
	loc, _ := e.cfg.Location()
	a := app.New(s, app.Options{Logger: e.log, Location: loc, Hooks: hookRegistry(), HookRouteWindow: e.cfg.HookRouteWindow})
	return a, func() { s.Close() }, nil
}

type hookCreateCmd struct {
	Source            string   `arg:"" help:"Sender: pagerduty, opsgenie, victorops, alertmanager, grafana, zabbix, icinga, newrelic, zenoss, jira, github or generic."`
	Name              string   `required:"" help:"A name for this integration, e.g. alertmanager-prod." placeholder:"NAME"`
	SigningSecretFile string   `name:"signing-secret-file" type:"existingfile" help:"File holding the vendor's signing secret (PagerDuty v3 webhooks); deliveries must then be signed." placeholder:"FILE"`
	Map               []string `help:"Field mapping for templated payloads (Zabbix, generic): our_field=payload.key (repeatable)." placeholder:"FIELD=KEY"`
}

// Run creates the hook.
func (c hookCreateCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	h := incident.Hook{Source: strings.ToLower(c.Source), Name: c.Name, Mapping: map[string]string{}}
	if c.SigningSecretFile != "" {
		b, err := os.ReadFile(c.SigningSecretFile)
		if err != nil {
			return fmt.Errorf("--signing-secret-file: %w", err)
		}
		h.SigningSecret = strings.TrimSpace(string(b))
		if h.SigningSecret == "" {
			return usageError{errors.New("--signing-secret-file: the file is empty")}
		}
	}
	for _, m := range c.Map {
		k, v, ok := strings.Cut(m, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return usageError{fmt.Errorf("--map %q: want field=key", m)}
		}
		h.Mapping[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	created, err := a.CreateHook(e.ctx, h)
	if err != nil {
		var verr *incident.ValidationError
		if errors.As(err, &verr) {
			return usageError{err}
		}
		return err
	}
	url := "/api/v1/hooks/" + created.Hook.Source
	fmt.Fprintf(e.stdout, "Hook %s (%s) created.\n", created.Hook.Name, created.Hook.Source)
	fmt.Fprintf(e.stdout, "Token (shown once, keep it secret): %s\n", created.Token)
	fmt.Fprintf(e.stdout, "Senders post to <server>%s with the header\n  X-Hindsight-Token: %s\nor, when they cannot set headers, to <server>%s?token=%s\n",
		url, created.Token, url, created.Token)
	if created.Hook.SigningSecret != "" {
		fmt.Fprintln(e.stdout, "Deliveries must also carry the vendor's signature.")
	}
	return nil
}

type hookListCmd struct{}

// Run lists the hooks.
func (hookListCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	hooks, err := a.Hooks(e.ctx)
	if err != nil {
		return err
	}
	if len(hooks) == 0 {
		fmt.Fprintln(e.stdout, "No hooks. Add one with: hindsight hook create <source> --name <name>")
		return nil
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tSOURCE\tSIGNED\tLAST DELIVERY")
	for _, h := range hooks {
		last := "never"
		if h.LastDeliveryAt != nil {
			last = h.LastDeliveryAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%t\t%s\n", h.ID, h.Name, h.Source, h.SigningSecret != "", last)
	}
	return w.Flush()
}

type hookRotateCmd struct {
	Hook string `arg:"" help:"Hook name or id."`
}

// Run rotates the token.
func (c hookRotateCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	h, err := a.RotateHookToken(e.ctx, c.Hook)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "New token of %s (shown once): %s\n", h.Hook.Name, h.Token)
	return nil
}

type hookDeleteCmd struct {
	Hook string `arg:"" help:"Hook name or id."`
}

// Run deletes the hook.
func (c hookDeleteCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	if err := a.DeleteHook(e.ctx, c.Hook); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Hook %s removed; the alerts it delivered stay.\n", c.Hook)
	return nil
}

// alertsCmd works the alert inbox.
type alertsCmd struct {
	List    alertsListCmd    `cmd:"" default:"withargs" help:"List alerts (the inbox by default)."`
	Attach  alertsAttachCmd  `cmd:"" help:"Attach inbox alerts (with their alert's other events) to an incident."`
	Open    alertsOpenCmd    `cmd:"" help:"Open a new incident from an inbox alert."`
	Dismiss alertsDismissCmd `cmd:"" help:"Put inbox alerts aside."`
}

type alertsListCmd struct {
	State   string `default:"inbox" enum:"inbox,routed,dismissed,all" help:"inbox, routed, dismissed or all."`
	Source  string `help:"Only this source." placeholder:"SOURCE"`
	Service string `help:"Only this service." placeholder:"SERVICE"`
	Limit   int    `default:"50" help:"At most this many."`
}

// Run lists alerts.
func (c alertsListCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	p, err := a.Alerts(e.ctx, incident.AlertFilter{State: c.State, Source: c.Source, Service: c.Service, Limit: c.Limit})
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTIME (UTC)\tSOURCE\tSEVERITY\tSERVICE\tINCIDENT\tALERT")
	for _, al := range p.Items {
		body, _, _ := strings.Cut(al.Event.Body, "\n")
		if len([]rune(body)) > 80 {
			body = string([]rune(body)[:79]) + "…"
		}
		inc := al.IncidentKey
		if inc == "" {
			inc = al.State()
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", al.ID, al.Event.OccurredAt.UTC().Format("2006-01-02 15:04:05"),
			al.Event.Source, al.Severity, al.Service, inc, body)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d of %d alert(s)\n", len(p.Items), p.Total)
	return nil
}

type alertsAttachCmd struct {
	IDs      []int64 `arg:"" name:"id" help:"Alert ids."`
	Incident string  `required:"" help:"Incident key or id." placeholder:"INC-7"`
}

// Run attaches alerts.
func (c alertsAttachCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	res, err := a.AttachAlerts(e.ctx, c.IDs, c.Incident)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Attached %d alert(s) to %s: %d timeline event(s) added.\n", res.Attached, res.Incident.Key, res.Added)
	return nil
}

type alertsOpenCmd struct {
	ID       int64  `arg:"" help:"Alert id."`
	Title    string `help:"Incident title (default: the alert's)." placeholder:"TITLE"`
	Severity string `help:"SEV1..SEV5 (default from the alert's severity)." placeholder:"SEV"`
}

// Run opens an incident from an alert.
func (c alertsOpenCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	res, err := a.OpenIncidentFromAlert(e.ctx, c.ID, incident.Incident{Title: c.Title, Severity: incident.Severity(strings.ToUpper(c.Severity))})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Opened %s %q (%s) with %d alert event(s).\n", res.Incident.Key, res.Incident.Title, res.Incident.Severity, res.Added)
	return nil
}

type alertsDismissCmd struct {
	IDs []int64 `arg:"" name:"id" help:"Alert ids."`
}

// Run dismisses alerts.
func (c alertsDismissCmd) Run(e *env) error {
	a, done, err := e.hookApp()
	if err != nil {
		return err
	}
	defer done()
	n, err := a.DismissAlerts(e.ctx, c.IDs)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Dismissed %d alert(s).\n", n)
	return nil
}
