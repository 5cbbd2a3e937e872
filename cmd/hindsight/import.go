package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/report"
)

// importCmd groups the importers run from the command line.
type importCmd struct {
	Markdown    importMarkdownCmd    `cmd:"" help:"Create incidents from Markdown exports (hindsight export --format md) or post-mortems with the same YAML front matter."`
	Undo        importUndoCmd        `cmd:"" help:"Undo an import into a timeline: remove exactly the events it added."`
	Postmortems importPostmortemsCmd `cmd:"" help:"Import a library of post-mortems (a folder or zip of Markdown files with YAML front matter); a second run adds nothing."`
	Source      importSourceCmd      `cmd:"" name:"source" default:"withargs" help:"Import an export into an incident's timeline: hindsight import <source> <path> --incident INC-7."`
}

// importMarkdownCmd imports Markdown files, one new incident per file.
type importMarkdownCmd struct {
	Files []string `arg:"" type:"existingfile" help:"Markdown files to import." placeholder:"FILE"`
}

// Run reads every file first and imports only when all of them parse, so a
// typo in the last file does not leave the first ones half done.
func (c importMarkdownCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	docs := make([]report.Imported, len(c.Files))
	var bad []error
	for i, name := range c.Files {
		imp, err := readImport(name)
		if err != nil {
			bad = append(bad, fmt.Errorf("%s: %w", name, err))
			continue
		}
		docs[i] = imp
	}
	if len(bad) > 0 {
		return errors.Join(bad...)
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	for i, imp := range docs {
		inc, err := a.ImportDocument(e.ctx, imp)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Files[i], err)
		}
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\n", c.Files[i], inc.Key, inc.Title)
	}
	return nil
}

// readImport reads and parses one file, refusing files over the import limit.
func readImport(name string) (report.Imported, error) {
	f, err := os.Open(name)
	if err != nil {
		return report.Imported{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, report.MaxImport+1))
	if err != nil {
		return report.Imported{}, err
	}
	return report.ParseMarkdownFile(name, b) // the file name is the title of last resort
}
