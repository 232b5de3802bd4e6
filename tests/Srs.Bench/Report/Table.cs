using System.Text;

namespace Srs.Bench.Report;

/// <summary>A plain text table: a header row, right-aligned cells, columns as wide as their widest cell.</summary>
public sealed class Table(params string[] headers)
{
    private readonly List<string[]> _rows = new();

    public Table Add(params object[] cells)
    {
        _rows.Add(cells.Select(c => c switch
        {
            double d => d.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
            _ => c.ToString() ?? "",
        }).ToArray());
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => i < r.Length ? r[i].Length : 0))).ToArray();
        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            for (var i = 0; i < widths.Length; i++)
            {
                if (i > 0) sb.Append("  ");
                sb.Append((i < cells.Count ? cells[i] : "").PadLeft(widths[i]));
            }
            sb.Append('\n');
        }

        Line(headers);
        sb.Append(string.Join("  ", widths.Select(w => new string('-', w)))).Append('\n');
        foreach (var row in _rows) Line(row);
        return sb.ToString();
    }
}
