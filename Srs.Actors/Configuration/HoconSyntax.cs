namespace Srs.Actors.Configuration;

/// <summary>
/// Structural checks the HOCON parser does not make (it accepts unclosed braces and stray
/// brackets): balanced braces and brackets, closed strings, no substitutions, each comma after a value. (A key
/// without a value parses as null; <see cref="ConfigValidator"/> names it.)
/// Run on each file before parsing, so `-t` rejects a broken file with the line of the fault; then
/// <see cref="Normalize"/> the text the parser reads.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Null when the text is well formed, else "line N: what is wrong".</summary>
    public static string? Check(string text) => Scan(text, commasToNewlines: null);

    /// <summary>
    /// One pass over the text, skipping strings and comments as the parser reads them: the first fault
    /// found, and each separating comma turned into a newline in <paramref name="commasToNewlines"/> (a
    /// copy of the text) when given.
    /// </summary>
    private static string? Scan(string text, char[]? commasToNewlines)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        // The last character that is neither white space nor part of a comment: a comma must follow a value,
        // not another comma, an opening bracket, '=' or ':' (or nothing).
        var previous = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsWhiteSpace(c) && c != '#' && !(c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                if (c == ',' && previous is '\0' or ',' or '{' or '[' or '=' or ':')
                    return $"line {line}: ',' must follow a value";
                previous = c;
            }
            switch (c)
            {
                case '\n':
                    line++;
                    break;
                case ',' when commasToNewlines is not null:
                    commasToNewlines[i] = '\n';
                    break;
                case '#':
                case '/' when i + 1 < text.Length && text[i + 1] == '/':
                    while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                    break;
                case '"' when string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0:
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return $"line {line}: unclosed \"\"\" string";
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end + 2;
                    break;
                case '"':
                    var start = line;
                    for (i++; i < text.Length && text[i] != '"'; i++)
                    {
                        if (text[i] == '\\') i++;
                        else if (text[i] == '\n') return $"line {start}: unclosed string";
                    }
                    if (i >= text.Length) return $"line {start}: unclosed string";
                    break;
                case '$' when i + 1 < text.Length && text[i + 1] == '{':
                    // Akka's HOCON parser loops or overflows its stack on substitutions in layered
                    // files; refuse them plainly (layer a generated file with -c instead).
                    return $"line {line}: substitutions (${{...}}) are not supported: layer a generated file with -c instead";
                case '{':
                case '[':
                    open.Push((c, line));
                    break;
                case '}':
                case ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0) return $"line {line}: unexpected '{c}'";
                    var (bracket, at) = open.Pop();
                    if (bracket != expected) return $"line {line}: '{c}' closes the '{bracket}' opened at line {at}";
                    break;
            }
        }
        return open.Count > 0 ? $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed" : null;
    }

    /// <summary>
    /// The text with each separating comma (outside strings and comments) turned into a newline, for Akka's
    /// HOCON parser. HOCON separates fields and array elements by a comma or a newline alike; Akka's parser
    /// refuses a comma after an object written without '=' (`a { x = 1 }, b = 2`) and after a newline
    /// (`a = 1` newline `, b = 2`), and reads a comma after a newline in an array as an extra empty element.
    /// Every character keeps its position, so the parser's error positions still point into the file.
    /// Call it on text <see cref="Check"/> accepts.
    /// </summary>
    public static string Normalize(string text)
    {
        var chars = text.ToCharArray();
        Scan(text, chars);
        return new string(chars);
    }
}
