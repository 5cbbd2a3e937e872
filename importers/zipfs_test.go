package importers

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// makeZip builds an archive holding files (name → content), deflated.
func makeZip(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(f, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestOpenZip(t *testing.T) {
	export := map[string]string{"users.json": "[]", "general/2026-11-20.json": "[]"}
	good := makeZip(t, export)
	zeros := strings.Repeat("\x00", 3<<20)
	tests := []struct {
		name     string
		data     []byte
		lim      ZipLimits
		wantErr  string
		wantFile string
	}{
		{name: "export at root", data: good, wantFile: "general/2026-11-20.json"},
		{name: "zipped folder is unwrapped", data: makeZip(t, map[string]string{"export/users.json": "[]", "export/c/d.json": "[]", "__MACOSX/._x": ""}), wantFile: "users.json"},
		{name: "corrupt", data: []byte("PK\x03\x04 this is not a zip"), wantErr: "upload.zip: not a readable zip archive"},
		{name: "truncated", data: good[:len(good)/2], wantErr: "upload.zip: not a readable zip archive"},
		{name: "empty", data: nil, wantErr: "not a readable zip archive"},
		{name: "too many files", data: good, lim: ZipLimits{MaxFiles: 1}, wantErr: "holds 2 files, more than the limit of 1"},
		{name: "too large in total", data: makeZip(t, map[string]string{"a.json": strings.Repeat("x", 600), "b.json": strings.Repeat("y", 600)}), lim: ZipLimits{MaxBytes: 1000}, wantErr: "unpacks to more than 1000 bytes"},
		{name: "ratio bomb", data: makeZip(t, map[string]string{"bomb.json": zeros}), lim: ZipLimits{MaxRatio: 100}, wantErr: "bomb.json compresses"},
		{name: "small compressible file is fine", data: makeZip(t, map[string]string{"a.json": strings.Repeat("\x00", 1000)}), lim: ZipLimits{MaxRatio: 2}, wantFile: "a.json"},
		{name: "unsafe name", data: makeZip(t, map[string]string{"../evil.json": "x"}), wantErr: "unsafe name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys, err := OpenZip(bytes.NewReader(tt.data), int64(len(tt.data)), "upload.zip", tt.lim)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := fs.ReadFile(fsys, tt.wantFile)
			if err != nil {
				t.Fatalf("read %s: %v", tt.wantFile, err)
			}
			if len(b) == 0 {
				t.Errorf("%s is empty", tt.wantFile)
			}
		})
	}
}

// TestOpenZip_DeflateBomb: a real deflate bomb (64 MiB of zeros, about
// 1000:1) within the total size is stopped by its ratio.
func TestOpenZip_DeflateBomb(t *testing.T) {
	data := makeZip(t, map[string]string{"bomb.json": strings.Repeat("\x00", 64<<20)})
	_, err := OpenZip(bytes.NewReader(data), int64(len(data)), "bomb.zip", ZipLimits{MaxRatio: 500})
	if err == nil || !strings.Contains(err.Error(), "possible zip bomb") {
		t.Fatalf("err = %v, want a zip bomb refusal", err)
	}
}

func TestOpenInput(t *testing.T) {
	dir := t.TempDir()
	export := filepath.Join(dir, "export")
	if err := os.MkdirAll(filepath.Join(export, "general"), 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(p string, b []byte) {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(export, "users.json"), []byte("[]"))
	write(filepath.Join(dir, "export.ZIP"), makeZip(t, map[string]string{"users.json": "[]"}))
	write(filepath.Join(dir, "bad.zip"), []byte("nope"))
	write(filepath.Join(dir, "call.vtt"), []byte("WEBVTT\n"))
	tests := []struct {
		name    string
		path    string
		wantFS  bool
		wantErr string
	}{
		{name: "folder", path: export, wantFS: true},
		{name: "zip any case", path: filepath.Join(dir, "export.ZIP"), wantFS: true},
		{name: "single file", path: filepath.Join(dir, "call.vtt")},
		{name: "corrupt zip names the file", path: filepath.Join(dir, "bad.zip"), wantErr: "zip bad.zip: not a readable zip archive"},
		{name: "missing", path: filepath.Join(dir, "nope.json"), wantErr: "nope.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, c, err := OpenInput(tt.path, ZipLimits{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if in.Name != tt.path {
				t.Errorf("Name = %q", in.Name)
			}
			if tt.wantFS {
				if in.FS == nil || in.Open != nil {
					t.Fatalf("want a file system, got %+v", in)
				}
				if _, err := fs.ReadFile(in.FS, "users.json"); err != nil {
					t.Error(err)
				}
				return
			}
			if in.FS != nil || in.Open == nil {
				t.Fatalf("want a single file, got %+v", in)
			}
			rc, err := in.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != "WEBVTT\n" {
				t.Errorf("content = %q", b)
			}
		})
	}
}
