package incident

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	numbers := func(n int) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			b.WriteString(strconv.Itoa(i) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{name: "same", a: "x\ny\n", b: "x\ny\n", want: ""},
		{
			name: "markdown edits and a lost final newline",
			a:    "# Timeline\n\n- 10:00 alert fired\n- 10:05 paged\n- 10:20 rollback\n- 10:30 resolved\n\nNotes here.\n",
			b:    "# Timeline\n\n- 10:00 alert fired\n- 10:04 acknowledged\n- 10:05 paged\n- 10:20 rollback started\n- 10:30 resolved\n\nNotes here.",
			want: "--- v1/timeline\n+++ v2/timeline\n@@ -1,8 +1,9 @@\n # Timeline\n \n - 10:00 alert fired\n+- 10:04 acknowledged\n - 10:05 paged\n" +
				"-- 10:20 rollback\n+- 10:20 rollback started\n - 10:30 resolved\n \n-Notes here.\n+Notes here.\n\\ No newline at end of file\n",
		},
		{
			name: "far apart changes make two hunks",
			a:    numbers(16),
			b:    strings.Replace(strings.Replace(numbers(16), "2\n", "X\n", 1), "14\n", "Y\n", 1),
			want: "--- v1/timeline\n+++ v2/timeline\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -11,6 +11,6 @@\n 11\n 12\n 13\n-14\n+Y\n 15\n 16\n",
		},
		{
			name: "cut tail",
			a:    numbers(16),
			b:    "1\nX\n3\n4\n5\n6\n7\n8\n9\n",
			want: "--- v1/timeline\n+++ v2/timeline\n@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n@@ -7,10 +7,3 @@\n 7\n 8\n 9\n-10\n-11\n-12\n-13\n-14\n-15\n-16\n",
		},
		{name: "from nothing", a: "", b: "a\nb\n", want: "--- v1/timeline\n+++ v2/timeline\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{name: "to nothing", a: "a", b: "", want: "--- v1/timeline\n+++ v2/timeline\n@@ -1 +0,0 @@\n-a\n\\ No newline at end of file\n"},
		{name: "insert into the middle", a: "a\nb\nc\nd\ne\nf\ng\nh\n", b: "a\nb\nc\nd\nNEW\ne\nf\ng\nh\n",
			want: "--- v1/timeline\n+++ v2/timeline\n@@ -2,6 +2,7 @@\n b\n c\n d\n+NEW\n e\n f\n g\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UnifiedDiff(tt.a, tt.b, "v1/timeline", "v2/timeline")
			if got != tt.want {
				t.Errorf("diff =\n%s\nwant\n%s", got, tt.want)
			}
			if got != "" {
				if applied := applyUnified(t, tt.a, got); applied != tt.b {
					t.Errorf("applying the diff gives %q, want %q", applied, tt.b)
				}
			}
		})
	}
}

// TestUnifiedDiff_Random checks on random texts that the diff turns a into
// b and, below the edit bound, is as short as the longest common subsequence
// allows.
func TestUnifiedDiff_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(string(rune('a'+rng.IntN(4))) + "\n")
		}
		if rng.IntN(3) == 0 {
			b.WriteString("tail")
		}
		return b.String()
	}
	for i := range 300 {
		a, b := text(rng.IntN(30)), text(rng.IntN(30))
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			d := UnifiedDiff(a, b, "a", "b")
			if applied := applyUnified(t, a, d); applied != b {
				t.Fatalf("applying the diff of %q → %q gives %q:\n%s", a, b, applied, d)
			}
			la, lb := splitLines(a), splitLines(b)
			edits := 0
			for _, op := range diffLines(la, lb) {
				if op.kind != ' ' {
					edits++
				}
			}
			if want := len(la) + len(lb) - 2*lcs(la, lb); edits != want {
				t.Errorf("%d edits, the shortest script has %d", edits, want)
			}
		})
	}
}

func TestUnifiedDiff_HugeRewriteStaysCorrect(t *testing.T) {
	var a, b strings.Builder
	for i := range maxDiffEdits + 200 {
		a.WriteString("old " + strconv.Itoa(i) + "\n")
		b.WriteString("new " + strconv.Itoa(i) + "\n")
	}
	as, bs := "same start\n"+a.String()+"same end\n", "same start\n"+b.String()+"same end\n"
	d := UnifiedDiff(as, bs, "a", "b")
	if applied := applyUnified(t, as, d); applied != bs {
		t.Fatal("the fallback diff does not turn a into b")
	}
	if !strings.HasPrefix(d, "--- a\n+++ b\n@@ -1,") {
		t.Errorf("diff starts %q", d[:40])
	}
}

