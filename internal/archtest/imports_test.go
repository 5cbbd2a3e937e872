package archtest

import (
	"bufio"
	"bytes"
	"os/exec"
	"path"
	"strings"
	"testing"
)

const module = "github.com/hindsightrca/hindsight"

// allowed lists, for each package pattern of ours, the packages of ours it
// may import. A pattern ending in "/..." matches the folder and below.
var allowed = map[string][]string{
	"cmd/...":             {"..."},
	"api":                 {"internal/app", "internal/incident", "internal/markdown", "internal/auth", "search", "templates", "importers/...", "frontend", "internal/blameless", "internal/report"},
	"internal/app":        {"internal/store", "search", "importers/...", "templates", "internal/auth", "internal/markdown", "internal/incident", "internal/blameless", "internal/report", "internal/tickets", "internal/notify", "internal/dashboard"},
	"internal/store":      {"internal/incident", "migrations"},
	"search":              {"internal/incident", "internal/markdown", "internal/bm25", "search/zapseg"},
	"importers/...":       {"importers/...", "internal/incident", "internal/markdown", "internal/apiclient"},
	"templates":           {"internal/incident"},
	"internal/auth":       {"internal/incident"},
	"internal/markdown":   {},
	"internal/report":     {"internal/incident", "internal/markdown"},
	"internal/blameless":  {"internal/incident"},
	"internal/incident":   {},
	"internal/dashboard":  {"internal/incident"},
	"internal/config":     {},
	"internal/pgtest/...": {},
	"internal/archtest":   {},
	"internal/e2e":        {"..."},
	"internal/tools/...":  {},
	"internal/bench/...":  {"..."},
	"migrations":          {},
	"frontend":            {},

	// The HTTP plumbing of the API clients (importers' pulls, ticket sync):
	// standard library only.
	"internal/apiclient": {},
	// The ticket trackers' clients (and their test fakes) use the standard
	// library and the shared API client plumbing only.
	"internal/tickets/...": {"internal/apiclient"},
	// Reminder senders (Slack webhook, SMTP) and their test fakes: standard library only.
	"internal/notify/...": {},
	// BM25 scoring of similar incidents: standard library only.
	"internal/bm25": {},
	// The segment writer of rebuilds, and its tests' comparison with zap:
	// bleve's segment APIs only.
	"search/zapseg":            {},
	"search/zapseg/zapsegtest": {},
}

// confined names third-party modules that only one part of the tree may use.
var confined = map[string][]string{
	"github.com/gin-gonic/gin":  {"api"},
	"gorm.io/":                  {"internal/store"},
	"github.com/blevesearch/":   {"search/..."}, // bleve and its segment, FST and index APIs
	"github.com/coreos/go-oidc": {"internal/auth"},
	"github.com/pressly/goose":  {"internal/store"},
}

func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func TestImportRules(t *testing.T) {
	cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	checked := 0
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg := strings.TrimPrefix(fields[0], module+"/")
		rules, ok := rulesFor(pkg)
		if !ok {
			t.Errorf("package %s has no import rule: add it to allowed in %s", pkg, path.Base("imports_test.go"))
			continue
		}
		checked++
		for _, imp := range fields[1:] {
			if own, ok := strings.CutPrefix(imp, module+"/"); ok {
				if !anyMatch(rules, own) {
					t.Errorf("%s imports %s: not allowed by the layering rule", pkg, own)
				}
				continue
			}
			for prefix, owners := range confined {
				if strings.HasPrefix(imp, prefix) && !anyMatch(owners, pkg) && !strings.HasPrefix(pkg, "internal/pgtest") {
					t.Errorf("%s imports %s: only %v may", pkg, imp, owners)
				}
			}
			if pkg == "internal/incident" && strings.Contains(strings.Split(imp, "/")[0], ".") {
				t.Errorf("internal/incident imports %s: the domain uses the standard library only", imp)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no packages checked")
	}
}

func rulesFor(pkg string) ([]string, bool) {
	for pattern, rules := range allowed {
		if match(pattern, pkg) {
			return rules, true
		}
	}
	return nil, false
}

func anyMatch(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if match(p, pkg) {
			return true
		}
	}
	return false
}
