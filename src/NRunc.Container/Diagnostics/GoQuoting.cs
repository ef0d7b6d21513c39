using System.Globalization;
using System.Text;

namespace NRunc.Container.Diagnostics;

/// <summary>Go's strconv.Quote for the common cases, so messages and log lines read exactly like runc's.</summary>
public static class GoQuoting
{
    public static string Quote(string s) => Append(new StringBuilder(s.Length + 2), s).ToString();

    public static StringBuilder Append(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\x7f': sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"');
    }
}
