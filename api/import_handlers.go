package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hindsightrca/hindsight/importers"
	"github.com/hindsightrca/hindsight/internal/app"
	"github.com/hindsightrca/hindsight/internal/incident"
)

// importService is what the import routes need from the app.
type importService interface {
	ImportTimeline(ctx context.Context, ref string, imp importers.Importer, in importers.Input, opts app.ImportOptions) (app.ImportReport, error)
	ImportBatches(ctx context.Context, ref string) ([]incident.ImportBatch, error)
	UndoImport(ctx context.Context, id int64) (incident.ImportBatch, error)
}

// DefaultMaxUploadBytes bounds an import upload when ImportDeps leaves it 0.
const DefaultMaxUploadBytes = 200 << 20

// uploadMemory is how much of an upload is held in memory; the rest is
// spooled to a temporary file by mime/multipart.
const uploadMemory = 8 << 20

// importRoute is the one route whose body may exceed the JSON limit.
const importRoute = APIPrefix + "/incidents/:id/imports"

// ImportDeps configures timeline imports over the API.
type ImportDeps struct {
	// Registry lists the importers offered. Nil: none.
	Registry *importers.Registry
	// MaxUploadBytes bounds an upload (HINDSIGHT_MAX_UPLOAD_BYTES).
	// Default DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// Zip protects against zip bombs; zero fields take the defaults.
	Zip importers.ZipLimits
}

// bodyLimit is the body limit of the request: the upload limit for imports,
// the JSON limit for everything else.
func (s *server) bodyLimit(c *gin.Context) int64 {
	if c.Request.Method == http.MethodPost && c.FullPath() == hookRoute {
		if s.hooks.MaxBodyBytes > 0 {
			return s.hooks.MaxBodyBytes
		}
		return DefaultHookMaxBodyBytes
	}
	if c.Request.Method == http.MethodPost && c.FullPath() == importRoute {
		if s.imports.MaxUploadBytes > 0 {
			return s.imports.MaxUploadBytes
		}
		return DefaultMaxUploadBytes
	}
	return s.maxBody
}

