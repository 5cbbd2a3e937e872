package search

import (
	"os"

	"golang.org/x/sys/unix"
)

// dropFromPageCache writes the file at path to disk and asks the kernel to
// drop it from the page cache. See forgetWritten.
func dropFromPageCache(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return err
	}
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
