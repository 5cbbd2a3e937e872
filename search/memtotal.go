package search

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"strconv"
	"strings"
)

// machineMemory is the memory this process may use at most, in bytes: the
// machine's (MemTotal in /proc/meminfo), or less when the process's own
// cgroup — or one above it — has a memory limit (cgroup v2 memory.max,
// v1 memory.limit_in_bytes): a container, or a systemd service with
// MemoryMax=. 0 where the platform does not tell.
func machineMemory() int64 {
	total := int64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		total = memTotal(b)
	}
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		if l := cgroupLimit(b, os.ReadFile); l > 0 && (total == 0 || l < total) {
			total = l
		}
	}
	return total
}

// memTotal reads MemTotal from the text of /proc/meminfo ("MemTotal:
// 24555796 kB"); 0 when it is not there.
func memTotal(meminfo []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || kb <= 0 || kb > 1<<50 {
			return 0
		}
		return kb << 10
	}
	return 0
}

// cgroupLimit is the lowest memory limit on the way from the process's
// cgroups (the text of /proc/self/cgroup: "0::/system.slice/x.service"
// for v2, "4:memory:/docker/abc" for v1) up to the root of their
// hierarchy, read through read under /sys/fs/cgroup; 0 for none.
func cgroupLimit(self []byte, read func(string) ([]byte, error)) int64 {
	lowest := int64(0)
	note := func(file string) {
		if b, err := read(file); err == nil {
			if l := limitValue(b); l > 0 && (lowest == 0 || l < lowest) {
				lowest = l
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(self))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), ":", 3)
		if len(f) != 3 || !strings.HasPrefix(f[2], "/") {
			continue
		}
		var dir, file string
		switch {
		case f[0] == "0" && f[1] == "":
			dir, file = "/sys/fs/cgroup", "memory.max"
		case hasController(f[1], "memory"):
			dir, file = "/sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		for p := path.Clean(f[2]); ; p = path.Dir(p) {
			note(path.Join(dir, p, file))
			if p == "/" {
				break
			}
		}
	}
	return lowest
}

// hasController reports whether list (v1's "cpu,cpuacct") names c.
func hasController(list, c string) bool {
	for _, x := range strings.Split(list, ",") {
		if x == c {
			return true
		}
	}
	return false
}

// limitValue reads a cgroup memory limit file: bytes, or "max" (v2) or a
// huge number (v1) for none, which give 0.
func limitValue(b []byte) int64 {
	v := strings.TrimSpace(string(b))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n >= 1<<60 {
		return 0
	}
	return n
}
