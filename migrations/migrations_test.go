package migrations_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite"

	"github.com/hindsightrca/hindsight/internal/pgtest"
	"github.com/hindsightrca/hindsight/migrations"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

type dialectDB struct {
	name  string
	goose goose.Dialect
	db    *sql.DB
}

func openAll(t *testing.T) []dialectDB {
	t.Helper()
	lite, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := sql.Open("pgx", pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close(); pg.Close() })
	return []dialectDB{{"sqlite", goose.DialectSQLite3, lite}, {"postgres", goose.DialectPostgres, pg}}
}

func provider(t *testing.T, d dialectDB) *goose.Provider {
	t.Helper()
	fsys, err := migrations.FS(d.name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(d.goose, d.db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// columns lists table -> sorted column names, without goose's own table.
func columns(t *testing.T, d dialectDB) map[string][]string {
	t.Helper()
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`
	if d.name == "sqlite" {
		q = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	}
	rows, err := d.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		if table == "goose_db_version" {
			continue
		}
		out[table] = append(out[table], col)
	}
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}

// TestSchemaParity applies every migration to an empty SQLite and an empty
// PostgreSQL and checks that they have the same tables and columns.
func TestSchemaParity(t *testing.T) {
	ctx := context.Background()
	dbs := openAll(t)
	schemas := map[string]map[string][]string{}
	for _, d := range dbs {
		if _, err := provider(t, d).Up(ctx); err != nil {
			t.Fatalf("%s: up: %v", d.name, err)
		}
		schemas[d.name] = columns(t, d)
	}
	// Table names are a contract other code relies on.
	want := []string{"alerts", "api_tokens", "audit_entries", "changes", "corrective_actions", "hooks", "import_batches", "incident_labels", "incident_links", "incident_principals", "incident_updates", "incidents",
		"rca_comments", "rca_reviews", "rca_revisions", "rca_sections", "rca_templates", "rcas", "recurrences", "root_cause_evidence", "root_causes", "sessions", "status_services", "timeline_events", "users"}
	want = append(want, "action_policies", "job_leases", "reminder_sends") // issue 10: jobs, policies, reminders
	want = append(want, "incident_tickets")                                // issue 10: ticket sync

	// issue 10: the actions dashboard's rollups
	want = append(want, "action_close_day_counts", "action_rollups", "action_service_rollups")
	sort.Strings(want)
	var got []string
	for table := range schemas["sqlite"] {
		got = append(got, table)
	}
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(schemas["postgres"], schemas["sqlite"]); diff != "" {
		t.Errorf("schemas differ (-postgres +sqlite):\n%s", diff)
	}
}

// TestDownUp checks that every migration can be rolled back and reapplied.
func TestDownUp(t *testing.T) {
	ctx := context.Background()
	for _, d := range openAll(t) {
		t.Run(d.name, func(t *testing.T) {
			p := provider(t, d)
			if _, err := p.Up(ctx); err != nil {
				t.Fatalf("up: %v", err)
			}
			if _, err := p.DownTo(ctx, 0); err != nil {
				t.Fatalf("down: %v", err)
			}
			if left := columns(t, d); len(left) != 0 {
				t.Errorf("tables left after down: %v", left)
			}
			if _, err := p.Up(ctx); err != nil {
				t.Fatalf("up again: %v", err)
			}
		})
	}
}

func TestFS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		dialect string
		wantErr bool
	}{
		{"postgres", "postgres", false},
		{"sqlite", "sqlite", false},
		{"unknown", "mysql", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, err := migrations.FS(tc.dialect)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil {
				if _, err := fsys.Open("00001_init.sql"); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
