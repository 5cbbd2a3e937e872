package api

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// linesImporter reads "RFC3339|actor|text" lines from one file, or from
// every .txt file of a folder-shaped input; other lines are rejected.
type linesImporter struct{}

func (linesImporter) Source() string { return "lines" }

func (linesImporter) Parse(ctx context.Context, in importers.Input, _ importers.Options, sink importers.Sink) error {
	if in.FS == nil {
		rc, err := in.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return parseLines(in.Name, rc, sink)
	}
	names, err := fs.Glob(in.FS, "*.txt")
	if err != nil || len(names) == 0 {
		return errorString("no .txt files in the export")
	}
	for _, n := range names {
		b, err := fs.ReadFile(in.FS, n)
		if err != nil {
			return err
		}
		if err := parseLines(n, bytes.NewReader(b), sink); err != nil {
			return err
		}
	}
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

func parseLines(name string, r io.Reader, sink importers.Sink) error {
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		parts := strings.SplitN(sc.Text(), "|", 3)
		if len(parts) != 3 {
			sink.Reject(importers.Rejection{File: name, Line: n, Reason: "want time|actor|text"})
			continue
		}
		at, err := time.Parse(time.RFC3339, parts[0])
		if err != nil {
			sink.Reject(importers.Rejection{File: name, Line: n, Field: "time", Reason: err.Error()})
			continue
		}
		if err := sink.Event(incident.TimelineEvent{ExternalID: name + ":" + parts[0], OccurredAt: at,
			Kind: incident.KindChat, Actor: parts[1], Body: parts[2]}); err != nil {
			return err
		}
	}
	return sc.Err()
}

