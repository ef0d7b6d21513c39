namespace NRunc.Shim.Ttrpc;

/// <summary>gRPC status codes ttrpc answers with (containerd maps them to its errdefs).</summary>
public enum Code
{
    OK = 0, Canceled = 1, Unknown = 2, InvalidArgument = 3, DeadlineExceeded = 4, NotFound = 5, AlreadyExists = 6,
    FailedPrecondition = 9, ResourceExhausted = 8, Unimplemented = 12, Internal = 13, Unavailable = 14,
}

/// <summary>A handler's failure with the status code to send back.</summary>
public sealed class RpcException(Code code, string message) : Exception(message)
{
    public Code Code { get; } = code;
}
