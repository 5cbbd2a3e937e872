package main

import (
	"fmt"

	"github.com/hindsightrca/hindsight/templates"
)

// loadTemplates reads the built-in RCA templates and those of
// HINDSIGHT_TEMPLATES_DIR. A bad template file stops the start with a
// message naming the file and line: an admin would rather fix it now than
// find a template missing later.
func loadTemplates(e *env) (*templates.Registry, error) {
	reg, err := templates.Load(e.cfg.TemplatesDir)
	if err != nil {
		return nil, usageError{fmt.Errorf("RCA templates: %w", err)}
	}
	if e.cfg.TemplatesDir == "" {
		return reg, nil
	}
	builtin := templates.MustBuiltin()
	n := 0
	for _, t := range reg.Templates() {
		file := reg.File(t.Key)
		if file == "" {
			continue
		}
		n++
		_, overrides := builtin.Template(t.Key)
		e.log.Info("Loaded RCA template", "key", t.Key, "file", file, "replaces_builtin", overrides)
	}
	e.log.Info("RCA templates ready", "dir", e.cfg.TemplatesDir, "from_dir", n, "total", len(reg.Templates()))
	return reg, nil
}
