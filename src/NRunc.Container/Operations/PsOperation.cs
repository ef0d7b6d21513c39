using System.Diagnostics;
using System.Globalization;
using System.Text;
using NRunc.Container.State;

namespace NRunc.Container.Operations;

/// <summary>`nrunc ps [--format table|json] ID [ps options]`.</summary>
public static class PsOperation
{
    /// <summary>Host pids in the container's cgroup (without one, rootless: the processes in init's pid namespace).</summary>
    public static IReadOnlyList<int> Pids(StateStore store, string id)
    {
        StateStore.ValidateId(id);
        using var _ = store.Lock(id);
        var record = store.Load(id);
        if (!ContainerCgroups.Has(record))
            return StatusProbe.IsInitAlive(record) ? NRunc.Container.Rootless.PidNamespaceMembers.Of(record.InitPid) : [];
        var cg = ContainerCgroups.Open(record);
        return cg.Exists() ? cg.GetPids() : [];
    }

    /// <summary>Compact JSON array and a newline, like runc's json.Encoder.</summary>
    public static string ToJson(IReadOnlyList<int> pids)
    {
        var sb = new StringBuilder(pids.Count * 8 + 4).Append('[');
        for (int i = 0; i < pids.Count; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(pids[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append("]\n").ToString();
    }

    /// <summary>Runs ps(1) with <paramref name="psArgs"/> (default -ef) and keeps the header and the container's lines.</summary>
    public static string Table(IReadOnlyList<int> pids, IReadOnlyList<string> psArgs)
    {
        var psi = new ProcessStartInfo("ps") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (psArgs.Count == 0) psi.ArgumentList.Add("-ef");
        else foreach (var a in psArgs) psi.ArgumentList.Add(a);
        string output, errors;
        int exit;
        try
        {
            using var p = System.Diagnostics.Process.Start(psi) ?? throw new ContainerException("ps: could not start");
            var errTask = p.StandardError.ReadToEndAsync();
            output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            errors = errTask.GetAwaiter().GetResult();
            exit = p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ContainerException($"exec: \"ps\": {e.Message}", e);
        }
        if (exit != 0) throw new ContainerException($"exit status {exit}: {output}{errors}");
        return Filter(output, pids);
    }

    /// <summary>Keeps the header and every line whose PID column is one of <paramref name="pids"/>.</summary>
    public static string Filter(string psOutput, IReadOnlyList<int> pids)
    {
        var lines = psOutput.Split('\n');
        var header = lines[0];
        var cols = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int pidIndex = Array.IndexOf(cols, "PID");
        if (pidIndex < 0) throw new ContainerException("couldn't find PID field in ps output");
        var set = new HashSet<int>(pids);
        var sb = new StringBuilder().Append(header).Append('\n');
        for (int i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0) continue;
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (pidIndex >= fields.Length) continue;
            if (!int.TryParse(fields[pidIndex], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                throw new ContainerException($"unexpected pid '{fields[pidIndex]}': not a number");
            if (set.Contains(pid)) sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }
}
