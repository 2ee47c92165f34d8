"""What the benchmarks read about a running process from /proc."""
import os


def peak_rss_mib(pid):
    """Peak resident set size (VmHWM) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    """User + system CPU time so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu():
    """(busy, total) jiffies of all CPUs so far; compare two readings."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def busy_fraction(before, after):
    """Share of the machine's CPU time that was busy between two readings."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total else float("nan")
