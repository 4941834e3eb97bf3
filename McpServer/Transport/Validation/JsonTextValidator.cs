using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Prynai.McpServer.Transport.Validation;

/// <summary>What is wrong with a JSON text that parses: where (a JSON path) and what.</summary>
/// <param name="Path">Where, e.g. <c>params.arguments.text</c>; empty for the message itself.</param>
/// <param name="Problem">What, as a phrase: "is not valid UTF-8", "contains a lone surrogate escape…", "has the property 'a' twice…".</param>
/// <param name="IsEncodingError">The bytes are not UTF-8 at all (a parse error), as opposed to text that decodes to invalid Unicode.</param>
internal readonly record struct JsonTextProblem(string Path, string Problem, bool IsEncodingError)
{
    /// <summary>Whether the problem lies inside the message's <c>params</c> (the client's arguments, not its framing).</summary>
    public bool InParams => Path.StartsWith("params", StringComparison.Ordinal) && (Path.Length == 6 || Path[6] is '.' or '[');
}

/// <summary>
/// What the JSON parser lets through but everything downstream chokes on: strings that are not valid UTF-8 (RFC 8259
/// requires it), escaped lone surrogates (<c>"\ud800"</c>: JSON grammar, but no Unicode text), and objects that repeat
/// a property name, ignoring case (the SDK's case-insensitive <c>JsonObject</c> throws when one is read). The parser checks none of them until
/// a string is materialized — deep in a handler, as an exception — so each request body is checked once, up front,
/// in one pass that allocates nothing for ordinary bodies.
/// </summary>
internal static class JsonTextValidator
{
    private const int MaxDepth = 64;
    private const int LinearScanLimit = 32;

