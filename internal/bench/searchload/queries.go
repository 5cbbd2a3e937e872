package main

import (
	"strings"
)

// queryText is the query set: what an incident commander types, over the
// corpus's vocabulary (the post-mortems' words and the timelines' hosts,
// error codes and services). %IP% is replaced by an address the
// timelines mention.
var queryText = []string{
	// single words
	"bgp", "dns", "certificate", "kubernetes", "ddos", "s3", "replication", "latency",
	"outage", "deadlock",
	// phrases
	`"leap second"`, `"connection pool"`, `"load balancer"`, `"power loss"`, `"memory leak"`,
	`"data center"`, `"packet loss"`, `"route leak"`, `"handshake timeout"`,
	// several words
	"database failover timeout", "dns resolution failure", "config change rollback",
	"expired certificate outage", "disk full database", "cascading failure retry storm",
	"rate limit api gateway", "bgp route leak", "HTTP 502 checkout", "us-east-1 power",
	// identifiers, hosts, addresses, error codes
	"ERR_CONN_RESET", "ECONNREFUSED", "CrashLoopBackOff", "ConnectionPoolTimeoutException",
	"db-3.prod.example.com", "%IP%",
	// typos
	"certficate", "kuberentes", "replicaton lag",
	// syntax
	"-aws config", "bgp OR dns",
}

// queries returns the first n of the query set (all when n <= 0 or more),
// with ip in place of %IP%.
func queries(n int, ip string) []string {
	out := make([]string, 0, len(queryText))
	for _, q := range queryText {
		out = append(out, strings.ReplaceAll(q, "%IP%", ip))
	}
	if n > 0 && n < len(out) {
		out = out[:n]
	}
	return out
}

// parsed is a query read the way the three other backends are given it:
// groups that must all match, each a set of alternatives (OR), and terms
// that must not match. It understands what websearch_to_tsquery does:
// words, "phrases", OR and -word.
type parsed struct {
	groups [][]string
	not    []string
}

// parse splits q into words and quoted phrases.
func parse(q string) parsed {
	var p parsed
	var tokens []string
	var negs []bool
	for i := 0; i < len(q); {
		for i < len(q) && q[i] == ' ' {
			i++
		}
		if i == len(q) {
			break
		}
		neg := false
		if q[i] == '-' && i+1 < len(q) && q[i+1] != ' ' {
			neg = true
			i++
		}
		var tok string
		if q[i] == '"' {
			end := strings.IndexByte(q[i+1:], '"')
			if end < 0 {
				tok, i = q[i+1:], len(q)
			} else {
				tok, i = q[i+1:i+1+end], i+end+2
			}
		} else {
			end := strings.IndexByte(q[i:], ' ')
			if end < 0 {
				end = len(q) - i
			}
			tok, i = q[i:i+end], i+end
		}
		if tok = strings.TrimSpace(tok); tok != "" {
			tokens = append(tokens, tok)
			negs = append(negs, neg)
		}
	}
	orNext := false
	for k, tok := range tokens {
		switch {
		case negs[k]:
			p.not = append(p.not, tok)
		case tok == "OR" && len(p.groups) > 0 && k+1 < len(tokens):
			orNext = true
		case orNext:
			last := len(p.groups) - 1
			p.groups[last] = append(p.groups[last], tok)
			orNext = false
		default:
			p.groups = append(p.groups, []string{tok})
		}
	}
	return p
}

// fts5Query writes q in SQLite FTS5's syntax: every word or phrase quoted
// (a bare "db-3.prod.example.com" or "us-east-1" is a syntax error in
// FTS5, a quoted one is the phrase of its tokens), alternatives in
// parentheses (FTS5's AND binds tighter than OR; ours and PostgreSQL's
// websearch read "a b OR c" as a AND (b OR c)), exclusions with NOT.
func fts5Query(q string) string {
	p := parse(q)
	var b strings.Builder
	for k, g := range p.groups {
		if k > 0 {
			b.WriteString(" AND ")
		}
		if len(g) > 1 {
			b.WriteByte('(')
		}
		for j, t := range g {
			if j > 0 {
				b.WriteString(" OR ")
			}
			b.WriteString(fts5String(t))
		}
		if len(g) > 1 {
			b.WriteByte(')')
		}
	}
	for _, t := range p.not {
		b.WriteString(" NOT ")
		b.WriteString(fts5String(t))
	}
	return b.String()
}

// fts5String quotes a term as an FTS5 string.
func fts5String(t string) string {
	return `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
}

// likePattern is '%term%' with LIKE's wildcards in the term escaped.
func likePattern(t string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(t) + "%"
}
