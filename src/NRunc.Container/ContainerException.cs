namespace NRunc.Container;

/// <summary>A user-facing failure of a container operation; the message is printed as is (runc style).</summary>
public class ContainerException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The id names no container (engines match on "does not exist").</summary>
public sealed class ContainerNotFoundException(string id) : ContainerException($"container \"{id}\" does not exist");
