// Command testsum reads `go test -json` on stdin and prints what a person
// wants to see: each package's result, the output of failed tests, skipped
// tests with their reason, how many tests ran against PostgreSQL, and a
// closing "N passed, N failed, N skipped" line. It exits 1 when anything
// failed, including builds.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() { os.Exit(summarize(os.Stdin, os.Stdout)) }

func summarize(in io.Reader, out io.Writer) int {
	outputs := map[string][]string{} // package/test → output lines
	var failed, skipped []string
	passed, postgres := 0, 0
	pkgFailed := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			fmt.Fprintln(out, string(line)) // build errors and other plain text
			continue
		}
		id := e.Package + " " + e.Test
		switch e.Action {
		case "output", "build-output":
			outputs[id] = append(outputs[id], e.Output)
		case "pass":
			if e.Test == "" {
				fmt.Fprintf(out, "ok   %s (%.1fs)\n", e.Package, e.Elapsed)
				continue
			}
			passed++
			if strings.HasSuffix(e.Test, "/postgres") || strings.Contains(e.Test, "/postgres/") {
				postgres++
			}
			delete(outputs, id)
		case "skip":
			if e.Test == "" {
				fmt.Fprintf(out, "?    %s (no tests)\n", e.Package)
				continue
			}
			skipped = append(skipped, id+": "+reason(outputs[id]))
			delete(outputs, id)
		case "fail", "build-fail":
			if e.Test == "" {
				pkgFailed = true
				fmt.Fprintf(out, "FAIL %s\n", e.Package)
				for _, l := range outputs[id] {
					fmt.Fprint(out, "     ", l)
				}
				continue
			}
			failed = append(failed, id)
			fmt.Fprintf(out, "--- FAIL: %s %s\n", e.Package, e.Test)
			for _, l := range outputs[id] {
				fmt.Fprint(out, "     ", l)
			}
		}
	}
	sort.Strings(skipped)
	for _, s := range skipped {
		fmt.Fprintln(out, "SKIP", s)
	}
	fmt.Fprintf(out, "PostgreSQL: %d tests passed against a real PostgreSQL server\n", postgres)
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, len(failed), len(skipped))
	if len(failed) > 0 || pkgFailed {
		return 1
	}
	return 0
}

// reason is the last line a skipped test printed (its t.Skip message).
func reason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if l != "" && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "===") {
			return l
		}
	}
	return "no reason given"
}
