package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/importers/alertmanager"
	"github.com/hindsightrca/hindsight/importers/bugzilla"
	"github.com/hindsightrca/hindsight/importers/calls"
	"github.com/hindsightrca/hindsight/importers/email"
	"github.com/hindsightrca/hindsight/importers/generic"
	"github.com/hindsightrca/hindsight/importers/github"
	"github.com/hindsightrca/hindsight/importers/grafana"
	"github.com/hindsightrca/hindsight/importers/hipchat"
	"github.com/hindsightrca/hindsight/importers/icinga"
	"github.com/hindsightrca/hindsight/importers/jira"
	"github.com/hindsightrca/hindsight/importers/mantis"
	"github.com/hindsightrca/hindsight/importers/mattermost"
	"github.com/hindsightrca/hindsight/importers/newrelic"
	"github.com/hindsightrca/hindsight/importers/opsgenie"
	"github.com/hindsightrca/hindsight/importers/pagerduty"
	"github.com/hindsightrca/hindsight/importers/redmine"
	"github.com/hindsightrca/hindsight/importers/skype"
	"github.com/hindsightrca/hindsight/importers/slack"
	"github.com/hindsightrca/hindsight/importers/statuspage"
	"github.com/hindsightrca/hindsight/importers/teams"
	"github.com/hindsightrca/hindsight/importers/victorops"
	"github.com/hindsightrca/hindsight/importers/zabbix"
	"github.com/hindsightrca/hindsight/importers/zenoss"
	"github.com/hindsightrca/hindsight/internal/app"
)

// importerRegistry is the list of timeline importers this binary offers,
// for the CLI and the API alike.
func importerRegistry() *importers.Registry {
	return importers.NewRegistry(
		slack.NewImporter(),
		mattermost.New(),
		teams.New(),
		skype.New(),
		hipchat.New(),
		calls.New(),
		generic.NewCSV(),
		generic.NewJSONL(),
		zabbix.New(),
		zenoss.New(),
		newrelic.New(),
		pagerduty.New(),
		opsgenie.New(),
		alertmanager.New(),
		grafana.New(),
		victorops.New(),
		icinga.New(),
		email.New(),
		jira.New(),
		redmine.New(),
		bugzilla.New(),
		github.New(),
		statuspage.New(),
		mantis.New(),
	)
}

// hookRegistry is the list of live webhook parsers this binary offers under
// /api/v1/hooks/{source}.
func hookRegistry() *importers.HookRegistry {
	return importers.NewHookRegistry(
		generic.NewHook(),
		zabbix.New(),
		zenoss.New(),
		newrelic.New(),
		pagerduty.New(),
		opsgenie.New(),
		alertmanager.New(),
		grafana.New(),
		victorops.New(),
		icinga.New(),
		// Ticket trackers: changes of linked tickets go to their incidents.
		jira.New(),
		github.New(),
	)
}

// importSourceCmd imports an export file into an incident's timeline. It is
// importCmd's default branch: "hindsight import slack export.zip".
type importSourceCmd struct {
	Source      string   `arg:"" help:"Importer: slack, mattermost, teams, skype, hipchat, call (WebVTT/SRT), csv, jsonl, pagerduty, opsgenie, zabbix, zenoss, newrelic, alertmanager, grafana, victorops, icinga (event-stream JSON), email (mbox/.eml alert mails), jira (issue/search/webhook JSON or CSV export), redmine (issue JSON), bugzilla (REST bug, comment and history JSON), github (issue, comment, event JSON or webhooks), statuspage (incident JSON) or mantis (REST issue JSON)."`
	Path        string   `arg:"" type:"path" help:"Export file, zip or unpacked folder."`
	Incident    string   `required:"" help:"Incident key or id (INC-7)." placeholder:"INC-7"`
	DryRun      bool     `name:"dry-run" help:"Parse and count, show the first events, write nothing."`
	From        string   `help:"Keep events at or after this time (RFC 3339 or 2006-01-02 15:04). Default: incident start - 1h." placeholder:"TIME"`
	To          string   `help:"Keep events at or before this time. Default: incident resolution + 1h." placeholder:"TIME"`
	Channel     []string `help:"Keep only these channels or rooms (repeatable)." placeholder:"NAME"`
	SkipInvalid bool     `name:"skip-invalid" help:"Import the readable records when some cannot be read."`
	Threads     bool     `help:"Keep whole threads that have any message in the window."`
	CallStart   string   `name:"call-start" help:"When the transcribed call began (cue times count from it)." placeholder:"TIME"`
	Map         string   `help:"Field mapping of the generic importers, e.g. time=ts,actor=user,text=message; add time_format=<Go layout> for local date formats (02.01.2006 15:04)." placeholder:"MAPPING"`
	Timezone    string   `help:"Zone of timestamps written without one (default UTC)." placeholder:"ZONE"`
}

