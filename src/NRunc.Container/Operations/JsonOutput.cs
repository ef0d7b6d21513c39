using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace NRunc.Container.Operations;

/// <summary>JSON as runc's Go code prints it: MarshalIndent with two spaces, or compact Encode; '+' and non-ASCII unescaped.</summary>
public static class JsonOutput
{
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> info, bool indented, int indentSize = 2, bool newline = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = indented, IndentSize = indentSize, IndentCharacter = ' ', NewLine = "\n",
                   Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            JsonSerializer.Serialize(w, value, info);
        }
        if (newline) buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }
}
