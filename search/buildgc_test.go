package search

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestRaiseGC: a build raises the collector's target and sets a soft
// memory limit only when the process has none; concurrent builds share
// the raise, and the last to end puts both back. An operator's higher
// target and own limit are kept.
func TestRaiseGC(t *testing.T) {
	// Not parallel: the collector's settings are the process's.
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	percent := func() int { p := debug.SetGCPercent(0); debug.SetGCPercent(p); return p }
	limit := func() int64 { return debug.SetMemoryLimit(-1) }

	r1 := raiseGC()
	if percent() != buildGCPercent || limit() < buildMemoryLimit(machineMemory()) || limit() == math.MaxInt64 {
		t.Fatalf("during a build: GOGC %d, limit %d", percent(), limit())
	}
	r2 := raiseGC()
	gcs := func() uint32 { var m runtime.MemStats; runtime.ReadMemStats(&m); return m.NumGC }
	r1()
	r1() // a second call does nothing
	if percent() != buildGCPercent || limit() == math.MaxInt64 {
		t.Fatalf("one build ended, one runs: GOGC %d, limit %d", percent(), limit())
	}
	before := gcs()
	r2()
	if percent() != 100 || limit() != math.MaxInt64 {
		t.Fatalf("after the builds: GOGC %d, limit %d; want 100 and none", percent(), limit())
	}
	if gcs() == before {
		t.Error("the last build's end collected no garbage")
	}

	// An operator's choice stands.
	debug.SetGCPercent(800)
	debug.SetMemoryLimit(1 << 30)
	r := raiseGC()
	if percent() != 800 || limit() != 1<<30 {
		t.Fatalf("with GOGC=800 GOMEMLIMIT=1GiB a build set GOGC %d, limit %d", percent(), limit())
	}
	r()
	if percent() != 800 || limit() != 1<<30 {
		t.Fatalf("after it: GOGC %d, limit %d", percent(), limit())
	}
	debug.SetGCPercent(-1) // collector off: left off
	r = raiseGC()
	if percent() != -1 {
		t.Fatalf("with the collector off a build set GOGC %d", percent())
	}
	r()
}

// TestBuildMemoryLimit_OfMachine: an eighth of the machine's memory, within 512 MB
// and 1 GB, and at most half of it; unknown memory gets 512 MB.
func TestBuildMemoryLimit_OfMachine(t *testing.T) {
	for _, c := range []struct{ total, want int64 }{
		{0, 512 << 20},
		{512 << 20, 256 << 20},
		{1 << 30, 512 << 20},
		{2 << 30, 512 << 20},
		{6 << 30, 768 << 20},
		{8 << 30, 1 << 30},
		{64 << 30, 1 << 30},
	} {
		if got := buildMemoryLimit(c.total); got != c.want {
			t.Errorf("buildMemoryLimit(%d) = %d, want %d", c.total, got, c.want)
		}
	}
}

// TestMachineMemory_Files: MemTotal and the cgroup limits are read as the
// kernel writes them, from the process's own cgroup up to the root, v2
// and v1; what is not a size gives nothing.
func TestMachineMemory_Files(t *testing.T) {
	meminfo := "MemTotal:       24555796 kB\nMemFree:        21000000 kB\n"
	if got := memTotal([]byte(meminfo)); got != 24555796<<10 {
		t.Errorf("memTotal = %d", got)
	}
	for _, bad := range []string{"", "MemFree: 1 kB\n", "MemTotal: x kB\n", "MemTotal: 12 MB\n", "MemTotal: -5 kB\n"} {
		if got := memTotal([]byte(bad)); got != 0 {
			t.Errorf("memTotal(%q) = %d, want 0", bad, got)
		}
	}
	files := map[string]string{
		// v2: a systemd service with MemoryMax= below an unlimited slice.
		"/sys/fs/cgroup/memory.max":                         "max\n",
		"/sys/fs/cgroup/system.slice/memory.max":            "max\n",
		"/sys/fs/cgroup/system.slice/hs.service/memory.max": "1073741824\n",
		// v1: a limit on the parent of the process's group.
		"/sys/fs/cgroup/memory/memory.limit_in_bytes":            "9223372036854771712\n",
		"/sys/fs/cgroup/memory/docker/memory.limit_in_bytes":     "2147483648\n",
		"/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "9223372036854771712\n",
	}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	for _, c := range []struct {
		name, self string
		want       int64
	}{
		{"v2 service", "0::/system.slice/hs.service\n", 1 << 30},
		{"v2 namespace root", "0::/\n", 0},
		{"v1 parent", "9:name=systemd:/\n4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n", 2 << 30},
		{"v1 with memory among others", "4:cpuset,memory:/docker/abc\n", 2 << 30},
		{"no memory controller", "8:pids:/\n", 0},
		{"garbage", "nonsense\n::\n1:memory:relative\n", 0},
	} {
		if got := cgroupLimit([]byte(c.self), read); got != c.want {
			t.Errorf("%s: cgroupLimit = %d, want %d", c.name, got, c.want)
		}
	}
	for in, want := range map[string]int64{"2147483648\n": 2 << 30, "max\n": 0, "9223372036854771712\n": 0, "": 0, "-1": 0} {
		if got := limitValue([]byte(in)); got != want {
			t.Errorf("limitValue(%q) = %d, want %d", in, got, want)
		}
	}
}
