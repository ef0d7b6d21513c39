using System.Globalization;

namespace NRunc.Spec;

/// <summary>
/// Signal names ↔ numbers (Linux x86/arm/generic numbering). Parsing follows runc's kill: a decimal
/// number, or a name in any case with or without "SIG"; nrunc also accepts RTMIN+n and RTMAX-n.
/// </summary>
public static class Signals
{
    /// <summary>First real-time signal as glibc exposes it (the kernel's 32 and 33 are reserved by libc).</summary>
    public const int SIGRTMIN = 34;
    public const int SIGRTMAX = 64;

    private static readonly string[] ByNumber =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
        "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
        "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>Parses "9", "KILL", "SIGKILL", "sigkill", "SIGRTMIN+3", "RTMAX-1". Throws <see cref="FormatException"/> with runc's text `unknown signal "X"`.</summary>
    public static int Parse(string raw)
        => TryParse(raw, out int sig) ? sig : throw new FormatException($"unknown signal \"{raw}\"");

    public static bool TryParse(string raw, out int signal)
    {
        signal = 0;
        if (raw.Length == 0) return false;
        if (char.IsAsciiDigit(raw[0]))
            return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out signal) && signal <= SIGRTMAX;

        var name = raw.ToUpperInvariant();
        if (!name.StartsWith("SIG", StringComparison.Ordinal)) name = "SIG" + name;
        int idx = Array.IndexOf(ByNumber, name);
        if (idx > 0) { signal = idx; return true; }
        switch (name)
        {
            case "SIGIOT": signal = 6; return true;
            case "SIGCLD": signal = 17; return true;
            case "SIGPOLL": signal = 29; return true;
            case "SIGRTMIN": signal = SIGRTMIN; return true;
            case "SIGRTMAX": signal = SIGRTMAX; return true;
        }
        if (name.StartsWith("SIGRTMIN+", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out int plus)
            && plus <= SIGRTMAX - SIGRTMIN)
        {
            signal = SIGRTMIN + plus;
            return true;
        }
        if (name.StartsWith("SIGRTMAX-", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out int minus)
            && minus <= SIGRTMAX - SIGRTMIN)
        {
            signal = SIGRTMAX - minus;
            return true;
        }
        return false;
    }

    /// <summary>"SIGKILL" for 9, "SIGRTMIN+2" for 36, "SIGRTMAX" for 64; the number as text otherwise.</summary>
    public static string Name(int signal)
    {
        if (signal > 0 && signal < ByNumber.Length) return ByNumber[signal];
        if (signal == SIGRTMIN) return "SIGRTMIN";
        if (signal == SIGRTMAX) return "SIGRTMAX";
        if (signal > SIGRTMIN && signal <= SIGRTMIN + 15) return "SIGRTMIN+" + (signal - SIGRTMIN).ToString(CultureInfo.InvariantCulture);
        if (signal > SIGRTMIN + 15 && signal < SIGRTMAX) return "SIGRTMAX-" + (SIGRTMAX - signal).ToString(CultureInfo.InvariantCulture);
        return signal.ToString(CultureInfo.InvariantCulture);
    }
}
