using System.Text.Json.Nodes;
using Xunit;

namespace NRunc.Tests.Rootfs;

/// <summary>Real mounts: Prepare/Pivot/Finish on busybox bundles, checked from inside the container.</summary>
[Collection("rootfs-driver")]
public class RootfsDriverTests(DriverFixture f)
{
    static JsonArray Mounts(JsonObject c) => c["mounts"]!.AsArray();

    static void AddTo(JsonArray a, JsonNode n) => a.Add(n);

    static void Has(string output, string pattern) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, pattern), $"/{pattern}/ not found in:\n{output}");

    static JsonObject BindMount(string src, string dst, params string[] opts)
    {
        var o = new JsonArray();
        foreach (var x in opts) o.Add((JsonNode?)JsonValue.Create(x));
        return new JsonObject { ["destination"] = dst, ["type"] = "bind", ["source"] = src, ["options"] = o };
    }

    [Fact]
    public void DefaultSpecMountsDevicesAndProtections()
    {
        var b = f.NewBundle();
        var (code, o, e) = f.Sh(b, """
            cat /proc/self/mountinfo
            for d in null zero full random urandom tty; do stat -c 'DEV %n %F %t:%T %a %u:%g' /dev/$d; done
            for l in fd stdin stdout stderr ptmx; do echo "LINK $l $(readlink /dev/$l)"; done
            touch /newfile 2>/dev/null && echo ROOT-WRITABLE
            echo x 2>/dev/null > /proc/sys/kernel/domainname && echo PROCSYS-WRITABLE
            touch /proc/acpi/x 2>/dev/null && echo ACPI-WRITABLE
            echo "ACPI [$(ls -A /proc/acpi)]"
            echo "KEYS [$(cat /proc/keys)]"
            echo "FIRMWARE [$(ls -A /sys/firmware)]"
            touch /sys/x 2>/dev/null && echo SYS-WRITABLE
            touch /dev/shm/ok && echo SHM-OK
            ls /sys/fs/cgroup/memory/cgroup.procs >/dev/null && echo CGROUP-OK
            touch /sys/fs/cgroup/x 2>/dev/null && echo CGROUP-WRITABLE
            true
            """);
        Assert.True(code == 0, o + e);
        Has(o, @" /proc rw,.* - proc proc ");
        Has(o, @" /dev rw,nosuid.* - tmpfs tmpfs .*size=65536k");
        Has(o, @" /dev/pts .* - devpts devpts .*gid=5,mode=620,ptmxmode=666");
        Has(o, @" /dev/shm rw,nosuid,nodev,noexec.* - tmpfs shm ");
        Has(o, @" /dev/mqueue .* - mqueue mqueue ");
        Has(o, @" /sys ro,nosuid,nodev,noexec.* - sysfs sysfs ");
        Has(o, @" /sys/fs/cgroup ro,.* - tmpfs tmpfs ");
        Has(o, @" /sys/fs/cgroup/memory ro,nosuid,nodev,noexec.* - cgroup cgroup ");
        Has(o, @"\d+ \d+ \S+ \S+ / ro,");
        Assert.Contains("DEV /dev/null character special file 1:3 666 0:0", o);
        Assert.Contains("DEV /dev/zero character special file 1:5 666 0:0", o);
        Assert.Contains("DEV /dev/full character special file 1:7 666 0:0", o);
        Assert.Contains("DEV /dev/random character special file 1:8 666 0:0", o);
        Assert.Contains("DEV /dev/urandom character special file 1:9 666 0:0", o);
        Assert.Contains("DEV /dev/tty character special file 5:0 666 0:0", o);
        Assert.Contains("LINK fd /proc/self/fd", o);
        Assert.Contains("LINK stdin /proc/self/fd/0", o);
        Assert.Contains("LINK stderr /proc/self/fd/2", o);
        Assert.Contains("LINK ptmx pts/ptmx", o);
        Assert.DoesNotContain("WRITABLE", o);
        Assert.Contains("ACPI []", o);
        Assert.Contains("KEYS []", o);
        Assert.Contains("FIRMWARE []", o);
        Assert.Contains("SHM-OK", o);
        Assert.Contains("CGROUP-OK", o);
        Assert.False(File.Exists(Path.Combine(b, "rootfs", "newfile")));
    }

    [Fact]
    public void SymlinkedDestinationsStayInsideTheRootfs()
    {
        var outside = Path.Combine(f.Work, "outside-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(outside);
        var src = Path.Combine(f.Work, "src-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "marker"), "m");
        var b = f.NewBundle(c =>
        {
            AddTo(Mounts(c), new JsonObject { ["destination"] = "/toetc/nrunc-escape", ["type"] = "tmpfs", ["source"] = "tmpfs" });
            AddTo(Mounts(c), BindMount(src, "/up/escape-bind", "bind"));
            AddTo(Mounts(c), BindMount(src, "/toetc", "rbind", "ro"));
            AddTo(Mounts(c), BindMount(src, "/abs/sub", "bind"));
        }, r =>
        {
            File.CreateSymbolicLink(Path.Combine(r, "toetc"), "/etc");
            File.CreateSymbolicLink(Path.Combine(r, "up"), "../../../../../../../.." + outside);
            File.CreateSymbolicLink(Path.Combine(r, "abs"), outside);
        });
        var (code, o, e) = f.Sh(b, "cat /proc/self/mountinfo; ls /etc; ls " + outside + "/escape-bind");
        Assert.True(code == 0, o + e);
        Assert.Contains(" /etc/nrunc-escape ", o);
        Assert.Contains(" " + outside + "/escape-bind ", o);
        Assert.Contains(" " + outside + "/sub ", o);
        Has(o, @" /etc ro,");
        Assert.Contains("marker", o);
        Assert.False(Directory.Exists("/etc/nrunc-escape"));
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.True(Directory.Exists(Path.Combine(b, "rootfs", "etc", "nrunc-escape")));
    }

    [Fact]
    public void PlantedDevNullIsRefusedForMaskedFiles()
    {
        var fakeDev = Path.Combine(f.Work, "fakedev-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(fakeDev);
        File.WriteAllText(Path.Combine(fakeDev, "null"), "not a device");
        var b = f.NewBundle(c =>
        {
            var m = Mounts(c);
            m.RemoveAt(1); m.RemoveAt(1); m.RemoveAt(1); m.RemoveAt(1); // /dev, /dev/pts, /dev/shm, /dev/mqueue
            m.Insert(1, BindMount(fakeDev, "/dev", "rbind"));
            c["linux"]!["maskedPaths"] = new JsonArray("/etc/hostname");
        });
        var (code, _, e) = f.Sh(b, "cat /etc/hostname");
        Assert.Equal(2, code);
        Assert.Contains("/dev/null is not the null device", e);

        // The same with a symlink to a host-sensitive file.
        File.Delete(Path.Combine(fakeDev, "null"));
        File.CreateSymbolicLink(Path.Combine(fakeDev, "null"), "/etc/hostname");
        (code, _, e) = f.Sh(b, "cat /etc/hostname");
        Assert.Equal(2, code);
        Assert.Contains("/dev/null is not the null device", e);
    }

    [Fact]
    public void MasksAFileWithTheRealNullDevice()
    {
        var b = f.NewBundle(c => c["linux"]!["maskedPaths"] = new JsonArray("/etc/hostname", "/etc/missing"));
        var (code, o, e) = f.Sh(b, "echo \"[$(cat /etc/hostname)]\"; echo x > /etc/hostname && echo WROTE");
        Assert.True(code == 0, o + e);
        Assert.Contains("[]", o);
        Assert.Equal("rootfs-test\n", File.ReadAllText(Path.Combine(b, "rootfs", "etc", "hostname")));
    }

    [Theory]
    [InlineData("/proc/self", "inside /proc")]
    [InlineData("/proc", "not of type proc")]
    public void MountsOverProcAreRejected(string dest, string why)
    {
        var b = f.NewBundle(c => AddTo(Mounts(c), BindMount("/tmp", dest, "bind")));
        var (code, _, e) = f.Sh(b, "true");
        Assert.Equal(2, code);
        Assert.Contains($"error mounting \"/tmp\" to rootfs at \"{dest}\"", e);
        Assert.Contains(why, e);
    }

    [Fact]
    public void NoPivotMovesTheRoot()
    {
        var b = f.NewBundle();
        var (code, o, e) = f.Sh(b, "cat /proc/self/mountinfo; cat /etc/hostname; ls /", "--no-pivot");
        Assert.True(code == 0, o + e);
        Assert.Contains("rootfs-test", o);
        Assert.Contains(" /proc ", o);
        Assert.DoesNotContain(" /sys/fs/cgroup/unified", o.Replace(" /sys/fs/cgroup/unified ro", "")); // host cgroups not shown as extra
    }

    [Fact]
    public void BindMountOptions()
    {
        var src = Path.Combine(f.Work, "bindsrc-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "file"), "data\n");
        var b = f.NewBundle(c =>
        {
            c["root"]!["readonly"] = false;
            AddTo(Mounts(c), BindMount(Path.Combine(src, "file"), "/etc/bound-file", "bind", "ro", "nosuid", "nodev", "noexec"));
            AddTo(Mounts(c), BindMount(src, "/data", "rbind", "rro", "rnosuid"));
            AddTo(Mounts(c), BindMount(src, "/data-rw", "bind", "rw", "private"));
            AddTo(Mounts(c), new JsonObject { ["destination"] = "/tmp", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("noatime", "size=1m", "mode=1777") });
        });
        var (code, o, e) = f.Sh(b, """
            cat /proc/self/mountinfo
            cat /etc/bound-file
            echo x > /etc/bound-file 2>/dev/null && echo FILE-WRITABLE
            touch /data/x 2>/dev/null && echo DATA-WRITABLE
            touch /data-rw/y && echo DATARW-OK
            stat -c 'TMP %a' /tmp
            touch /rootfs-rw && echo ROOT-RW-OK
            """);
        Assert.True(code == 0, o + e);
        Has(o, @" /etc/bound-file ro,nosuid,nodev,noexec");
        Has(o, @" /data ro,nosuid");
        Has(o, @" /data-rw rw");
        Has(o, @" /tmp rw,noatime - tmpfs tmpfs rw,size=1024k");
        Assert.Contains("data\n", o);
        Assert.DoesNotContain("WRITABLE", o);
        Assert.Contains("DATARW-OK", o);
        Assert.Contains("TMP 1777", o);
        Assert.Contains("ROOT-RW-OK", o);
        Assert.True(File.Exists(Path.Combine(src, "y")));
        Assert.False(File.Exists(Path.Combine(src, "x")));
    }

    [Fact]
    public void SpecDevicesAreCreated()
    {
        var b = f.NewBundle(c => c["linux"]!["devices"] = JsonNode.Parse("""
            [ { "path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 384, "uid": 1000, "gid": 1001 },
              { "path": "/dev/loopx", "type": "b", "major": 7, "minor": 0, "fileMode": 432 },
              { "path": "/dev/sub/fifo", "type": "p", "fileMode": 420 },
              { "path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438, "uid": 5, "gid": 6 } ]
            """));
        var (code, o, e) = f.Sh(b, "stat -c '%n %F %t:%T %a %u:%g' /dev/mynull /dev/loopx /dev/sub/fifo /dev/null /dev/zero");
        Assert.True(code == 0, o + e);
        Assert.Contains("/dev/mynull character special file 1:3 600 1000:1001", o);
        Assert.Contains("/dev/loopx block special file 7:0 660 0:0", o);
        Assert.Contains("/dev/sub/fifo fifo 0:0 644 0:0", o);
        Assert.Contains("/dev/null character special file 1:3 666 5:6", o);
        Assert.Contains("/dev/zero character special file 1:5 666 0:0", o);
    }

    [Fact]
    public void UserNamespaceModeBindsHostDevices()
    {
        var b = f.NewBundle();
        var (code, o, e) = f.Sh(b, "cat /proc/self/mountinfo; stat -c '%n %t:%T' /dev/null /dev/tty", "--userns");
        Assert.True(code == 0, o + e);
        Assert.Contains(" /dev/null ", o);
        Assert.Contains(" /dev/tty ", o);
        Assert.Contains("/dev/null 1:3", o);
    }

    [Fact]
    public void ConsolePlaceholderWithTerminal()
    {
        var b = f.NewBundle();
        var (code, o, e) = f.Sh(b, "stat -c '%n %F %s' /dev/console", "--terminal");
        Assert.True(code == 0, o + e);
        Assert.Contains("/dev/console regular empty file 0", o);
    }

    [Fact]
    public void TmpCopyUpAndOverlay()
    {
        var ov = Path.Combine(f.Work, "ov-" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var d in new[] { "lower", "upper", "work" }) Directory.CreateDirectory(Path.Combine(ov, d));
        File.WriteAllText(Path.Combine(ov, "lower", "l"), "lower\n");
        var b = f.NewBundle(c =>
        {
            AddTo(Mounts(c), new JsonObject { ["destination"] = "/etc", ["type"] = "tmpfs", ["source"] = "tmpfs", ["options"] = new JsonArray("tmpcopyup", "mode=755") });
            AddTo(Mounts(c), new JsonObject
            {
                ["destination"] = "/ov", ["type"] = "overlay", ["source"] = "overlay",
                ["options"] = new JsonArray($"lowerdir={ov}/lower", $"upperdir={ov}/upper", $"workdir={ov}/work"),
            });
        });
        var (code, o, e) = f.Sh(b, "cat /etc/hostname; echo changed > /etc/hostname; cat /ov/l; echo u > /ov/new; grep -c ' /etc .* tmpfs' /proc/self/mountinfo");
        Assert.True(code == 0, o + e);
        Assert.Contains("rootfs-test", o);
        Assert.Contains("lower", o);
        Assert.Equal("rootfs-test\n", File.ReadAllText(Path.Combine(b, "rootfs", "etc", "hostname")));
        Assert.Equal("u\n", File.ReadAllText(Path.Combine(ov, "upper", "new")));
    }

    [Fact]
    public void IdMappedBindMount()
    {
        var src = Path.Combine(f.Work, "idsrc-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "x");
        var b = f.NewBundle(c =>
        {
            var m = BindMount(src, "/mapped", "rbind");
            m["uidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 1000, "size": 1}]""");
            m["gidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 2000, "size": 1}]""");
            AddTo(Mounts(c), m);
        });
        var (code, o, e) = f.Sh(b, "stat -c 'OWN %u:%g' /mapped/f; grep ' /mapped ' /proc/self/mountinfo");
        Assert.True(code == 0, o + e);
        Assert.Contains("OWN 1000:2000", o);
        Assert.Contains("idmapped", o);
    }

    [Fact]
    public void RootfsPropagationIsApplied()
    {
        var b = f.NewBundle(c => c["linux"]!["rootfsPropagation"] = "rshared");
        var (code, o, e) = f.Sh(b, "grep -E '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ' /proc/self/mountinfo");
        Assert.True(code == 0, o + e);
        Assert.Contains("shared:", o);
    }

    [Fact]
    public void BadMountSourceNamesTheMount()
    {
        var b = f.NewBundle(c => AddTo(Mounts(c), BindMount("/nonexistent-nrunc-src", "/x", "bind")));
        var (code, _, e) = f.Sh(b, "true");
        Assert.Equal(2, code);
        Assert.Contains("error mounting \"/nonexistent-nrunc-src\" to rootfs at \"/x\": open /nonexistent-nrunc-src: no such file or directory", e);
    }
}