// options turns the flags into import options, naming the bad flag.
func (c importSourceCmd) options(imp importers.Importer) (app.ImportOptions, error) {
	var opts app.ImportOptions
	if c.Timezone != "" {
		loc, err := time.LoadLocation(c.Timezone)
		if err != nil {
			return opts, fmt.Errorf("--timezone %q: want an IANA zone such as Europe/Berlin", c.Timezone)
		}
		opts.Location = loc
	}
	for _, f := range []struct {
		name, value string
		dst         **time.Time
	}{{"--from", c.From, &opts.From}, {"--to", c.To, &opts.To}, {"--call-start", c.CallStart, &opts.CallStart}} {
		if f.value == "" {
			continue
		}
		t, err := importers.ParseTime(f.value, opts.Location)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", f.name, err)
		}
		*f.dst = &t
	}
	if c.Map != "" {
		m, err := importers.ParseMappingFor(c.Map, importers.MappingFieldsOf(imp))
		if err != nil {
			return opts, fmt.Errorf("--map: %w", err)
		}
		opts.Mapping = m
	}
	opts.Channels, opts.DryRun, opts.SkipInvalid, opts.ThreadsTouchingWindow = c.Channel, c.DryRun, c.SkipInvalid, c.Threads
	return opts, nil
}

// Run parses the export and stores it as one import batch.
func (c importSourceCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	reg := importerRegistry()
	imp, ok := reg.Get(strings.ToLower(c.Source))
	if !ok {
		return usageError{fmt.Errorf("unknown source %q: want markdown or one of %s", c.Source, strings.Join(reg.Sources(), ", "))}
	}
	opts, err := c.options(imp)
	if err != nil {
		return usageError{err}
	}
	in, closer, err := importers.OpenInput(c.Path, importers.ZipLimits{})
	if err != nil {
		return err
	}
	defer closer.Close()
	opts.FileName = filepath.Base(c.Path)
	if in.FS != nil && !isDir(c.Path) {
		if opts.SHA256, err = fileSHA256(c.Path); err != nil {
			return err
		}
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	bar := newProgress(e.stderr, time.Now)
	opts.Progress = bar.update
	rep, err := a.ImportTimeline(e.ctx, c.Incident, imp, in, opts)
	bar.done()
	if err != nil {
		return importFailure(e.stderr, err)
	}
	printReport(e.stdout, "Imported", c.Source+" "+c.Path, c.Incident, rep)
	return nil
}

// importFailure lists the rejections of an import or pull that failed
// because of them on w, and returns the error to stop with.
func importFailure(w io.Writer, err error) error {
	var rej *app.ImportRejectedError
	if errors.As(err, &rej) {
		printRejections(w, rej.Rejections, rej.Rejected)
		return fmt.Errorf("%d record(s) could not be read; nothing was imported (--skip-invalid imports the rest)", rej.Rejected)
	}
	return err
}

// printReport is the summary of an import or a pull: counts, the batch,
// how to undo. verb is "Imported" or "Pulled"; what names the input, e.g.
// "slack export.zip".
func printReport(w io.Writer, verb, what, incident string, rep app.ImportReport) {
	counts := fmt.Sprintf("%d added, %d duplicates, %d rejected, %d outside the window", rep.Added, rep.Duplicates, rep.Rejected, rep.Filtered)
	if rep.DryRun {
		fmt.Fprintf(w, "Dry run of %s into %s (nothing written): %d events read; would be %s.\n", what, incident, rep.Parsed, counts)
		for _, ev := range rep.Preview {
			fmt.Fprintf(w, "  %s  %-16s %s\n", ev.OccurredAt.UTC().Format(time.RFC3339), clip(ev.Actor, 16), clip(ev.Body, 80))
		}
	} else {
		fmt.Fprintf(w, "%s %s into %s: %s.\n", verb, what, incident, counts)
		fmt.Fprintf(w, "Import batch %d. Undo it with: hindsight import undo %d\n", rep.Batch.ID, rep.Batch.ID)
	}
	printRejections(w, rep.Rejections, rep.Rejected)
}

// printRejections lists up to 20 rejected records.
func printRejections(w io.Writer, rs []importers.Rejection, total int) {
	for i, r := range rs {
		if i == 20 {
			fmt.Fprintf(w, "  ... and %d more\n", total-i)
			return
		}
		fmt.Fprintln(w, "  rejected:", app.FormatRejection(r))
	}
}

// clip shortens s to n runes on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// importUndoCmd undoes an import batch.
type importUndoCmd struct {
	Batch int64 `arg:"" help:"Import batch id (printed by the import)." placeholder:"BATCH"`
}

// Run removes exactly the events the batch added.
func (c importUndoCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	a := app.New(s, app.Options{Logger: e.log})
	b, err := a.UndoImport(e.ctx, c.Batch)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Undid import batch %d (%s %s): its %d events are gone.\n", b.ID, b.Source, b.FileName, b.Added)
	return nil
}

// progressBar reports parsing progress on stderr: a bar redrawn in place on
// a terminal, a plain line every few seconds otherwise. Small inputs that
// finish within a second print nothing.
type progressBar struct {
	w      io.Writer
	now    func() time.Time
	tty    bool
	start  time.Time
	last   time.Time
	n      int
	shown  bool
	frames int
}

func newProgress(w io.Writer, now func() time.Time) *progressBar {
	return &progressBar{w: w, now: now, tty: isTerminal(w), start: now()}
}

// update hears the number of events parsed so far.
func (p *progressBar) update(n int) {
	p.n = n
	t := p.now()
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	if t.Sub(p.start) < time.Second || t.Sub(p.last) < every {
		return
	}
	p.last, p.shown = t, true
	p.draw(t, false)
}

// done ends the bar's line, when one was drawn.
func (p *progressBar) done() {
	if p.shown {
		p.draw(p.now(), true)
	}
}

func (p *progressBar) draw(t time.Time, final bool) {
	rate := 0.0
	if secs := t.Sub(p.start).Seconds(); secs > 0 {
		rate = float64(p.n) / secs
	}
	msg := "parsed " + strconv.Itoa(p.n) + " events (" + strconv.Itoa(int(rate)) + "/s)"
	if final {
		msg += ", storing"
	}
	if !p.tty {
		fmt.Fprintln(p.w, "import:", msg)
		return
	}
	p.frames++
	const width = 20
	pos := p.frames % (2 * width)
	if pos >= width {
		pos = 2*width - 1 - pos
	}
	bar := strings.Repeat(" ", pos) + "#" + strings.Repeat(" ", width-1-pos)
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(p.w, "\r[%s] %s\x1b[K%s", bar, msg, end)
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// fileSHA256 is the hex sha256 of the file at p.
func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
