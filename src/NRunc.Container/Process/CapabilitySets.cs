using NRunc.Spec;

namespace NRunc.Container.Process;

/// <summary>
/// process.capabilities as bit masks. Like runc 1.1, names that are unknown or above the kernel's last capability are
/// ignored with a warning ("ignoring unknown or unavailable capabilities: [CAP_FOO]"), and a missing section means
/// no capabilities at all.
/// </summary>
public sealed class CapabilitySets
{
    public ulong Bounding { get; private init; }
    public ulong Effective { get; private init; }
    public ulong Permitted { get; private init; }
    public ulong Inheritable { get; private init; }
    public ulong Ambient { get; private init; }

    /// <summary>Names that were ignored, in first-seen order.</summary>
    public IReadOnlyList<string> Ignored { get; private init; } = [];

    /// <summary>runc's warning for <see cref="Ignored"/>, or null when nothing was ignored.</summary>
    public string? Warning => Ignored.Count == 0 ? null : $"ignoring unknown or unavailable capabilities: [{string.Join(' ', Ignored)}]";

    /// <summary>
    /// Ambient capabilities that can actually be raised: the kernel requires each to be permitted and inheritable.
    /// runc 1.1 ignores the failure of the others, so the plan raises only these.
    /// </summary>
    public ulong RaisableAmbient => Ambient & Permitted & Inheritable;

    public static CapabilitySets From(LinuxCapabilities? caps, int lastCap)
    {
        var ignored = new List<string>();
        ulong Mask(List<string>? names)
        {
            ulong m = 0;
            if (names is null) return 0;
            foreach (var n in names)
            {
                int bit = Capabilities.Parse(n);
                if (bit < 0 || bit > lastCap || bit > 63)
                {
                    if (!ignored.Contains(n)) ignored.Add(n);
                    continue;
                }
                m |= 1UL << bit;
            }
            return m;
        }
        return new CapabilitySets
        {
            Bounding = Mask(caps?.Bounding),
            Effective = Mask(caps?.Effective),
            Inheritable = Mask(caps?.Inheritable),
            Permitted = Mask(caps?.Permitted),
            Ambient = Mask(caps?.Ambient),
            Ignored = ignored,
        };
    }

    /// <summary>
    /// The capset(2) argument: struct __user_cap_header_struct { u32 version = _LINUX_CAPABILITY_VERSION_3; int pid = 0; }
    /// followed by two struct __user_cap_data_struct { u32 effective, permitted, inheritable; } (bits 0-31, then 32-63).
    /// </summary>
    public byte[] CapsetData()
    {
        var b = new byte[8 + 24];
        var s = b.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s, NRunc.Native.Libc.LINUX_CAPABILITY_VERSION_3);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(s[4..], 0);
        for (int word = 0; word < 2; word++)
        {
            int at = 8 + word * 12;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[at..], (uint)(Effective >> (32 * word)));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 4)..], (uint)(Permitted >> (32 * word)));
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(s[(at + 8)..], (uint)(Inheritable >> (32 * word)));
        }
        return b;
    }
}
