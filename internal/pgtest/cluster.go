package pgtest

import (
	"bytes"
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
	"strings"
	"sync"
	"syscall"
	"time"
)

// cluster is a throwaway PostgreSQL cluster owned by this test process.
type cluster struct {
	url   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *syncBuffer
	done  chan struct{}
	once  sync.Once
}

// supervise runs postgres in the background and stops it (fast shutdown)
// when its stdin reaches end of file, which happens when Stop closes it and
// also when the test process dies without cleaning up (a timeout panic, a
// kill). It then removes the cluster's directory.
const supervise = `
exec 3<&0 </dev/null
base="$1"; shift
"$@" 2>&1 &
pid=$!
( read -r _ <&3; kill -INT "$pid" ) >/dev/null 2>&1 &
wait "$pid"
st=$?
rm -rf "$base"
exit "$st"
`

func startCluster(settings ...string) (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		c, err := tryStart(bin, settings)
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func tryStart(bin string, settings []string) (*cluster, error) {
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp("", "hindsight-pgtest-")
	if err != nil {
		return nil, err
	}
	data, sock := filepath.Join(base, "data"), filepath.Join(base, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
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

	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres",
		"--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions")
	initdb.Dir = base
	initdb.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(base)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}

	port, err := freePort()
	if err != nil {
		os.RemoveAll(base)
		return nil, err
	}
	c := &cluster{
		url:  fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port),
		out:  &syncBuffer{},
		done: make(chan struct{}),
	}
	args := []string{"-c", supervise, "pgtest", base,
		filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", sock,
		"-h", "127.0.0.1", "-F",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "listen_addresses=127.0.0.1"}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	c.cmd = exec.Command("/bin/sh", args...)
	c.cmd.Dir = base
	c.cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C", "LC_ALL=C"}
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
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
	// Fail fast when postgres dies at once (a port taken in the meantime).
	select {
	case <-c.done:
		return nil, fmt.Errorf("postgres exited at once:\n%s", c.out.String())
	case <-time.After(100 * time.Millisecond):
	}
	return c, nil
}

func (c *cluster) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *cluster) log() string { return c.out.String() }

// stop shuts postgres down and waits for it; it is safe to call twice.
func (c *cluster) stop() {
	c.once.Do(func() {
		_ = c.stdin.Close()
		select {
		case <-c.done:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
			<-c.done
		}
	})
}

// findBinaries returns the directory of the newest installed PostgreSQL.
func findBinaries() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) > pgMajor(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "postgres")) && isExec(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("postgres"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL binaries (postgres, initdb) in /usr/lib/postgresql/*/bin or PATH")
}

func pgMajor(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// credential returns whom to run PostgreSQL as: nil (this user) when not
// root, else the postgres user (or nobody), since postgres refuses root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, errors.New("running as root and neither a postgres nor a nobody user exists to run PostgreSQL as")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects the server's output for error messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b.Len() > 1<<20 { // keep the start-up story, drop chatter
		return len(p), nil
	}
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.b.String())
}