// lcs is the length of the longest common subsequence (plain dynamic
// programming, the reference for the diff's minimality).
func lcs(a, b []string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			if a[i] == b[j] {
				cur[j+1] = prev[j] + 1
			} else {
				cur[j+1] = max(cur[j], prev[j+1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// applyUnified applies a unified diff to a, checking every context and
// deleted line against a and every hunk header's counts.
func applyUnified(t *testing.T, a, diff string) string {
	t.Helper()
	if diff == "" {
		return a
	}
	src := splitLines(a)
	lines := strings.SplitAfter(diff, "\n")
	if !strings.HasPrefix(lines[0], "--- ") || !strings.HasPrefix(lines[1], "+++ ") {
		t.Fatalf("no header in %q", diff)
	}
	var out []string
	pos := 0 // next line of src to copy
	for i := 2; i < len(lines) && lines[i] != ""; {
		var as, ac, bc int
		h := strings.TrimSuffix(strings.TrimPrefix(lines[i], "@@ -"), " @@\n")
		parts := strings.Split(h, " +")
		if len(parts) != 2 {
			t.Fatalf("bad hunk header %q", lines[i])
		}
		as, ac = parseRange(t, parts[0])
		_, bc = parseRange(t, parts[1])
		if ac > 0 {
			as--
		}
		if as < pos {
			t.Fatalf("hunks overlap at %q", lines[i])
		}
		out = append(out, src[pos:as]...)
		pos = as
		i++
		gotA, gotB := 0, 0
		for i < len(lines) && lines[i] != "" && !strings.HasPrefix(lines[i], "@@") {
			l := lines[i]
			i++
			text := l[1:]
			if i < len(lines) && strings.HasPrefix(lines[i], "\\ No newline at end of file") {
				text = strings.TrimSuffix(text, "\n")
				i++
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(src) || src[pos] != text {
					t.Fatalf("line %q of the diff does not match the source line %d", l, pos)
				}
				pos++
				gotA++
				if l[0] == ' ' {
					out = append(out, text)
					gotB++
				}
			case '+':
				out = append(out, text)
				gotB++
			default:
				t.Fatalf("bad diff line %q", l)
			}
		}
		if gotA != ac || gotB != bc {
			t.Fatalf("hunk %q counts %d,%d lines", h, gotA, gotB)
		}
	}
	out = append(out, src[pos:]...)
	return strings.Join(out, "")
}

func parseRange(t *testing.T, s string) (start, count int) {
	t.Helper()
	count = 1
	if a, b, ok := strings.Cut(s, ","); ok {
		s = a
		var err error
		if count, err = strconv.Atoi(b); err != nil {
			t.Fatalf("bad count %q", b)
		}
	}
	start, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad start %q", s)
	}
	return start, count
}

func TestDiffSections(t *testing.T) {
	from := []Section{
		{Key: "summary", Title: "Summary", Body: "It broke.\n", Audience: AudiencePublic},
		{Key: "old", Title: "Old", Body: "gone\n"},
		{Key: "timeline", Title: "Timeline", Body: "10:00\n", Audience: AudienceInternal},
		{Key: "same", Title: "Same", Body: "x"},
	}
	to := []Section{
		{Key: "summary", Title: "Summary", Body: "It broke.\n", Audience: AudienceCustomerSuccess},
		{Key: "timeline", Title: "Timeline", Body: "10:00\n10:05\n", Audience: AudienceInternal},
		{Key: "new", Title: "New", Body: "hello\n"},
		{Key: "same", Title: "Same", Body: "x"},
	}
	got := DiffSections(from, to, "v1", "v2")
	want := []SectionDiff{
		{Key: "summary", Title: "Summary", Change: SectionChanged, Fields: []string{"audience"}},
		{Key: "old", Title: "Old", Change: SectionRemoved, Diff: "--- v1/old\n+++ v2/old\n@@ -1 +0,0 @@\n-gone\n"},
		{Key: "timeline", Title: "Timeline", Change: SectionChanged, Fields: []string{"body"},
			Diff: "--- v1/timeline\n+++ v2/timeline\n@@ -1 +1,2 @@\n 10:00\n+10:05\n"},
		{Key: "new", Title: "New", Change: SectionAdded, Diff: "--- v1/new\n+++ v2/new\n@@ -0,0 +1 @@\n+hello\n"},
		{Key: "same", Title: "Same", Change: SectionUnchanged},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DiffSections =\n%#v\nwant\n%#v", got, want)
	}

	sum := SummarizeChanges(from, to)
	wantSum := ChangeSummary{Added: []string{"new"}, Removed: []string{"old"}, Changed: []string{"summary", "timeline"}}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Errorf("SummarizeChanges = %#v, want %#v", sum, wantSum)
	}
	if s := SummarizeChanges(to, to); !s.Empty() || s.Added == nil {
		t.Errorf("no change = %#v", s)
	}
}
