package search

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
)

// machineMemory is the memory this process may use at most, in bytes: the
// machine's (MemTotal in /proc/meminfo), or its container's limit when
// lower (cgroup v2 memory.max, or v1 memory.limit_in_bytes). 0 where the
// platform does not tell.
func machineMemory() int64 {
	total := int64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		total = memTotal(b)
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		if b, err := os.ReadFile(f); err == nil {
			if l := cgroupLimit(b); l > 0 && (total == 0 || l < total) {
				total = l
			}
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

// cgroupLimit reads a cgroup memory limit file: bytes, or "max" (v2) or a
// huge number (v1) for none, which give 0.
func cgroupLimit(b []byte) int64 {
	v := strings.TrimSpace(string(b))
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n >= 1<<60 {
		return 0
	}
	return n
}
