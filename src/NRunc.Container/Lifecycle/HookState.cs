using NRunc.Container.State;
using NRunc.Spec;

namespace NRunc.Container.Lifecycle;

/// <summary>The state JSON hooks read on stdin (runtime.md "State"), written with the spec's fast writer.</summary>
internal static class HookState
{
    public static byte[] ToUtf8(string id, string status, int pid, string bundle, Dictionary<string, string>? annotations) =>
        SpecWriter.OciStateToUtf8(new OciState { Id = id, Status = status, Pid = pid, Bundle = bundle, Annotations = annotations });

    public static byte[] ToUtf8(ContainerRecord r, State.ContainerStatus status) =>
        ToUtf8(r.Id, status.Name(), status == State.ContainerStatus.Stopped ? 0 : r.InitPid, r.Bundle, r.Annotations);
}
