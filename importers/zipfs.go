package importers

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Zip limits applied when ZipLimits leaves a field zero.
const (
	DefaultMaxZipBytes = 2 << 30 // total uncompressed size
	DefaultMaxZipFiles = 100_000
	DefaultMaxZipRatio = 1000 // uncompressed / compressed, per file
)

// ratioFloor is the size under which a file's compression ratio is not
// checked: tiny files of repeated bytes compress well and harm nobody.
const ratioFloor = 1 << 20

// ZipLimits protect against zip bombs. Zero fields take the defaults.
type ZipLimits struct {
	// MaxBytes caps the total uncompressed size of all files.
	MaxBytes int64
	// MaxFiles caps the number of entries.
	MaxFiles int
	// MaxRatio caps one file's uncompressed/compressed size ratio (for
	// files over 1 MiB).
	MaxRatio int64
}

func (l ZipLimits) withDefaults() ZipLimits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxZipBytes
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxZipFiles
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = DefaultMaxZipRatio
	}
	return l
}

// OpenZip opens the zip archive in r (size bytes, called name in messages)
// as a file system, after checking it against lim. The sizes checked are the
// ones the archive declares; archive/zip refuses to read more than a file
// declares, so a lying header cannot get past the limits. When every entry
// sits in one top-level folder (a zipped export folder), that folder is the
// root of the returned file system.
func OpenZip(r io.ReaderAt, size int64, name string, lim ZipLimits) (fs.FS, error) {
	lim = lim.withDefaults()
	zr, err := zip.NewReader(r, size)
	if errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("zip %s: holds a file outside the archive (absolute path or ..): %w", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("zip %s: not a readable zip archive: %w", name, err)
	}
	if len(zr.File) > lim.MaxFiles {
		return nil, fmt.Errorf("zip %s: holds %d files, more than the limit of %d", name, len(zr.File), lim.MaxFiles)
	}
	var total uint64
	for _, f := range zr.File {
		if !fs.ValidPath(strings.TrimSuffix(f.Name, "/")) || strings.Contains(f.Name, `\`) {
			return nil, fmt.Errorf("zip %s: file %q has an unsafe name", name, f.Name)
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxBytes) {
			return nil, fmt.Errorf("zip %s: unpacks to more than %d bytes (at %s); refusing a possible zip bomb", name, lim.MaxBytes, f.Name)
		}
		if f.UncompressedSize64 > ratioFloor && f.UncompressedSize64 > f.CompressedSize64*uint64(lim.MaxRatio) {
			return nil, fmt.Errorf("zip %s: file %s compresses %d bytes into %d, more than %d:1; refusing a possible zip bomb",
				name, f.Name, f.UncompressedSize64, f.CompressedSize64, lim.MaxRatio)
		}
	}
	if root := commonRoot(zr.File); root != "" {
		return fs.Sub(zr, root)
	}
	return zr, nil
}

// commonRoot returns the one top-level folder every entry sits in, or "".
// Entries macOS adds (__MACOSX/) do not count.
func commonRoot(files []*zip.File) string {
	root := ""
	for _, f := range files {
		if strings.HasPrefix(f.Name, "__MACOSX/") {
			continue
		}
		first, _, ok := strings.Cut(f.Name, "/")
		if !ok {
			return "" // a file at the top level
		}
		if root != "" && first != root {
			return ""
		}
		root = first
	}
	return root
}

// OpenZipFile opens the zip archive at path; close the returned closer when
// done with the file system.
func OpenZipFile(p string, lim ZipLimits) (fs.FS, io.Closer, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	fsys, err := OpenZip(f, st.Size(), filepath.Base(p), lim)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return fsys, f, nil
}

// nopCloser closes nothing.
type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// OpenInput opens what the user named: a folder as a file system, a .zip as
// a file system (checked against lim), anything else as a single file. Close
// the returned closer when the import is over.
func OpenInput(p string, lim ZipLimits) (Input, io.Closer, error) {
	st, err := os.Stat(p)
	if err != nil {
		return Input{}, nil, err
	}
	switch {
	case st.IsDir():
		return Input{Name: p, FS: os.DirFS(p)}, nopCloser{}, nil
	case strings.EqualFold(filepath.Ext(p), ".zip"):
		fsys, c, err := OpenZipFile(p, lim)
		if err != nil {
			return Input{}, nil, err
		}
		return Input{Name: p, FS: fsys}, c, nil
	default:
		return Input{Name: p, Open: func() (io.ReadCloser, error) { return os.Open(p) }}, nopCloser{}, nil
	}
}
