package slack

import (
	"io/fs"
	"testing/fstest"
)

// memFS is an export held in memory: file name → content.
func memFS(files map[string]string) fs.FS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return m
}
