//go:build !linux

package search

// dropFromPageCache does nothing where the kernel takes no advice (see
// forgetWritten).
func dropFromPageCache(string) error { return nil }
