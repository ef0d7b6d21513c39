namespace NRunc.Cgroups.Systemd;

/// <summary>One (name, variant) pair of a unit's properties, as StartTransientUnit and SetUnitProperties take them.</summary>
public readonly record struct UnitProperty(string Name, string Signature, object Value)
{
    public static UnitProperty Bool(string name, bool v) => new(name, "b", v);
    public static UnitProperty String(string name, string v) => new(name, "s", v);
    public static UnitProperty UInt64(string name, ulong v) => new(name, "t", v);
    public static UnitProperty Pids(params uint[] pids) => new("PIDs", "au", pids);
    public static UnitProperty Bytes(string name, byte[] v) => new(name, "ay", v);
    public static UnitProperty DeviceAllow((string Node, string Access)[] v) => new("DeviceAllow", "a(ss)", v);

    public override string ToString() => Value switch
    {
        uint[] a => $"{Name}=[{string.Join(' ', a)}]",
        byte[] b => $"{Name}=[{Convert.ToHexString(b)}]",
        (string Node, string Access)[] d => $"{Name}=[{string.Join(' ', d.Select(x => x.Node + " " + x.Access))}]",
        _ => $"{Name}={Value}",
    };
}
