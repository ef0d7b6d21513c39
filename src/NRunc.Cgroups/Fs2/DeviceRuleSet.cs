using NRunc.Cgroups.Common;

namespace NRunc.Cgroups.Fs2;

/// <summary>
/// The state a cgroup v1 devices controller ends up in after the rules are written in order, which is what the
/// v2 eBPF filter must reproduce: a default (allow or deny) and exceptions keyed by type, major and minor.
/// "a" rules reset (default := allow/deny, exceptions cleared); a rule in the default's direction removes access
/// bits from the exception with the same key, the other direction adds them (the kernel's dev_exception_add/rm).
/// </summary>
public sealed class DeviceRuleSet
{
    public const int Mknod = 1, Read = 2, Write = 4, All = 7; // BPF_DEVCG_ACC_*

    public readonly record struct Exception(char Type, long Major, long Minor, int Access);

    public bool DefaultAllow { get; private set; } = true; // an empty cgroup allows everything
    readonly List<Exception> _exceptions = new();
    public IReadOnlyList<Exception> Exceptions => _exceptions;

    public static DeviceRuleSet From(IEnumerable<DeviceRule> rules)
    {
        var set = new DeviceRuleSet();
        foreach (var r in rules) set.Apply(r);
        return set;
    }

    public void Apply(DeviceRule r)
    {
        int access = AccessBits(r.Access);
        if (r.Type == 'a')
        {
            DefaultAllow = r.Allow;
            _exceptions.Clear();
            return;
        }
        int i = _exceptions.FindIndex(e => e.Type == r.Type && e.Major == r.Major && e.Minor == r.Minor);
        if (r.Allow != DefaultAllow)
        {
            if (i >= 0) _exceptions[i] = _exceptions[i] with { Access = _exceptions[i].Access | access };
            else _exceptions.Add(new Exception(r.Type, r.Major, r.Minor, access));
        }
        else if (i >= 0)
        {
            int left = _exceptions[i].Access & ~access;
            if (left == 0) _exceptions.RemoveAt(i);
            else _exceptions[i] = _exceptions[i] with { Access = left };
        }
    }

    public static int AccessBits(string access)
    {
        int bits = 0;
        foreach (var c in access)
            bits |= c switch { 'm' => Mknod, 'r' => Read, 'w' => Write, _ => throw new CgroupException($"invalid device access {CgroupFs.Quote(access)}") };
        return bits;
    }
}
