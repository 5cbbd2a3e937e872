package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgCluster is a throwaway PostgreSQL cluster for the benchmark, started
// the way internal/pgtest starts one for the tests (which only hands its
// cluster to a testing.TB): from the newest /usr/lib/postgresql/*/bin, as
// the postgres user when we are root, durability off. It is stopped when
// stdin of its supervisor closes, which also happens when this process
// dies, and its directory is removed then.
type pgCluster struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   bytes.Buffer
	done  chan struct{}
}

// supervise runs postgres and stops it (fast shutdown) when stdin reaches
// end of file, then removes the cluster's directory.
const supervise = `
exec 3<&0 </dev/null
base="$1"; shift
"$@" >/dev/null 2>&1 &
pid=$!
( read -r _ <&3; kill -INT "$pid" ) >/dev/null 2>&1 &
wait "$pid"
st=$?
rm -rf "$base"
exit "$st"
`

// startPG starts a cluster tuned like a modest dedicated server: enough
// shared buffers and work memory that PostgreSQL is not starved.
func startPG(ctx context.Context) (*pgCluster, error) {
	bin, err := pgBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := pgCredential()
	if err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp("", "hindsight-searchload-pg-")
	if err != nil {
		return nil, err
	}
	data, sock := filepath.Join(base, "data"), filepath.Join(base, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	if cred != nil {
		for _, p := range []string{base, sock} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				os.RemoveAll(base)
				return nil, err
			}
		}
	}
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
		"--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions")
	initdb.Dir = base
	initdb.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(base)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()

	c := &pgCluster{url: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port), done: make(chan struct{})}
	c.cmd = exec.Command("/bin/sh", "-c", supervise, "searchload-pg", base,
		filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", sock, "-h", "127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "shared_buffers=512MB", "-c", "work_mem=64MB", "-c", "maintenance_work_mem=512MB",
		"-c", "max_wal_size=4GB", "-c", "effective_cache_size=4GB")
	c.cmd.Dir = base
	c.cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		os.RemoveAll(base)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.done)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, c.url)
		if err == nil {
			conn.Close(ctx)
			return c, nil
		}
		select {
		case <-c.done:
			return nil, fmt.Errorf("postgres exited during start-up: %w\n%s", err, c.out.String())
		default:
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("postgres did not accept connections in 30s: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the cluster down and waits for it.
func (c *pgCluster) stop() {
	_ = c.stdin.Close()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
}

// pgBinaries returns the directory of the newest installed PostgreSQL.
func pgBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) float64 {
		v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64)
		return v
	}
	sort.Slice(dirs, func(i, j int) bool { return major(dirs[i]) > major(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL binaries in /usr/lib/postgresql/*/bin (or pass -database-url)")
}

// pgCredential is whom to run PostgreSQL as: this user, or the postgres
// user when we are root (postgres refuses to run as root).
func pgCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and no postgres user to run PostgreSQL as: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("postgres user has ids %q/%q", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}
