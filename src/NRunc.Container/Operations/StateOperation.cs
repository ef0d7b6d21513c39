using NRunc.Container.State;
using NRunc.Spec;

namespace NRunc.Container.Operations;

/// <summary>`nrunc state ID`.</summary>
public static class StateOperation
{
    public static ContainerState Get(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        using var _ = store.Lock(id);
        var record = store.Load(id);
        return record.ToOciState(StatusProbe.Get(store, record));
    }

    /// <summary>Indented JSON (two spaces), no trailing newline: runc writes json.MarshalIndent's bytes as they are.</summary>
    public static byte[] ToJson(ContainerState state) => StateCodec.WriteOciState(state, indented: true);
}