// upload is a multipart body: fields, then the file (when name != "").
func upload(t *testing.T, fields map[string]string, name string, content []byte) (string, map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		for _, one := range strings.Split(v, "\x00") {
			if err := w.WriteField(k, one); err != nil {
				t.Fatal(err)
			}
		}
	}
	if name != "" {
		f, err := w.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(content)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), map[string]string{"Content-Type": w.FormDataContentType()}
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for n, c := range files {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(f, c)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const chatLog = "2026-03-10T10:05:00Z|Ada|checkout is failing\n2026-03-10T10:10:00Z|Grace|rolling back\n2026-03-09T10:00:00Z|Ada|day before\n"

func TestAPI_Imports(t *testing.T) {
	h := New(Deps{testIdentity: testUser, Service: newTestService(t), Version: "test", MaxBodyBytes: 1024,
		Imports: ImportDeps{Registry: importers.NewRegistry(linesImporter{})}})
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down","started_at":"2026-03-10T10:00:00Z"}`)
	mp := func(fields map[string]string, name, content string) (string, map[string]string) {
		return upload(t, fields, name, []byte(content))
	}
	lines := map[string]string{"source": "lines"}
	body, hdr := mp(lines, "chat.txt", chatLog)
	dryBody, dryHdr := mp(map[string]string{"source": "lines", "dry_run": "true"}, "chat.txt", chatLog)
	broken := chatLog + "not a line\n"
	brokenBody, brokenHdr := mp(lines, "chat.txt", broken)
	skipBody, skipHdr := mp(map[string]string{"source": "Lines", "skip_invalid": "1"}, "chat.txt", broken)
	zipBody, zipHdr := upload(t, lines, "export.zip", zipOf(t, map[string]string{"export/general.txt": "2026-03-10T10:20:00Z|Lin|from the zip\n"}))
	bigBody, bigHdr := mp(lines, "big.txt", strings.Repeat("2026-03-10T10:30:00Z|Ada|"+strings.Repeat("x", 100)+"\n", 40))
	cases := []scenario{
		{name: "dry run writes nothing", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: dryBody, headers: dryHdr,
			wantStatus: http.StatusOK, wantContains: []string{`"batch":null`, `"dry_run":true`, `"parsed":3`, `"added":2`, `"filtered":1`, `"body":"checkout is failing"`}},
		{name: "nothing listed after the dry run", method: "GET", url: "/api/v1/incidents/INC-1/imports",
			wantStatus: http.StatusOK, wantContains: []string{`"items":[]`, `"total":0`}},
		{name: "import", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: body, headers: hdr,
			wantStatus: http.StatusCreated, wantContains: []string{`"batch":{"id":1,`, `"file_name":"chat.txt"`, `"sha256":"`, `"added":2`, `"filtered":1`, `"window_from":"2026-03-10T09:00:00Z"`},
			wantHeaders: map[string]string{"Location": "/api/v1/incidents/INC-1/imports"}},
		{name: "the same file again adds nothing", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: body, headers: hdr,
			wantStatus: http.StatusCreated, wantContains: []string{`"batch":{"id":2,`, `"added":0`, `"duplicates":2`}},
		{name: "events carry their batch", method: "GET", url: "/api/v1/incidents/INC-1/timeline",
			wantStatus: http.StatusOK, wantContains: []string{`"import_batch_id":1`, `"source":"lines"`}, notContains: []string{"day before"}},
		{name: "rejections refuse the import", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: brokenBody, headers: brokenHdr,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"code":"import_rejected"`, `"rejected":1`, `"file":"chat.txt","line":4`, `"reason":"want time|actor|text"`}},
		{name: "skip_invalid imports the rest", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: skipBody, headers: skipHdr,
			wantStatus: http.StatusCreated, wantContains: []string{`"batch":{"id":3,`, `"rejected":1`, `"duplicates":2`}},
		{name: "a zipped folder", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: zipBody, headers: zipHdr,
			wantStatus: http.StatusCreated, wantContains: []string{`"file_name":"export.zip"`, `"added":1`}},
		{name: "uploads may exceed the JSON limit", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: bigBody, headers: bigHdr,
			wantStatus: http.StatusCreated, wantContains: []string{`"added":1`, `"duplicates":39`}},
		{name: "JSON bodies keep their limit", method: "POST", url: "/api/v1/incidents", body: `{"title":"` + strings.Repeat("x", 2000) + `"}`,
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"body_too_large"`}},
		{name: "list", method: "GET", url: "/api/v1/incidents/INC-1/imports",
			wantStatus: http.StatusOK, wantContains: []string{`"total":5`, `"source":"lines"`, `"undone_at":null`}},
		{name: "undo", method: "DELETE", url: "/api/v1/imports/1", wantStatus: http.StatusNoContent},
		{name: "undo removed the events", method: "GET", url: "/api/v1/incidents/INC-1/timeline",
			wantStatus: http.StatusOK, notContains: []string{"checkout is failing", `"import_batch_id":1`}, wantContains: []string{"from the zip"}},
		{name: "undo twice", method: "DELETE", url: "/api/v1/imports/1", wantStatus: http.StatusConflict, wantContains: []string{`"code":"import_already_undone"`}},
		{name: "undo unknown", method: "DELETE", url: "/api/v1/imports/99", wantStatus: http.StatusNotFound, wantContains: []string{`"code":"import_batch_not_found"`}},
		{name: "undo bad id", method: "DELETE", url: "/api/v1/imports/x", wantStatus: http.StatusNotFound},
		{name: "list shows the undo", method: "GET", url: "/api/v1/incidents/INC-1/imports",
			wantStatus: http.StatusOK, wantContains: []string{`"undone_at":"2026-03-10T12:00:00Z"`}},
	}
	runScenarios(t, h, cases)
}

func TestAPI_ImportsBadRequests(t *testing.T) {
	h := New(Deps{testIdentity: testUser, Service: newTestService(t), Version: "test",
		Imports: ImportDeps{Registry: importers.NewRegistry(linesImporter{}), MaxUploadBytes: 4096}})
	mustDo(t, h, http.StatusCreated, "POST", "/api/v1/incidents", `{"title":"Checkout down"}`)
	mp := func(fields map[string]string, name, content string) (string, map[string]string) {
		return upload(t, fields, name, []byte(content))
	}
	b1, h1 := mp(map[string]string{"source": "irc"}, "chat.txt", chatLog)
	b2, h2 := mp(map[string]string{"source": "lines"}, "", "")
	b3, h3 := mp(map[string]string{"source": "lines", "from": "yesterday", "dry_run": "maybe", "map": "when=ts"}, "chat.txt", chatLog)
	b4, h4 := mp(map[string]string{"source": "lines"}, "export.zip", "PK\x03\x04 broken")
	b5, h5 := mp(map[string]string{"source": "lines"}, "big.txt", strings.Repeat("x", 5000))
	b6, h6 := mp(map[string]string{"source": "lines"}, "chat.txt", chatLog)
	b7, h7 := upload(t, map[string]string{"source": "lines"}, "empty.zip", zipOf(t, map[string]string{"readme.md": "hi"}))
	b8, h8 := mp(map[string]string{"source": "lines", "from": "2026-03-10T12:00:00Z", "to": "2026-03-10T11:00:00Z"}, "chat.txt", chatLog)
	cases := []scenario{
		{name: "unknown source lists the known ones", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b1, headers: h1,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"source":"unknown source \"irc\": want one of lines"`}},
		{name: "no file", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b2, headers: h2,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"file":"must be exactly one uploaded file"`}},
		{name: "bad fields are named", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b3, headers: h3,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"from":"must be an RFC 3339 time`, `"dry_run":"must be true or false"`, `"map":"mapping field`}},
		{name: "corrupt zip", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b4, headers: h4,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"code":"invalid_archive"`, "zip export.zip: not a readable zip archive"}},
		{name: "over the upload limit", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b5, headers: h5,
			wantStatus: http.StatusRequestEntityTooLarge, wantContains: []string{`"code":"body_too_large"`}},
		{name: "not multipart", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: `{"source":"lines"}`,
			wantStatus: http.StatusBadRequest, wantContains: []string{`"code":"malformed_upload"`}},
		{name: "unknown incident", method: "POST", url: "/api/v1/incidents/INC-9/imports", body: b6, headers: h6,
			wantStatus: http.StatusNotFound, wantContains: []string{`"code":"incident_not_found"`}},
		{name: "not an export", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b7, headers: h7,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"code":"unreadable_input"`, "empty.zip: no .txt files in the export"}},
		{name: "reversed window", method: "POST", url: "/api/v1/incidents/INC-1/imports", body: b8, headers: h8,
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{`"to":"must not be before from"`}},
		{name: "list of unknown incident", method: "GET", url: "/api/v1/incidents/INC-9/imports", wantStatus: http.StatusNotFound},
	}
	runScenarios(t, h, cases)
}
