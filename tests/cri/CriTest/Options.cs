namespace NRunc.Tests.Cri;

/// <summary>Command line of critest (see Usage).</summary>
public sealed class Options
{
    public const string Usage = """
        usage: critest [scenarios] --socket SOCK --handler NAME --image REF --cgroup-root /PATH --work DIR
                       [--sandbox-image REF] [--runtime-root DIR] [--cni] [--only SUBSTRING]
               critest bench --socket SOCK --handlers A,B,... --image REF --cgroup-root /PATH --work DIR [--rounds N]
               critest cleanup --socket SOCK
          scenarios   run every CRI scenario with runtime handler NAME and print TAP
          bench       pod start times, handlers interleaved in one run (medians, as TAP comments)
          cleanup     stop and remove every pod labelled nrunc-cri=1
          --socket        containerd's gRPC socket (CRI runtime.v1)
          --image         workload image (busybox) already imported into namespace k8s.io
          --sandbox-image the configured sandbox (pause) image, waited for like --image
          --cgroup-root   cgroupfs parent for every pod (a kubepods-like tree the caller removes)
          --work          directory for pod logs and seccomp profiles
          --runtime-root  the handler's runtime --root (its state dirs are checked after RemovePodSandbox)
          --cni           pods may use POD networking (a CNI bridge is configured)
        """;

    public string Mode { get; private set; } = "scenarios";
    public string Socket { get; private set; } = "";
    public string Handler { get; private set; } = "";
    public string[] Handlers { get; private set; } = [];
    public string Image { get; private set; } = "";
    public string? SandboxImage { get; private set; }
    public string CgroupRoot { get; private set; } = "";
    public string Work { get; private set; } = "";
    public string? RuntimeRoot { get; private set; }
    public bool Cni { get; private set; }
    public string? Only { get; private set; }
    public int Rounds { get; private set; } = 5;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        int i = 0;
        if (args.Length > 0 && !args[0].StartsWith('-'))
            o.Mode = args[i++];
        if (o.Mode is not ("scenarios" or "bench" or "cleanup"))
            throw new ArgumentException($"unknown mode '{o.Mode}'");
        for (; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--socket": o.Socket = Value(); break;
                case "--handler": o.Handler = Value(); break;
                case "--handlers": o.Handlers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--image": o.Image = Value(); break;
                case "--sandbox-image": o.SandboxImage = Value(); break;
                case "--cgroup-root": o.CgroupRoot = Value().TrimEnd('/'); break;
                case "--work": o.Work = Value(); break;
                case "--runtime-root": o.RuntimeRoot = Value(); break;
                case "--cni": o.Cni = true; break;
                case "--only": o.Only = Value(); break;
                case "--rounds": o.Rounds = int.Parse(Value()); break;
                default: throw new ArgumentException($"unknown flag '{args[i]}'");
            }
        }
        if (o.Mode == "cleanup")
            return o.Socket != "" ? o : throw new ArgumentException("cleanup needs --socket");
        if (o.Socket == "" || o.Image == "" || o.Work == "" || !o.CgroupRoot.StartsWith('/'))
            throw new ArgumentException("--socket, --image, --work and an absolute --cgroup-root are required");
        if (o.Mode == "bench" && o.Handlers.Length == 0)
            throw new ArgumentException("bench needs --handlers");
        return o;
    }
}
