package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/report"
)

// importPostmortemsCmd imports a library of post-mortems: a folder or zip
// of Markdown files with YAML front matter.
type importPostmortemsCmd struct {
	Path        string `arg:"" type:"path" help:"Folder or zip of Markdown post-mortems (*.md, *.markdown), searched recursively."`
	SkipInvalid bool   `name:"skip-invalid" help:"Import the readable files when some cannot be read."`
}

// libraryFile is one post-mortem read from the library.
type libraryFile struct {
	name string
	raw  []byte
	doc  report.Imported
}

// Run reads every file first; unless --skip-invalid, one unreadable file
// stops the import before anything is written. Each post-mortem is then
// imported in its own transaction; one seen before (same url, else same
// content) is left as it is.
func (c importPostmortemsCmd) Run(e *env) error {
	if err := e.setup(); err != nil {
		return err
	}
	in, closer, err := importers.OpenInput(c.Path, importers.ZipLimits{})
	if err != nil {
		return err
	}
	defer closer.Close()
	if in.FS == nil {
		return usageError{fmt.Errorf("%s: want a folder or a zip of Markdown files (for single files: hindsight import markdown FILE…)", c.Path)}
	}
	var files []libraryFile
	var bad []error
	err = fs.WalkDir(in.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(path.Ext(p))
		if d.IsDir() || (ext != ".md" && ext != ".markdown") || strings.HasPrefix(path.Base(p), ".") {
			return nil
		}
		raw, err := readLibraryFile(in.FS, p)
		if err == nil {
			var doc report.Imported
			if doc, err = report.ParseMarkdownFile(p, raw); err == nil {
				files = append(files, libraryFile{name: p, raw: raw, doc: doc})
				return nil
			}
		}
		bad = append(bad, fmt.Errorf("%s: %w", p, err))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", c.Path, err)
	}
	if len(bad) > 0 && !c.SkipInvalid {
		return fmt.Errorf("%d of %d file(s) cannot be read; nothing was imported (use --skip-invalid to import the rest):\n%w",
			len(bad), len(bad)+len(files), errors.Join(bad...))
	}
	if len(files) == 0 {
		return usageError{fmt.Errorf("%s holds no Markdown post-mortems (*.md)", c.Path)}
	}
	s, err := e.openStore()
	if err != nil {
		return err
	}
	defer s.Close()
	loc, _ := e.cfg.Location() // validated in setup
	a := app.New(s, app.Options{Logger: e.log, Location: loc})
	bar := newCountBar(e.stderr, len(files), time.Now)
	created, seen := 0, 0
	for i, f := range files {
		inc, isNew, err := a.ImportPostmortem(e.ctx, f.doc, f.raw)
		if err != nil {
			bar.done()
			return fmt.Errorf("%s: %w (the %d post-mortem(s) before it are imported; run again to go on)", f.name, err, i)
		}
		if isNew {
			created++
		} else {
			seen++
		}
		_ = inc
		bar.update(i + 1)
	}
	bar.done()
	fmt.Fprintf(e.stdout, "Imported %d post-mortem(s) from %s: %d new, %d already there", len(files), c.Path, created, seen)
	if len(bad) > 0 {
		fmt.Fprintf(e.stdout, ", %d skipped (unreadable)", len(bad))
	}
	fmt.Fprintln(e.stdout, ".")
	for _, b := range bad {
		fmt.Fprintln(e.stderr, "skipped:", b)
	}
	return nil
}

// readLibraryFile reads one file of the library within the import limit.
func readLibraryFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, report.MaxImport+1))
	if err != nil {
		return nil, err
	}
	if len(b) > report.MaxImport {
		return nil, fmt.Errorf("larger than %d bytes", report.MaxImport)
	}
	return b, nil
}

// countBar shows how many of a known number of items are done: a bar
// redrawn in place on a terminal, a line every few seconds otherwise.
type countBar struct {
	w     io.Writer
	total int
	now   func() time.Time
	tty   bool
	start time.Time
	last  time.Time
	n     int
	shown bool

	// verb and noun label the bar ("import: 3 of 8 post-mortems").
	verb, noun string
}

func newCountBar(w io.Writer, total int, now func() time.Time) *countBar {
	return &countBar{w: w, verb: "import", noun: "post-mortems", total: total, now: now, tty: isTerminal(w), start: now()}
}

func (b *countBar) update(n int) {
	b.n = n
	t := b.now()
	every := 5 * time.Second
	if b.tty {
		every = 100 * time.Millisecond
	}
	if t.Sub(b.last) < every && n < b.total {
		return
	}
	b.last, b.shown = t, true
	b.draw()
}

func (b *countBar) done() {
	if b.shown && b.tty {
		fmt.Fprintln(b.w)
	}
}

func (b *countBar) draw() {
	pct := 100 * b.n / max(b.total, 1)
	if !b.tty {
		fmt.Fprintf(b.w, "%s: %d of %d %s (%d%%)\n", b.verb, b.n, b.total, b.noun, pct)
		return
	}
	const width = 30
	filled := width * b.n / max(b.total, 1)
	fmt.Fprintf(b.w, "\r%s: [%s%s] %d/%d (%d%%)", b.verb, strings.Repeat("#", filled), strings.Repeat(" ", width-filled), b.n, b.total, pct)
}