// importBatchJSON is an import batch in responses.
type importBatchJSON struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	Source     string     `json:"source"`
	FileName   string     `json:"file_name"`
	SHA256     string     `json:"sha256"`
	WindowFrom *time.Time `json:"window_from"`
	WindowTo   *time.Time `json:"window_to"`
	Added      int        `json:"added"`
	Duplicates int        `json:"duplicates"`
	Rejected   int        `json:"rejected"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	UndoneAt   *time.Time `json:"undone_at"`
}

func toImportBatchJSON(b incident.ImportBatch) importBatchJSON {
	return importBatchJSON{
		ID: b.ID, IncidentID: b.IncidentID, Source: b.Source, FileName: b.FileName, SHA256: b.SHA256,
		WindowFrom: utcPtr(b.WindowFrom), WindowTo: utcPtr(b.WindowTo),
		Added: b.Added, Duplicates: b.Duplicates, Rejected: b.Rejected,
		CreatedBy: b.CreatedBy, CreatedAt: b.CreatedAt.UTC(), UndoneAt: utcPtr(b.UndoneAt),
	}
}

// rejectionJSON is one record an importer could not read.
type rejectionJSON struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

func toRejectionsJSON(rs []importers.Rejection) []rejectionJSON {
	out := make([]rejectionJSON, len(rs))
	for i, r := range rs {
		out[i] = rejectionJSON(r)
	}
	return out
}

// importReportJSON is the answer to an import or its dry run.
type importReportJSON struct {
	// Batch is null for a dry run.
	Batch      *importBatchJSON `json:"batch"`
	DryRun     bool             `json:"dry_run"`
	Parsed     int              `json:"parsed"`
	Added      int              `json:"added"`
	Duplicates int              `json:"duplicates"`
	Rejected   int              `json:"rejected"`
	Filtered   int              `json:"filtered"`
	Preview    []eventJSON      `json:"preview"`
	Rejections []rejectionJSON  `json:"rejections"`
}

func toImportReportJSON(r app.ImportReport) importReportJSON {
	out := importReportJSON{DryRun: r.DryRun, Parsed: r.Parsed, Added: r.Added, Duplicates: r.Duplicates,
		Rejected: r.Rejected, Filtered: r.Filtered, Preview: make([]eventJSON, len(r.Preview)),
		Rejections: toRejectionsJSON(r.Rejections)}
	if !r.DryRun {
		b := toImportBatchJSON(r.Batch)
		out.Batch = &b
	}
	for i, e := range r.Preview {
		out.Preview[i] = toEventJSON(e)
	}
	return out
}

// importTimeline handles POST /incidents/:id/imports: a multipart upload of
// one export file (a zip is opened as a folder-shaped export).
func (s *server) importTimeline(c *gin.Context) {
	if err := c.Request.ParseMultipartForm(uploadMemory); err != nil {
		s.renderError(c, uploadError(err))
		return
	}
	defer func() { _ = c.Request.MultipartForm.RemoveAll() }()
	form := c.Request.MultipartForm
	imp, opts, err := s.importOptions(form)
	if err != nil {
		s.renderError(c, err)
		return
	}
	files := form.File["file"]
	if len(files) != 1 {
		s.renderError(c, incident.Invalid("file", "must be exactly one uploaded file"))
		return
	}
	in, f, err := s.openUpload(files[0], &opts)
	if err != nil {
		s.renderError(c, err)
		return
	}
	defer f.Close()
	rep, err := s.svc.ImportTimeline(c.Request.Context(), c.Param("id"), imp, in, opts)
	if err != nil {
		s.renderError(c, importError(err))
		return
	}
	if rep.DryRun {
		c.JSON(http.StatusOK, toImportReportJSON(rep))
		return
	}
	created(c, APIPrefix+"/incidents/"+url.PathEscape(c.Param("id"))+"/imports", toImportReportJSON(rep))
}

// importOptions reads the form fields of an import, naming every bad one.
func (s *server) importOptions(form *multipart.Form) (importers.Importer, app.ImportOptions, error) {
	verr := &incident.ValidationError{}
	get := func(name string) string {
		if v := form.Value[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	flag := func(name string) bool {
		v := get(name)
		if v == "" {
			return false
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			verr.Add(name, "must be true or false")
		}
		return b
	}
	when := func(name string) *time.Time {
		v := get(name)
		if v == "" {
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			verr.Add(name, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
			return nil
		}
		return &t
	}
	var opts app.ImportOptions
	source := strings.ToLower(get("source"))
	imp, ok := s.imports.Registry.Get(source)
	switch known := s.imports.Registry.Sources(); {
	case source == "":
		verr.Add("source", "is required: one of "+strings.Join(known, ", "))
	case !ok:
		verr.Add("source", "unknown source "+strconv.Quote(source)+": want one of "+strings.Join(known, ", "))
	}
	opts.DryRun = flag("dry_run")
	opts.SkipInvalid = flag("skip_invalid")
	opts.ThreadsTouchingWindow = flag("threads_touching_window")
	opts.From, opts.To = when("from"), when("to")
	opts.CallStart = when("call_start")
	for _, v := range form.Value["channel"] {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				opts.Channels = append(opts.Channels, p)
			}
		}
	}
	if m := get("map"); m != "" {
		mapping, err := importers.ParseMappingFor(m, importers.MappingFieldsOf(imp))
		if err != nil {
			verr.Add("map", err.Error())
		}
		opts.Mapping = mapping
	}
	if tz := get("timezone"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			verr.Add("timezone", "must be an IANA zone such as Europe/Berlin or UTC")
		}
		opts.Location = loc
	}
	if opts.From != nil && opts.To != nil && opts.To.Before(*opts.From) {
		verr.Add("to", "must not be before from")
	}
	return imp, opts, verr.Err()
}

// openUpload hashes the upload and opens it: a zip (by name or by its
// signature) as a file system checked against the zip limits, anything
// else as a single file. Close the returned file when the import is over.
func (s *server) openUpload(fh *multipart.FileHeader, opts *app.ImportOptions) (importers.Input, multipart.File, error) {
	f, err := fh.Open()
	if err != nil {
		return importers.Input{}, nil, err
	}
	in, err := s.uploadInput(f, fh, opts)
	if err != nil {
		f.Close()
		return importers.Input{}, nil, err
	}
	return in, f, nil
}

// uploadInput is openUpload on the opened file. mime/multipart keeps it in
// memory or in a temporary file that MultipartForm.RemoveAll deletes.
func (s *server) uploadInput(f multipart.File, fh *multipart.FileHeader, opts *app.ImportOptions) (importers.Input, error) {
	name := filepath.Base(fh.Filename)
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, fh.Size)); err != nil {
		return importers.Input{}, err
	}
	opts.FileName, opts.SHA256 = name, hex.EncodeToString(h.Sum(nil))
	head := make([]byte, 4)
	n, _ := f.ReadAt(head, 0)
	if strings.EqualFold(filepath.Ext(name), ".zip") || bytes.Equal(head[:n], []byte("PK\x03\x04")) {
		fsys, err := importers.OpenZip(f, fh.Size, name, s.imports.Zip)
		if err != nil {
			return importers.Input{}, &httpError{Status: http.StatusUnprocessableEntity, Code: "invalid_archive",
				Message: err.Error(), Fields: map[string]string{"file": err.Error()}}
		}
		return importers.Input{Name: name, FS: fsys}, nil
	}
	return importers.Input{Name: name, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(f, 0, fh.Size)), nil
	}}, nil
}

// uploadError explains a multipart body that could not be read.
func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge(mbe.Limit)
	}
	return &httpError{Status: http.StatusBadRequest, Code: "malformed_upload",
		Message: "the body must be multipart/form-data with a file field: " + err.Error()}
}

// importError gives the import's own failures their status and code.
func importError(err error) error {
	var rej *app.ImportRejectedError
	var perr *app.ParseError
	switch {
	case errors.As(err, &rej):
		return &httpError{Status: http.StatusUnprocessableEntity, Code: "import_rejected", Message: rej.Error(),
			Extra: map[string]any{"rejected": rej.Rejected, "rejections": toRejectionsJSON(rej.Rejections)}}
	case errors.As(err, &perr):
		return &httpError{Status: http.StatusUnprocessableEntity, Code: "unreadable_input", Message: perr.Error(),
			Fields: map[string]string{"file": perr.Error()}}
	}
	return err
}

// listImports handles GET /incidents/:id/imports.
func (s *server) listImports(c *gin.Context) {
	bs, err := s.svc.ImportBatches(c.Request.Context(), c.Param("id"))
	if err != nil {
		s.renderError(c, err)
		return
	}
	p := incident.Page[incident.ImportBatch]{Items: bs, Total: len(bs)}
	c.JSON(http.StatusOK, toPageJSON(p, toImportBatchJSON))
}

// undoImport handles DELETE /imports/:id: the batch's events go, the batch
// stays, marked undone.
func (s *server) undoImport(c *gin.Context) {
	id, err := idParam(c, "id", "import_batch")
	if err != nil {
		s.renderError(c, err)
		return
	}
	if _, err := s.svc.UndoImport(c.Request.Context(), id); err != nil {
		if errors.Is(err, app.ErrImportUndone) {
			err = &httpError{Status: http.StatusConflict, Code: "import_already_undone", Message: err.Error()}
		}
		s.renderError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