    public static JsonTextProblem? Validate(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        // Per open container: where its property names start in the name list, and the current array index.
        Span<int> firstName = stackalloc int[MaxDepth + 1];
        Span<int> index = stackalloc int[MaxDepth + 1];
        Span<bool> isArray = stackalloc bool[MaxDepth + 1];
        var names = new NameList();
        try
        {
            while (reader.Read())
            {
                var depth = reader.CurrentDepth;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        CountArrayElement(depth, isArray, index);
                        firstName[depth + 1] = names.Count;
                        index[depth + 1] = -1;
                        isArray[depth + 1] = reader.TokenType == JsonTokenType.StartArray;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        names.Truncate(firstName[depth + 1]);
                        break;
                    case JsonTokenType.PropertyName:
                        if (CheckString(ref reader) is { } badName)
                        {
                            return new JsonTextProblem(PathOf(json, ref names, firstName, index, isArray, depth, includeLast: false), $"has a property name that {badName.Problem}", badName.IsEncodingError);
                        }
                        if (!names.Add(json, ref reader, firstName[depth]))
                        {
                            var repeated = reader.GetString()!;
                            return new JsonTextProblem(PathOf(json, ref names, firstName, index, isArray, depth, includeLast: false),
                                $"has the property '{repeated}' twice (names are compared ignoring case)", false);
                        }
                        break;
                    case JsonTokenType.String:
                        CountArrayElement(depth, isArray, index);
                        if (CheckString(ref reader) is { } badValue)
                        {
                            return new JsonTextProblem(PathOf(json, ref names, firstName, index, isArray, depth, includeLast: !isArray[depth]), badValue.Problem, badValue.IsEncodingError);
                        }
                        break;
                    default:
                        CountArrayElement(depth, isArray, index);
                        break;
                }
            }
            return null;
        }
        catch (JsonException)
        {
            return null; // not JSON at all: the parser that follows reports it with its position
        }
        finally
        {
            names.Dispose();
        }
    }

    private static void CountArrayElement(int depth, Span<bool> isArray, Span<int> index)
    {
        if (isArray[depth])
        {
            index[depth]++;
        }
    }

    private static (string Problem, bool IsEncodingError)? CheckString(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return Utf8.IsValid(reader.ValueSpan) ? null : ("is not valid UTF-8", true);
        }
        var length = reader.ValueSpan.Length;
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            // CopyString unescapes and throws on an escape that is not a whole UTF-16 code point, and on raw bytes
            // that are not UTF-8.
            reader.CopyString(rented ?? stackalloc byte[256]);
            return null;
        }
        catch (InvalidOperationException)
        {
            return Utf8.IsValid(reader.ValueSpan)
                ? ("contains a lone surrogate escape (\\ud800-\\udfff without its pair), which is not Unicode text", false)
                : ("is not valid UTF-8", true);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The path of the token the reader is on, e.g. <c>params.arguments[2]</c>, built only when something is wrong.</summary>
    private static string PathOf(ReadOnlySpan<byte> json, ref NameList names, Span<int> firstName, Span<int> index, Span<bool> isArray, int depth, bool includeLast)
    {
        var path = new StringBuilder();
        for (var level = 1; level <= depth; level++)
        {
            // The container at `level` was entered from the member named last in its parent (or at the parent's index).
            var parent = level - 1;
            if (isArray[parent])
            {
                path.Append('[').Append(index[parent]).Append(']');
            }
            else if (names.LastIn(firstName[parent], firstName[level]) is { } name)
            {
                AppendMember(path, names.Text(json, name));
            }
        }
        if (includeLast && names.Count > firstName[depth])
        {
            AppendMember(path, names.Text(json, names.Count - 1));
        }
        else if (isArray[depth])
        {
            path.Append('[').Append(index[depth]).Append(']');
        }
        return path.ToString();
    }

    /// <summary><c>.name</c>, or <c>["io.modelcontextprotocol/clientInfo"]</c> for a name that is not a plain identifier.</summary>
    private static void AppendMember(StringBuilder path, string name)
    {
        if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '-'))
        {
            path.Append(path.Length > 0 ? "." : "").Append(name);
        }
        else
        {
            path.Append("[\"").Append(name).Append("\"]");
        }
    }

    /// <summary>
    /// Property names of the open objects, innermost last, in a pooled array. "Repeated" means equal ignoring case:
    /// the SDK reads params into <c>JsonObject</c>s that match names case-insensitively and throw on such pairs.
    /// A hash of the upper-cased name finds candidates (a linear scan of the current object, or a hash set once it is
    /// large); a candidate is confirmed by comparing the names. Plain ASCII names — nearly all — allocate nothing.
    /// </summary>
    private struct NameList : IDisposable
    {
        private (ulong Hash, int Start, int Length, string? Text)[]? _items;
        private Dictionary<int, HashSet<ulong>>? _large;

        public int Count { get; private set; }

        public bool Add(ReadOnlySpan<byte> json, ref Utf8JsonReader reader, int objectStart)
        {
            var raw = reader.ValueSpan;
            var text = reader.ValueIsEscaped || !System.Text.Ascii.IsValid(raw) ? reader.GetString()! : null;
            var hash = text is null ? AsciiHash(raw) : TextHash(text);
            var inObject = Count - objectStart;
            var candidate = false;
            if (inObject > LinearScanLimit)
            {
                _large ??= [];
                if (!_large.TryGetValue(objectStart, out var set))
                {
                    set = [];
                    for (var i = objectStart; i < Count; i++)
                    {
                        set.Add(_items![i].Hash);
                    }
                    _large[objectStart] = set;
                }
                candidate = !set.Add(hash);
            }
            else
            {
                for (var i = objectStart; i < Count && !candidate; i++)
                {
                    candidate = _items![i].Hash == hash;
                }
            }
            if (candidate)
            {
                for (var i = objectStart; i < Count; i++)
                {
                    var other = _items![i];
                    if (other.Hash == hash && (text is null && other.Text is null
                            ? System.Text.Ascii.EqualsIgnoreCase(json.Slice(other.Start, other.Length), raw)
                            : string.Equals(other.Text ?? Encoding.UTF8.GetString(json.Slice(other.Start, other.Length)),
                                text ?? Encoding.UTF8.GetString(raw), StringComparison.OrdinalIgnoreCase)))
                    {
                        return false;
                    }
                }
            }
            if (_items is null || Count == _items.Length)
            {
                var larger = ArrayPool<(ulong, int, int, string?)>.Shared.Rent(Math.Max(16, Count * 2));
                _items?.AsSpan(0, Count).CopyTo(larger);
                if (_items is not null)
                {
                    ArrayPool<(ulong, int, int, string?)>.Shared.Return(_items, clearArray: true);
                }
                _items = larger;
            }
            // TokenStartIndex is the opening quote; the raw name follows it.
            _items[Count++] = (hash, (int)reader.TokenStartIndex + 1, raw.Length, text);
            return true;
        }

        public void Truncate(int count)
        {
            _large?.Remove(count);
            Count = Math.Min(Count, count);
        }

        public readonly int? LastIn(int from, int to) => to > from ? to - 1 : null;

        public readonly string Text(ReadOnlySpan<byte> json, int item) =>
            _items![item].Text ?? Encoding.UTF8.GetString(json.Slice(_items[item].Start, _items[item].Length));

        public void Dispose()
        {
            if (_items is not null)
            {
                ArrayPool<(ulong, int, int, string?)>.Shared.Return(_items, clearArray: true);
                _items = null;
            }
        }

        private const ulong FnvOffset = 14695981039346656037UL;
        private const ulong FnvPrime = 1099511628211UL;

        /// <summary>FNV-1a over the upper-cased UTF-16 code units, so an ASCII name and its decoded string hash alike.</summary>
        private static ulong AsciiHash(ReadOnlySpan<byte> name)
        {
            var hash = FnvOffset;
            foreach (var b in name)
            {
                hash = (hash ^ (byte)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b)) * FnvPrime;
            }
            return hash & ~(1UL << 63);
        }

        private static ulong TextHash(string name)
        {
            if (name.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
            {
                // Case pairs outside the BMP: the framework's own case-insensitive hash, kept apart from FNV values.
                return (ulong)(uint)name.GetHashCode(StringComparison.OrdinalIgnoreCase) | 1UL << 63;
            }
            var hash = FnvOffset;
            foreach (var c in name)
            {
                hash = (hash ^ char.ToUpperInvariant(c)) * FnvPrime;
            }
            return hash & ~(1UL << 63);
        }
    }
}
