package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/report"
)

// exportCmd writes an incident's RCA document from the local database.
type exportCmd struct {
	Incident string `arg:"" help:"Incident key (INC-7) or numeric id."`
	Format   string `enum:"md,html,pdf,json" default:"md" help:"md (Markdown with YAML front matter, re-importable), html (standalone, printable), pdf (needs Chromium; env HINDSIGHT_CHROMIUM_PATH) or json."`
	Audience string `enum:"public,customer_success,internal" default:"internal" help:"Who the document is for: public, customer_success or internal."`
	Output   string `short:"o" placeholder:"FILE" help:"Write to FILE, or into a directory under the export's own name (INC-7-<title>.<ext>). Default: standard output."`
}

// Run renders the export and writes it.
func (c exportCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	audience, err := report.ParseAudience(c.Audience)
	if err != nil {
		return usageError{err}
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	a := app.New(s, app.Options{Logger: e.log, Location: loc, ChromiumPath: e.cfg.ChromiumPath})
	exp, err := a.Export(e.ctx, c.Incident, c.Format, audience)
	if err != nil {
		return fmt.Errorf("export %s: %w", c.Incident, err)
	}
	if c.Output == "" || c.Output == "-" {
		_, err := e.stdout.Write(exp.Data)
		return err
	}
	path := c.Output
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, exp.FileName)
	}
	if err := os.WriteFile(path, exp.Data, 0o644); err != nil {
		return fmt.Errorf("export %s: %w", c.Incident, err)
	}
	e.log.Info("Exported", "incident", c.Incident, "format", c.Format, "audience", audience, "file", path, "bytes", len(exp.Data))
	return nil
}
